// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag bundle: everything support asks for, in one tar.gz.
 *
 * The files are collected into a directory under a private mkdtemp(3),
 * then tar(1) packs it (fork and exec, no shell) into a temporary file
 * next to the output, which is synced and renamed into place. Programs
 * are run the same way with their output and exit status recorded,
 * whatever it is; sfabdiag's own commands are run through /proc/self/exe.
 * Every file is listed in MANIFEST, and so is every item that could not
 * be collected, with the reason. Run as a user, the bundle holds what
 * could be collected and says what needs root.
 *
 * Exit: 0 written, 2 usage, 4 written but items are missing for want of
 * privilege, 5 not written.
 */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sfabdiag.h"

#define SELF_EXE		"/proc/self/exe"
#define CMD_TIMEOUT_S		30
#define CAPTURE_DEFAULT_S	2
#define CAPTURE_MAX_S		60
#define CAPTURE_MAX_PACKETS	"200"

static const char bundle_help[] =
	"usage: sfabdiag [--json] bundle -o FILE.tar.gz [--capture-seconds S]\n"
	"\n"
	"Collect what support needs into one tar.gz: sfabdiag status, version,\n"
	"counters and qp output, the kernel log, the module's parameters, rdma\n"
	"and ip output, the OS and package versions, the error injection\n"
	"settings, and a short capture of sfab's packets. MANIFEST in the\n"
	"bundle lists every file, and every item that could not be collected\n"
	"with the reason. Run it as root for a complete bundle.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE        the tar.gz to write (replaced if it exists)\n"
	"      --capture-seconds S  capture for S seconds per device (default 2,\n"
	"                           at most 60; 0 leaves the capture out)\n"
	"  -j, --json               print the summary as JSON\n"
	"  -h, --help               print this help and exit\n"
	"\n"
	"See sfabdiag-bundle(8).\n";

struct entry {
	char *path;	/* in the bundle, under its top directory */
	char *what;	/* where it came from */
	char *status;	/* "ok", "exit 1"; for a missing item, the reason */
	bool missing;
	bool denied;	/* missing for want of privilege */
};

struct bundle {
	const char *output;
	unsigned int capture_s;
	char *tmp;		/* the mkdtemp directory */
	char *name;		/* the top directory in the tarball */
	char *top;		/* tmp/name */
	bool root;
	struct entry *e;
	size_t n;
	size_t nmissing;
	size_t ndenied;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static int usage_error(const char *fmt, ...) __printf(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sfabdiag bundle: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfabdiag bundle --help'.\n", stderr);
	return SFAB_EXIT_USAGE;
}

static int parse_args(struct sfab_ctx *ctx, struct bundle *b, int argc,
		      char **argv)
{
	enum { OPT_CAPTURE = 256 };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "capture-seconds", required_argument, NULL, OPT_CAPTURE },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long v;
	int c;

	b->capture_s = CAPTURE_DEFAULT_S;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			b->output = optarg;
			break;
		case OPT_CAPTURE:
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || errno || *end ||
			    v > CAPTURE_MAX_S)
				return usage_error("--capture-seconds needs whole seconds from 0 to %d, not '%s'",
						   CAPTURE_MAX_S, optarg);
			b->capture_s = (unsigned int)v;
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			fputs(bundle_help, stdout);
			return finish_output(SFAB_EXIT_OK);
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			return bad_option("bundle", argv, optind);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!b->output)
		return usage_error("-o FILE is needed: the tar.gz to write");
	return -1;
}

/* ---- the manifest ---------------------------------------------------- */

static struct entry *add_entry(struct bundle *b, const char *path,
			       const char *what)
{
	struct entry *e;

	b->e = xreallocarray(b->e, b->n + 1, sizeof(*b->e));
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	e->what = xstrdup(what);
	return e;
}

static void note_file(struct bundle *b, const char *path, const char *what,
		      const char *fmt, ...) __printf(4, 5);

static void note_file(struct bundle *b, const char *path, const char *what,
		      const char *fmt, ...)
{
	struct entry *e = add_entry(b, path, what);
	va_list ap;

	va_start(ap, fmt);
	e->status = xvasprintf(fmt, ap);
	va_end(ap);
}

static void note_missing(struct bundle *b, const char *path, const char *what,
			 bool denied, const char *fmt, ...) __printf(5, 6);

static void note_missing(struct bundle *b, const char *path, const char *what,
			 bool denied, const char *fmt, ...)
{
	struct entry *e = add_entry(b, path, what);
	va_list ap;

	va_start(ap, fmt);
	e->status = xvasprintf(fmt, ap);
	va_end(ap);
	e->missing = true;
	e->denied = denied;
	b->nmissing++;
	if (denied)
		b->ndenied++;
}

static bool is_denied(int err)
{
	return err == -EACCES || err == -EPERM;
}

/* "Permission denied: needs root" for a refused read, else the error. */
static const char *why(int err)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s%s", strerror(-err),
		 is_denied(err) ? ": needs root" : "");
	return buf;
}

/* ---- files in the bundle ---------------------------------------------- */

static char *bundle_path(const struct bundle *b, const char *rel)
{
	return xasprintf("%s/%s", b->top, rel);
}

/* Creates the directories of @rel under the top directory. */
static int make_dirs(const struct bundle *b, const char *rel)
{
	char *path = bundle_path(b, rel), *p;
	int err = 0;

	for (p = path + strlen(b->top) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			err = -errno;
		*p = '/';
		if (err)
			break;
	}
	free(path);
	return err;
}

static int open_new(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	return fd < 0 ? -errno : fd;
}

static int create_file(const struct bundle *b, const char *rel)
{
	char *path;
	int fd, err = make_dirs(b, rel);

	if (err)
		return err;
	path = bundle_path(b, rel);
	fd = open_new(path);
	free(path);
	return fd;
}

static int write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int put_file(const struct bundle *b, const char *rel, const char *data,
		    size_t len)
{
	int fd = create_file(b, rel), err;

	if (fd < 0)
		return fd;
	err = write_all(fd, data, len);
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static void remove_file(const struct bundle *b, const char *rel)
{
	char *path = bundle_path(b, rel);

	unlink(path);
	free(path);
}

static off_t file_size(const struct bundle *b, const char *rel)
{
	char *path = bundle_path(b, rel);
	struct stat st;
	off_t size = stat(path, &st) ? -1 : st.st_size;

	free(path);
	return size;
}

/*
 * What a run of sfabdiag printed on stderr as its error: the first line
 * that starts "sfabdiag ", else the first line; "" when none (static
 * storage). Frees @path.
 */
static const char *error_line(char *path)
{
	static char line[512];
	char buf[512];
	FILE *f = fopen(path, "re");

	line[0] = '\0';
	free(path);
	if (!f)
		return line;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (!line[0])
			str_copy(line, buf, sizeof(line));
		if (!strncmp(buf, "sfabdiag ", 9)) {
			str_copy(line, buf, sizeof(line));
			break;
		}
	}
	fclose(f);
	return line;
}

/*
 * Copies a file of the system (under SFABDIAG_ROOT) into the bundle at
 * the same path, less the leading '/'.
 */
static void copy_file(struct bundle *b, const char *path, const char *what)
{
	const char *rel = path + 1;
	size_t len;
	char *data;
	int err;

	err = fs_read_all(path, &data, &len);
	if (err) {
		note_missing(b, rel, what, is_denied(err), "cannot read %s: %s",
			     path, why(err));
		return;
	}
	err = put_file(b, rel, data, len);
	free(data);
	if (err)
		note_missing(b, rel, what, false, "cannot write it: %s",
			     strerror(-err));
	else
		note_file(b, rel, what, "ok");
}

/* ---- programs ---------------------------------------------------------- */

/* @name in PATH, then in the sbin directories a user's PATH may lack. */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL, *found = NULL, *cand;

	dirs = xasprintf("%s:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin",
			 path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		if (!*dir)
			continue;
		cand = xasprintf("%s/%s", dir, name);
		if (!access(cand, X_OK))
			found = cand;
		else
			free(cand);
	}
	free(dirs);
	return found;
}

static int open_null(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * Waits for @pid, killing it after @timeout seconds or when the bundle
 * is interrupted. Fills @status with a description and returns the exit
 * code, or -1 when it did not exit by itself.
 */
static int wait_child(pid_t pid, unsigned int timeout, char *status,
		      size_t size)
{
	const struct timespec tick = { 0, 20 * 1000 * 1000 };
	unsigned long ticks = 0, max = timeout * 50UL;
	bool killed = false;
	int ws;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &ws, WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(status, size, "lost: %s", strerror(errno));
			return -1;
		}
		if (r == pid)
			break;
		if (!killed && (ticks++ >= max || interrupted)) {
			kill(pid, SIGKILL);
			killed = true;
		}
		nanosleep(&tick, NULL);
	}
	if (killed && !interrupted) {
		snprintf(status, size, "killed after %u s", timeout);
		return -1;
	}
	if (WIFEXITED(ws)) {
		snprintf(status, size, "exit %d", WEXITSTATUS(ws));
		return WEXITSTATUS(ws);
	}
	snprintf(status, size, "killed by signal %d", WTERMSIG(ws));
	return -1;
}

struct run {
	const char *rel;	/* stdout goes there; stderr to rel.stderr */
	bool outside;		/* rel is in the mkdtemp directory, not the
				 * bundle (tar's own output) */
	const char *what;
	const char *exe;	/* the program's path; NULL: find argv[0] */
	char *const *argv;
	unsigned int timeout;
	char status[64];	/* "exit 0", "killed after 30 s" */
	int code;		/* exit code, -1 when it did not exit */
	bool ran;
	bool has_stderr;	/* rel.stderr is kept */
	char *err_rel;
};

/* Where a run's output goes: in the bundle, or beside it for tar. */
static char *run_path(const struct bundle *b, const struct run *r,
		      const char *rel)
{
	return r->outside ? xasprintf("%s/%s", b->tmp, rel) :
			    bundle_path(b, rel);
}

static int run_create(const struct bundle *b, const struct run *r,
		      const char *rel)
{
	char *path;
	int fd;

	if (!r->outside)
		return create_file(b, rel);
	path = run_path(b, r, rel);
	fd = open_new(path);
	free(path);
	return fd;
}

static void run_remove(const struct bundle *b, const struct run *r,
		       const char *rel)
{
	char *path = run_path(b, r, rel);

	unlink(path);
	free(path);
}

/*
 * Runs a program with its output into the bundle. What could not be run
 * at all is noted as missing; what ran is noted with its exit status
 * unless @quiet, for the caller to decide.
 */
static void run_program(struct bundle *b, struct run *r, bool quiet)
{
	char *exe = r->exe ? xstrdup(r->exe) : find_program(r->argv[0]);
	int out = -1, err = -1, nul = -1, pfd[2] = { -1, -1 }, child_errno;
	char *path;
	struct stat st;
	ssize_t n;
	pid_t pid;

	r->ran = false;
	r->code = -1;
	r->err_rel = xasprintf("%s.stderr", r->rel);
	if (!exe) {
		note_missing(b, r->rel, r->what, false,
			     "%s is not installed (not found in PATH, /usr/sbin or /sbin)",
			     r->argv[0]);
		return;
	}
	out = run_create(b, r, r->rel);
	err = run_create(b, r, r->err_rel);
	nul = open_null();
	if (out < 0 || err < 0 || nul < 0 || pipe2(pfd, O_CLOEXEC)) {
		note_missing(b, r->rel, r->what, false, "cannot set up the run: %s",
			     strerror(out < 0 ? -out : err < 0 ? -err : errno));
		run_remove(b, r, r->rel);
		run_remove(b, r, r->err_rel);
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		execv(exe, r->argv);
		child_errno = errno;
		if (write(pfd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	if (pid < 0) {
		note_missing(b, r->rel, r->what, false, "cannot run %s: %s",
			     exe, strerror(errno));
		run_remove(b, r, r->rel);
		run_remove(b, r, r->err_rel);
		goto out;
	}
	close(pfd[1]);
	pfd[1] = -1;
	do {
		n = read(pfd[0], &child_errno, sizeof(child_errno));
	} while (n < 0 && errno == EINTR);
	r->code = wait_child(pid, r->timeout, r->status, sizeof(r->status));
	if (n == sizeof(child_errno)) {
		run_remove(b, r, r->rel);
		run_remove(b, r, r->err_rel);
		note_missing(b, r->rel, r->what, false, "cannot run %s: %s",
			     exe, strerror(child_errno));
		goto out;
	}
	r->ran = true;
	path = run_path(b, r, r->err_rel);
	r->has_stderr = !stat(path, &st) && st.st_size > 0;
	free(path);
	if (!r->has_stderr)
		run_remove(b, r, r->err_rel);
	if (!quiet) {
		note_file(b, r->rel, r->what, "%s", r->status);
		if (r->has_stderr)
			note_file(b, r->err_rel, "its standard error", "%s",
				  r->status);
	}
out:
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	if (nul >= 0)
		close(nul);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(exe);
}

/* @what NULL: the command line says what it is. */
static void run_cmd(struct bundle *b, const char *rel, const char *about,
		    char *const *argv)
{
	struct run r = {
		.rel = rel,
		.argv = argv,
		.timeout = CMD_TIMEOUT_S,
	};
	char *what = about ? xstrdup(about) : NULL, *next;
	int i;

	for (i = 0; !about && argv[i]; i++) {
		next = xasprintf("%s%s%s", what ? what : "", what ? " " : "",
				 argv[i]);
		free(what);
		what = next;
	}
	r.what = what;
	run_program(b, &r, false);
	free(r.err_rel);
	free(what);
}

/* sfabdiag itself: the same binary, through /proc/self/exe. */
static void run_self(struct bundle *b, const char *rel, const char *what,
		     char *const *argv)
{
	struct run r = {
		.rel = rel,
		.what = what,
		.exe = SELF_EXE,
		.argv = argv,
		.timeout = CMD_TIMEOUT_S,
	};

	run_program(b, &r, false);
	free(r.err_rel);
}

/* ---- the items ---------------------------------------------------------- */

static void collect_sfabdiag(struct bundle *b)
{
	static char *const status[] = { "sfabdiag", "status", NULL };
	static char *const status_json[] = { "sfabdiag", "--json", "status",
					     NULL };
	static char *const version[] = { "sfabdiag", "--json", "version",
					 NULL };
	static char *const counters[] = { "sfabdiag", "--json", "counters",
					  "--qp", NULL };
	static char *const qp_list[] = { "sfabdiag", "--json", "qp", "list",
					 NULL };
	static char *const qp_text[] = { "sfabdiag", "qp", "list", NULL };

	run_self(b, "sfabdiag/status.txt", "sfabdiag status", status);
	run_self(b, "sfabdiag/status.json", "sfabdiag --json status",
		 status_json);
	run_self(b, "sfabdiag/version.json", "sfabdiag --json version",
		 version);
	run_self(b, "sfabdiag/counters.json", "sfabdiag --json counters --qp",
		 counters);
	run_self(b, "sfabdiag/qp-list.json", "sfabdiag --json qp list",
		 qp_list);
	run_self(b, "sfabdiag/qp-list.txt", "sfabdiag qp list", qp_text);
}

/* One /dev/kmsg record, "PRI,SEQ,USEC,FLAGS;TEXT\n KEY=VALUE\n...", as dmesg. */
static char *format_kmsg(const char *rec, size_t len)
{
	unsigned long long usec = 0;
	const char *text = memchr(rec, ';', len);
	int pri = 0;

	if (!text || sscanf(rec, "%d,%*u,%llu", &pri, &usec) != 2)
		return xasprintf("%.*s", (int)len, rec);
	text++;
	return xasprintf("<%d>[%5llu.%06llu] %.*s", pri & 7, usec / 1000000,
			 usec % 1000000, (int)(len - (size_t)(text - rec)), text);
}

/* The kernel log: /dev/kmsg read without blocking, else syslog(2). */
static int read_kmsg(char **log, size_t *len)
{
	char rec[16384], *line, *all = NULL;
	size_t used = 0, n;
	ssize_t r;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		r = read(fd, rec, sizeof(rec));
		if (r < 0 && (errno == EINTR || errno == EPIPE))
			continue;	/* EPIPE: overwritten records skipped */
		if (r < 0 && errno != EAGAIN) {
			r = -errno;
			close(fd);
			free(all);
			return (int)r;
		}
		if (r <= 0)
			break;
		line = format_kmsg(rec, (size_t)r);
		n = strlen(line);
		all = xreallocarray(all, used + n + 1, 1);
		memcpy(all + used, line, n + 1);
		used += n;
		free(line);
	}
	close(fd);
	*log = all ? all : xstrdup("");
	*len = used;
	return 0;
}

static int read_klog(char **log, size_t *len)
{
	int size = klogctl(10, NULL, 0), n;	/* SYSLOG_ACTION_SIZE_BUFFER */

	if (size < 0)
		return -errno;
	*log = xcalloc(1, (size_t)size + 1);
	n = klogctl(3, *log, size);		/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		n = -errno;
		free(*log);
		*log = NULL;
		return n;
	}
	*len = (size_t)n;
	return 0;
}

static void collect_kernel_log(struct bundle *b)
{
	const char *rel = "kernel/dmesg.txt";
	const char *what = "the kernel log (/dev/kmsg)";
	char restrict_val[8] = "";
	size_t len;
	char *log;
	int err, err2;

	err = read_kmsg(&log, &len);
	if (err) {
		err2 = read_klog(&log, &len);
		if (!err2) {
			what = "the kernel log (syslog(2))";
			err = 0;
		}
	}
	if (err) {
		fs_read("/proc/sys/kernel/dmesg_restrict", restrict_val,
			sizeof(restrict_val));
		note_missing(b, rel, what, is_denied(err),
			     "cannot read /dev/kmsg: %s%s", why(err),
			     !strcmp(restrict_val, "1") ?
			     " (kernel.dmesg_restrict is 1)" : "");
		return;
	}
	err = put_file(b, rel, log, len);
	free(log);
	if (err)
		note_missing(b, rel, what, false, "cannot write it: %s",
			     strerror(-err));
	else
		note_file(b, rel, what, "ok");
}

static void collect_module(struct bundle *b)
{
	static const char *const files[] = { "version", "taint", "srcversion" };
	char path[128], what[160];
	char **names;
	size_t i;
	int n, k;

	if (!fs_existsf("/sys/module/sfab")) {
		note_missing(b, "sys/module/sfab", "the sfab module's version, taint, srcversion and parameters",
			     false, "module sfab is not loaded");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "/sys/module/sfab/%s", files[i]);
		snprintf(what, sizeof(what), "the sfab module's %s", files[i]);
		copy_file(b, path, what);
	}
	n = fs_list("/sys/module/sfab/parameters", &names);
	if (n < 0) {
		note_missing(b, "sys/module/sfab/parameters", "the sfab module's parameters",
			     is_denied(n), "%s",
			     n == -ENOENT ? "the module has no parameters" :
			     why(n));
		return;
	}
	for (k = 0; k < n; k++) {
		snprintf(path, sizeof(path), "/sys/module/sfab/parameters/%s",
			 names[k]);
		snprintf(what, sizeof(what), "module parameter %s", names[k]);
		copy_file(b, path, what);
	}
	fs_list_free(names, n);
}

static void collect_programs(struct bundle *b)
{
	static char *const rdma_res[] = { "rdma", "-j", "-dd", "res", "show",
					  NULL };
	static char *const rdma_link[] = { "rdma", "-j", "link", NULL };
	static char *const rdma_stat[] = { "rdma", "-j", "statistic", NULL };
	static char *const uname_a[] = { "uname", "-a", NULL };
	static char *const ip_addr[] = { "ip", "-j", "addr", NULL };
	static char *const ip_link[] = { "ip", "-j", "link", NULL };
	static char *const dpkg[] = {
		"dpkg-query", "-W",
		"-f=${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n",
		"sfab-dkms", "sfab-diag", "ibverbs-providers", "libibverbs1",
		"rdma-core", "*sfab*", NULL
	};
	static char *const rpm[] = {
		"rpm", "-qa", "--qf",
		"%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n",
		"*sfab*", "rdma-core", "libibverbs", "libibverbs-utils",
		"librdmacm", NULL
	};
	char *found;

	run_cmd(b, "rdma/res.json", NULL, rdma_res);
	run_cmd(b, "rdma/link.json", NULL, rdma_link);
	run_cmd(b, "rdma/statistic.json", NULL, rdma_stat);
	run_cmd(b, "system/uname.txt", NULL, uname_a);
	run_cmd(b, "net/ip-addr.json", NULL, ip_addr);
	run_cmd(b, "net/ip-link.json", NULL, ip_link);

	/* Debian and Ubuntu have dpkg-query; RPM systems rpm. */
	found = find_program("dpkg-query");
	if (found)
		run_cmd(b, "system/packages.txt",
			"package versions (dpkg-query -W)", dpkg);
	else if ((found = find_program("rpm")))
		run_cmd(b, "system/packages.txt",
			"package versions (rpm -qa)", rpm);
	else
		note_missing(b, "system/packages.txt", "package versions",
			     false, "neither dpkg-query nor rpm is installed");
	free(found);
}

static void collect_os(struct bundle *b)
{
	if (fs_existsf("/etc/os-release") || !fs_existsf("/usr/lib/os-release"))
		copy_file(b, "/etc/os-release", "the distribution");
	else
		copy_file(b, "/usr/lib/os-release", "the distribution");
}

/* The inject settings of each device: "sfabdiag inject -d DEV show". */
static void collect_inject(struct bundle *b, const struct devices *d)
{
	char *rel, *what, *reason;
	struct run r;
	int i;

	if (!d->n)
		note_missing(b, "sfabdiag/inject", "the error injection settings",
			     false, "no sfab device");
	for (i = 0; i < d->n; i++) {
		char *argv[] = { "sfabdiag", "inject", "-d", d->dev[i].name,
				 "show", NULL };

		rel = xasprintf("sfabdiag/inject-%s.txt", d->dev[i].name);
		what = xasprintf("sfabdiag inject -d %s show",
				 d->dev[i].name);
		memset(&r, 0, sizeof(r));
		r.rel = rel;
		r.what = what;
		r.exe = SELF_EXE;
		r.argv = argv;
		r.timeout = CMD_TIMEOUT_S;
		run_program(b, &r, true);
		if (r.ran && r.code == 0) {
			note_file(b, rel, what, "%s", r.status);
			if (r.has_stderr)
				note_file(b, r.err_rel, "its standard error",
					  "%s", r.status);
		} else if (r.ran) {
			/* Not there: say why, in inject's words. */
			reason = xstrdup(error_line(bundle_path(b, r.err_rel)));
			remove_file(b, rel);
			remove_file(b, r.err_rel);
			note_missing(b, rel, what,
				     r.code == SFAB_EXIT_PRIVILEGE, "%s (%s)",
				     reason[0] ? reason : "failed", r.status);
			free(reason);
		}
		free(r.err_rel);
		free(rel);
		free(what);
	}
}

static void collect_capture(struct bundle *b, const struct devices *d)
{
	char secs[16], *pcap, *rel, *what, *abs_pcap;
	const struct device *dev;
	struct run r;
	int i, fd;

	if (!d->n) {
		note_missing(b, "capture", "a capture sample", false,
			     "no sfab device");
		return;
	}
	if (!b->capture_s) {
		note_missing(b, "capture", "a capture sample", false,
			     "left out: --capture-seconds 0");
		return;
	}
	fd = capture_socket();
	if (fd < 0) {
		note_missing(b, "capture", "a capture sample",
			     is_denied(fd), "%s",
			     is_denied(fd) ? "capture needs CAP_NET_RAW: run as root" :
			     strerror(-fd));
		return;
	}
	close(fd);
	snprintf(secs, sizeof(secs), "%u", b->capture_s);
	for (i = 0; i < d->n; i++) {
		dev = &d->dev[i];
		pcap = xasprintf("capture/%s.pcapng", dev->name);
		what = xasprintf("%u s of %s's packets on %s", b->capture_s,
				 dev->name, dev->netdev[0] ? dev->netdev :
				 "its netdevice");
		if (!dev->netdev[0] || !dev->netdev_here) {
			note_missing(b, pcap, what, false, "%s",
				     dev->netdev[0] ?
				     "its netdevice is in another network namespace: run sfabdiag capture there (ip netns exec)" :
				     "it has no netdevice");
			free(pcap);
			free(what);
			continue;
		}
		fd = make_dirs(b, pcap);
		if (fd) {
			note_missing(b, pcap, what, false,
				     "cannot create the directory: %s",
				     strerror(-fd));
			free(pcap);
			free(what);
			continue;
		}
		abs_pcap = bundle_path(b, pcap);
		rel = xasprintf("capture/%s.txt", dev->name);
		{
			char *argv[] = { "sfabdiag", "capture", "-d",
					 (char *)dev->name, "-o", abs_pcap,
					 "-c", CAPTURE_MAX_PACKETS,
					 "--duration", secs, NULL };

			memset(&r, 0, sizeof(r));
			r.rel = rel;
			r.what = "the summary of sfabdiag capture";
			r.exe = SELF_EXE;
			r.argv = argv;
			r.timeout = b->capture_s + CMD_TIMEOUT_S;
			run_program(b, &r, false);
		}
		if (file_size(b, pcap) >= 0)
			note_file(b, pcap, what, "ok");
		else
			note_missing(b, pcap, what, r.code == SFAB_EXIT_PRIVILEGE,
				     "%s", r.ran && r.has_stderr ?
				     error_line(bundle_path(b, r.err_rel)) :
				     "sfabdiag capture wrote no file");
		free(r.err_rel);
		free(abs_pcap);
		free(rel);
		free(pcap);
		free(what);
	}
}

/* ---- MANIFEST, tar, and the whole --------------------------------------- */

static void write_manifest(struct bundle *b, const char *created,
			   const char *host)
{
	struct table t;
	size_t i;
	char *path = bundle_path(b, "MANIFEST");
	FILE *f = fopen(path, "we");

	free(path);
	if (!f)
		die("cannot write MANIFEST: %s", strerror(errno));
	fprintf(f, "sfab support bundle\n\n");
	out_line(f, "created   %s", created);
	out_line(f, "host      %s", host);
	out_line(f, "sfabdiag  %s", SFAB_VERSION);
	if (b->root)
		fprintf(f, "user      root\n");
	else
		fprintf(f, "user      uid %u, not root: what needs root is missing (see below)\n",
			(unsigned int)geteuid());
	fprintf(f, "capture   %u s per device, at most %s packets\n\n",
		b->capture_s, CAPTURE_MAX_PACKETS);

	fprintf(f, "Files\n");
	table_init(&t, 3);
	table_row(&t, "FILE", "STATUS", "WHAT");
	table_row(&t, "MANIFEST", "ok", "this list");
	for (i = 0; i < b->n; i++)
		if (!b->e[i].missing)
			table_row(&t, b->e[i].path, b->e[i].status,
				  b->e[i].what);
	table_print(&t, f, "  ");
	table_free(&t);

	fprintf(f, "\nNot collected\n");
	if (!b->nmissing) {
		fprintf(f, "  none\n");
	} else {
		table_init(&t, 3);
		table_row(&t, "ITEM", "WHAT", "REASON");
		for (i = 0; i < b->n; i++)
			if (b->e[i].missing)
				table_row(&t, b->e[i].path, b->e[i].what,
					  b->e[i].status);
		table_print(&t, f, "  ");
		table_free(&t);
	}
	if (fclose(f))
		die("cannot write MANIFEST: %s", strerror(errno));
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* tar -czf into a temporary file next to the output, then rename. */
static int pack(struct bundle *b, char *err, size_t esize)
{
	char *dcopy = xstrdup(b->output), *bcopy = xstrdup(b->output);
	char *tmp = xasprintf("%s/.%s.XXXXXX", dirname(dcopy), basename(bcopy));
	struct run r;
	int fd, code = 0;

	free(dcopy);
	free(bcopy);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, esize, "cannot create a file next to %s: %s",
			 b->output, strerror(errno));
		free(tmp);
		return -1;
	}
	close(fd);
	{
		char *argv[] = { "tar", "-czf", tmp, "-C", b->tmp, b->name,
				 NULL };

		memset(&r, 0, sizeof(r));
		r.rel = "tar.out";
		r.outside = true;
		r.what = "tar";
		r.argv = argv;
		r.timeout = 600;
		run_program(b, &r, true);
	}
	if (!r.ran || r.code != 0) {
		snprintf(err, esize, "tar failed: %s%s%s",
			 r.ran ? r.status : b->e[b->n - 1].status,
			 r.ran && r.has_stderr ? ": " : "",
			 r.ran && r.has_stderr ?
			 error_line(run_path(b, &r, r.err_rel)) :
			 "");
		code = -1;
	}
	free(r.err_rel);
	if (!code) {
		fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) || rename(tmp, b->output)) {
			snprintf(err, esize, "cannot write %s: %s", b->output,
				 strerror(errno));
			code = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	if (code)
		unlink(tmp);
	free(tmp);
	return code;
}

static void print_summary(struct sfab_ctx *ctx, const struct bundle *b)
{
	struct json j;
	size_t i, files = 1;

	for (i = 0; i < b->n; i++)
		files += !b->e[i].missing;
	if (ctx->json) {
		json_init(&j, stdout);
		json_begin_array(&j);
		json_begin_object(&j);
		json_kv_string(&j, "file", b->output);
		json_kv_string(&j, "directory", b->name);
		json_kv_int(&j, "files", (long long)files);
		json_kv_bool(&j, "root", b->root);
		json_kv_bool(&j, "complete", !b->nmissing);
		json_key(&j, "missing");
		json_begin_array(&j);
		for (i = 0; i < b->n; i++) {
			if (!b->e[i].missing)
				continue;
			json_begin_object(&j);
			json_kv_string(&j, "item", b->e[i].path);
			json_kv_string(&j, "what", b->e[i].what);
			json_kv_string(&j, "reason", b->e[i].status);
			json_kv_bool(&j, "needs_root", b->e[i].denied);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
		json_end_array(&j);
		json_finish(&j);
		return;
	}
	out_line(stdout, "wrote %s: %zu files, listed in %s/MANIFEST",
		 b->output, files, b->name);
	if (!b->nmissing)
		return;
	printf("not collected (%zu):\n", b->nmissing);
	for (i = 0; i < b->n; i++)
		if (b->e[i].missing)
			out_line(stdout, "  %s: %s", b->e[i].path,
				 b->e[i].status);
	if (b->ndenied)
		puts("fix: run sfabdiag bundle as root for a complete bundle");
}

static char *host_name(void)
{
	char host[256];
	char *p;

	if (gethostname(host, sizeof(host)))
		str_copy(host, "host", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	for (p = host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			*p = '_';
	return xstrdup(host[0] ? host : "host");
}

static void collect(struct bundle *b)
{
	struct report rep = { .n = 0 };
	struct devices d;

	devices_collect(&d, &rep);
	report_free(&rep);
	collect_sfabdiag(b);
	if (!interrupted)
		collect_kernel_log(b);
	if (!interrupted)
		collect_module(b);
	if (!interrupted)
		collect_os(b);
	if (!interrupted)
		collect_programs(b);
	if (!interrupted)
		collect_inject(b, &d);
	if (!interrupted)
		collect_capture(b, &d);
	devices_free(&d);
}

static void free_bundle(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->e[i].path);
		free(b->e[i].what);
		free(b->e[i].status);
	}
	free(b->e);
	free(b->tmp);
	free(b->name);
	free(b->top);
}

static int bundle_cmd(struct sfab_ctx *ctx, int argc, char **argv)
{
	struct sigaction sa, old_int, old_term;
	char created[32], stamp[32], err[512];
	const char *tmpdir = getenv("TMPDIR");
	struct bundle b;
	char *host;
	struct tm tm;
	time_t now;
	int code;

	memset(&b, 0, sizeof(b));
	code = parse_args(ctx, &b, argc, argv);
	if (code >= 0)
		return code;
	b.root = geteuid() == 0;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	host = host_name();
	b.name = xasprintf("sfab-bundle-%s-%s", host, stamp);
	b.tmp = xasprintf("%s/sfabdiag-bundle.XXXXXX",
			  tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(b.tmp)) {
		fprintf(stderr, "sfabdiag bundle: cannot create a directory in %s: %s\n",
			tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
		free(host);
		free_bundle(&b);
		return SFAB_EXIT_INTERNAL;
	}
	b.top = xasprintf("%s/%s", b.tmp, b.name);
	if (mkdir(b.top, 0700)) {
		fprintf(stderr, "sfabdiag bundle: cannot create %s: %s\n",
			b.top, strerror(errno));
		remove_tree(b.tmp);
		free(host);
		free_bundle(&b);
		return SFAB_EXIT_INTERNAL;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (!ctx->json)
		fprintf(stderr, "collecting into %s\n", b.top);

	collect(&b);
	if (interrupted) {
		fputs("sfabdiag bundle: interrupted: no bundle written\n",
		      stderr);
		code = SFAB_EXIT_PROBLEMS;
	} else {
		write_manifest(&b, created, host);
		if (pack(&b, err, sizeof(err))) {
			out_line(stderr, "sfabdiag bundle: %s", err);
			out_line(stderr, "the files collected are kept in %s",
				 b.top);
			code = SFAB_EXIT_INTERNAL;
		} else {
			print_summary(ctx, &b);
			code = b.ndenied ? SFAB_EXIT_PRIVILEGE : SFAB_EXIT_OK;
		}
	}
	if (code != SFAB_EXIT_INTERNAL)
		remove_tree(b.tmp);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	free(host);
	free_bundle(&b);
	return code;
}

const struct sfab_cmd sfab_cmd_bundle = {
	.name = "bundle",
	.args = "-o FILE.tar.gz [--capture-seconds S]",
	.summary = "collect a support bundle (tar.gz); complete as root",
	.run = bundle_cmd,
};
