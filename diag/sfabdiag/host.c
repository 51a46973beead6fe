// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: facts about the machine that are not per device: kernel,
 * module state and taint, the rdma subsystem's netns mode, and whether
 * libibverbs can find the sfab provider.
 */

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "sfabdiag.h"

/*
 * The kernel's taint flags (Documentation/admin-guide/tainted-kernels.rst),
 * by bit. "fault" marks the ones that say something went wrong in the
 * kernel or was forced; the others describe how it is configured.
 */
static const struct {
	char letter;
	bool fault;
	const char *what;
} taint_flags[] = {
	{ 'P', false, "proprietary module loaded" },
	{ 'F', true, "module force loaded" },
	{ 'S', true, "kernel running on an out-of-specification system" },
	{ 'R', true, "module force unloaded" },
	{ 'M', true, "processor reported a machine check exception" },
	{ 'B', true, "bad page referenced or unexpected page flags" },
	{ 'U', false, "taint requested by user space" },
	{ 'D', true, "kernel died recently (oops or BUG)" },
	{ 'A', false, "ACPI table overridden" },
	{ 'W', true, "kernel issued a warning" },
	{ 'C', false, "staging driver loaded" },
	{ 'I', false, "working around a platform firmware bug" },
	{ 'O', false, "out-of-tree module loaded" },
	{ 'E', false, "unsigned module loaded" },
	{ 'L', true, "soft lockup occurred" },
	{ 'K', false, "kernel live patched" },
	{ 'X', false, "auxiliary taint, defined by the distribution" },
	{ 'T', false, "kernel built with the struct randomization plugin" },
	{ 'N', false, "in-kernel test run" },
	{ 'J', false, "fwctl mutating debug operation used" },
};

/* The letter of a taint bit, '?' for a bit newer than this table. */
char taint_bit_letter(unsigned int bit)
{
	return bit < ARRAY_SIZE(taint_flags) ? taint_flags[bit].letter : '?';
}

const char *taint_describe(char letter)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(taint_flags); i++)
		if (taint_flags[i].letter == letter)
			return taint_flags[i].what;
	return "taint flag unknown to this sfabdiag";
}

bool taint_is_fault(char letter)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(taint_flags); i++)
		if (taint_flags[i].letter == letter)
			return taint_flags[i].fault;
	return false;
}

static void collect_kernel(struct host *h)
{
	struct utsname u;
	bool have_uname = uname(&u) == 0;

	if (have_uname)
		str_copy(h->machine, u.machine, sizeof(h->machine));
	/* procfs first, so that a test root can set it; the same on a host. */
	if (fs_read("/proc/sys/kernel/osrelease", h->kernel,
		    sizeof(h->kernel)) == 0 && h->kernel[0])
		return;
	str_copy(h->kernel, have_uname ? u.release : "unknown", sizeof(h->kernel));
}

static void collect_module(struct host *h, struct report *r)
{
	char buf[64];
	char *end;

	if (!fs_existsf("/sys/module/sfab")) {
		h->module = MODULE_NOT_LOADED;
	} else if (fs_existsf("/sys/module/sfab/initstate")) {
		h->module = MODULE_LOADED;
		report_readf(r, NULL, h->module_taint, sizeof(h->module_taint),
			     "/sys/module/sfab/taint");
	} else {
		h->module = MODULE_BUILTIN;
	}

	if (report_readf(r, NULL, buf, sizeof(buf), "/proc/sys/kernel/tainted"))
		return;
	errno = 0;
	h->kernel_taint = strtoull(buf, &end, 10);
	h->kernel_taint_known = !errno && end != buf && !*end;
}

/* Y: devices are visible in every network namespace (the default). */
static void collect_netns_mode(struct host *h)
{
	char buf[8];
	const char *mode = "unknown";

	if (fs_read("/sys/module/ib_core/parameters/netns_mode", buf,
		    sizeof(buf)) == 0) {
		if (!strcmp(buf, "Y") || !strcmp(buf, "1"))
			mode = "shared";
		else if (!strcmp(buf, "N") || !strcmp(buf, "0"))
			mode = "exclusive";
	}
	str_copy(h->netns_mode, mode, sizeof(h->netns_mode));
}

static char *find_provider_library(const char *dir, struct report *r)
{
	char **names, *found = NULL;
	int i, n;

	n = fs_list(dir, &names);
	if (n == -ENOENT || n == -ENOTDIR)
		return NULL;
	if (n < 0) {
		report_read_error(r, NULL, dir, n);
		return NULL;
	}
	for (i = 0; i < n && !found; i++)
		if (!fnmatch("libsfab-rdmav*.so", names[i], 0))
			found = xasprintf("%s/%s", dir, names[i]);
	fs_list_free(names, n);
	return found;
}

/* libibverbs loads a provider named by a .driver file from its directory. */
static void collect_provider(struct host *h, struct report *r)
{
	const char *dirs[3];
	size_t i, n = 0;
	char *multiarch = NULL;

	if (fs_existsf("/etc/libibverbs.d/sfab.driver"))
		h->provider_driver = xstrdup("/etc/libibverbs.d/sfab.driver");

	if (SFAB_MULTIARCH[0]) {
		multiarch = xasprintf("/usr/lib/%s/libibverbs", SFAB_MULTIARCH);
		dirs[n++] = multiarch;
	}
	dirs[n++] = "/usr/lib64/libibverbs";
	dirs[n++] = "/usr/lib/libibverbs";

	for (i = 0; i < n && !h->provider_library; i++)
		h->provider_library = find_provider_library(dirs[i], r);
	if (n == 3)
		h->provider_dirs = xasprintf("%s, %s or %s", dirs[0], dirs[1],
					     dirs[2]);
	else
		h->provider_dirs = xasprintf("%s or %s", dirs[0], dirs[1]);
	free(multiarch);
}

void host_collect(struct host *h, struct report *r)
{
	memset(h, 0, sizeof(*h));
	collect_kernel(h);
	collect_module(h, r);
	collect_netns_mode(h);
	collect_provider(h, r);
}

void host_free(struct host *h)
{
	free(h->provider_driver);
	free(h->provider_library);
	free(h->provider_dirs);
}
