// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag inject: error injection on the packets an sfab device
 * receives (vendor builds of the module only), through
 * /sys/kernel/debug/sfab/DEV/inject.
 *
 * The file takes the whole configuration in one write: "off", or
 * key=value tokens among drop_ppm corrupt_ppm delay_ppm delay_ms qpn,
 * where a key left out is reset (qpn to -1, every QP). So the actions of
 * one call are combined into one write, and every key is written. Read,
 * it gives "key value" lines: the settings and the counts injected.
 *
 * Exit: 0 done, 1 not available here (debugfs not mounted, not a vendor
 * build, kernel lockdown) or refused by the kernel, 2 usage, 3 no such
 * sfab device, 4 not root.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sfabdiag.h"

#define DEBUGFS_DIR	"/sys/kernel/debug"
#define INJECT_FMT	DEBUGFS_DIR "/sfab/%s/inject"
#define PPM_MAX		1000000L
#define DELAY_MS_MAX	10000L

static const char inject_help[] =
	"usage: sfabdiag [--json] inject [-d DEV] [--qp QPN] ACTION...\n"
	"       sfabdiag [--json] inject [-d DEV] off | show\n"
	"\n"
	"Error injection on the packets an sfab device receives (vendor builds\n"
	"of the module only; root). Actions, combined in one call:\n"
	"  drop PCT            drop PCT percent of the received packets\n"
	"  corrupt PCT         corrupt PCT percent (the ICRC check drops them)\n"
	"  delay MS [PCT]      delay PCT percent (default 100) by MS milliseconds\n"
	"  off                 stop injecting\n"
	"  show                print the settings and the counts injected\n"
	"Percentages may have decimals (\"0.5\", \"12.5%\"), down to 0.0001 (1 ppm).\n"
	"Each call replaces the whole configuration: what it does not name is off.\n"
	"\n"
	"Options:\n"
	"  -d, --device DEV    the sfab device that receives; needed when there\n"
	"                      are several\n"
	"      --qp QPN        only packets to this destination QP (default: all)\n"
	"  -j, --json          print JSON\n"
	"  -h, --help          print this help and exit\n"
	"\n"
	"See sfabdiag-inject(8).\n";

enum inject_op {
	OP_NONE,
	OP_SET,
	OP_OFF,
	OP_SHOW,
};

struct inject_req {
	enum inject_op op;
	const char *device;
	long drop_ppm, corrupt_ppm, delay_ppm, delay_ms, qpn;
	bool drop, corrupt, delay;	/* given on the command line */
	bool qpn_given;
};

static int usage_error(const char *fmt, ...) __printf(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sfabdiag inject: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfabdiag inject --help'.\n", stderr);
	return SFAB_EXIT_USAGE;
}

/**
 * parse_percent - a percentage as parts per million, without rounding
 * @s: "5", "0.5", "12.5%", ".25"; 0 to 100, at most 4 decimals that
 *     are not zero
 * @ppm: receives the value in parts per million
 *
 * Return: true when @s is such a percentage.
 */
static bool parse_percent(const char *s, long *ppm)
{
	long whole = 0, frac = 0;
	int digits = 0, fdigits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		whole = whole * 10 + (*s - '0');
		if (whole > 100)
			return false;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			if (fdigits < 4) {
				frac = frac * 10 + (*s - '0');
				fdigits++;
			} else if (*s != '0') {
				return false;	/* finer than 1 ppm */
			}
		}
	}
	if (*s == '%')
		s++;
	if (*s || !digits)
		return false;
	for (; fdigits < 4; fdigits++)
		frac *= 10;
	*ppm = whole * 10000 + frac;
	return *ppm <= PPM_MAX;
}

static bool parse_long(const char *s, long min, long max, long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtol(s, &end, 10);
	return !errno && !*end && *v >= min && *v <= max;
}

static int parse_percent_arg(const char *action, const char *arg, long *ppm)
{
	if (!arg)
		return usage_error("%s needs a percentage", action);
	if (!parse_percent(arg, ppm))
		return usage_error("%s needs a percentage from 0 to 100 with at most 4 decimals (\"5\", \"0.5\", \"12.5%%\"), not '%s'",
				   action, arg);
	return -1;
}

static int parse_actions(struct inject_req *r, int argc, char **argv)
{
	const char *a;
	int i, code;

	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "show") || !strcmp(a, "off")) {
			if (argc != 1)
				return usage_error("'%s' goes alone", a);
			r->op = !strcmp(a, "show") ? OP_SHOW : OP_OFF;
			return -1;
		}
		r->op = OP_SET;
		if (!strcmp(a, "drop") || !strcmp(a, "corrupt")) {
			bool *given = a[0] == 'd' ? &r->drop : &r->corrupt;

			if (*given)
				return usage_error("'%s' is given twice", a);
			*given = true;
			code = parse_percent_arg(a, i + 1 < argc ?
						 argv[i + 1] : NULL,
						 a[0] == 'd' ? &r->drop_ppm :
						 &r->corrupt_ppm);
			if (code >= 0)
				return code;
			i++;
		} else if (!strcmp(a, "delay")) {
			if (r->delay)
				return usage_error("'delay' is given twice");
			r->delay = true;
			if (i + 1 >= argc ||
			    !parse_long(argv[i + 1], 1, DELAY_MS_MAX, &r->delay_ms))
				return usage_error("delay needs milliseconds from 1 to %ld%s%s%s",
						   DELAY_MS_MAX,
						   i + 1 < argc ? ", not '" : "",
						   i + 1 < argc ? argv[i + 1] : "",
						   i + 1 < argc ? "'" : "");
			i++;
			r->delay_ppm = PPM_MAX;
			if (i + 1 < argc && parse_percent(argv[i + 1],
							  &r->delay_ppm))
				i++;
		} else {
			return usage_error("unknown action '%s': drop, corrupt, delay, off or show",
					   a);
		}
	}
	return -1;
}

static int parse_args(struct sfab_ctx *ctx, struct inject_req *r, int argc,
		      char **argv)
{
	enum { OPT_QP = 256 };
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "qp", required_argument, NULL, OPT_QP },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	uint32_t qpn;
	int c, code;

	r->qpn = -1;
	optind = 0;
	opterr = 0;
	/* Options may follow the actions: "inject drop 5 -d sfab1". */
	while ((c = getopt_long(argc, argv, ":d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			r->device = optarg;
			break;
		case OPT_QP:
			if (!parse_qpn(optarg, &qpn))
				return usage_error("--qp needs a QP number (0 to 16777215, or 0x hexadecimal), not '%s'",
						   optarg);
			r->qpn = qpn;
			r->qpn_given = true;
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			fputs(inject_help, stdout);
			return finish_output(SFAB_EXIT_OK);
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			return bad_option("inject", argv, optind);
		}
	}
	if (optind >= argc)
		return usage_error("no action given: drop, corrupt, delay, off or show");
	code = parse_actions(r, argc - optind, argv + optind);
	if (code >= 0)
		return code;
	if (r->qpn_given && r->op != OP_SET)
		return usage_error("--qp goes with drop, corrupt or delay; '%s' applies to every QP",
				   r->op == OP_OFF ? "off" : "show");
	return -1;
}

/* "5", "0.5", "0.0001": a ppm value as a percentage, without a % sign. */
static void ppm_percent(char *buf, size_t size, long ppm)
{
	size_t len;

	snprintf(buf, size, "%ld.%04ld", ppm / 10000, ppm % 10000);
	len = strlen(buf);
	while (len && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '.')
		buf[--len] = '\0';
}

/* Whether debugfs is mounted at /sys/kernel/debug; where else, if not. */
static bool debugfs_mounted(char *elsewhere, size_t size)
{
	char *mounts, *line, *save = NULL, dev[256], dir[PATH_MAX], type[64];
	bool found = false;

	elsewhere[0] = '\0';
	if (fs_read_all("/proc/self/mounts", &mounts, NULL)) {
		/* No /proc: whether debugfs shows sfab's directory. */
		return fs_existsf(DEBUGFS_DIR "/sfab");
	}
	for (line = strtok_r(mounts, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) != 3 ||
		    strcmp(type, "debugfs"))
			continue;
		if (!strcmp(dir, DEBUGFS_DIR))
			found = true;
		else
			str_copy(elsewhere, dir, size);
	}
	free(mounts);
	return found;
}

/* "none [integrity] confidentiality" -> "integrity"; "" when none. */
static void lockdown_mode(char *mode, size_t size)
{
	char buf[128], *open, *close;

	mode[0] = '\0';
	if (fs_read("/sys/kernel/security/lockdown", buf, sizeof(buf)))
		return;
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close)
		return;
	*close = '\0';
	if (strcmp(open + 1, "none"))
		str_copy(mode, open + 1, size);
}

/*
 * Says in plain words why the inject file @path could not be read or
 * written (@err), and returns the exit code. Without the permission to
 * look into debugfs (mode 0700), a missing file shows as EACCES too.
 */
static int explain_failure(const char *path, int err, bool writing)
{
	char elsewhere[PATH_MAX], lockdown[32];

	if ((err == -EACCES || err == -EPERM) && geteuid() == 0) {
		lockdown_mode(lockdown, sizeof(lockdown));
		if (lockdown[0]) {
			fprintf(stderr, "sfabdiag inject: cannot %s %s: %s: the kernel is locked down (%s, often because of Secure Boot), and debugfs refuses its files then\n"
				"fix: error injection needs a kernel without lockdown: boot with Secure Boot off or lockdown=none, on a test machine\n",
				writing ? "write" : "read", path,
				strerror(-err), lockdown);
			return SFAB_EXIT_PROBLEMS;
		}
		fprintf(stderr, "sfabdiag inject: cannot %s %s: %s, even as root\n"
			"fix: a security policy (SELinux, AppArmor) may forbid debugfs: check the audit log (ausearch -m avc, journalctl -k)\n",
			writing ? "write" : "read", path, strerror(-err));
		return SFAB_EXIT_PROBLEMS;
	}
	if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "sfabdiag inject: cannot %s %s: %s\n"
			"fix: debugfs is root's: run sfabdiag inject as root, e.g. with sudo\n",
			writing ? "write" : "read", path, strerror(-err));
		return SFAB_EXIT_PRIVILEGE;
	}
	if (err != -ENOENT && err != -ENOTDIR) {
		fprintf(stderr, "sfabdiag inject: cannot %s %s: %s\n",
			writing ? "write" : "read", path, strerror(-err));
		return SFAB_EXIT_PROBLEMS;
	}
	if (!debugfs_mounted(elsewhere, sizeof(elsewhere))) {
		fprintf(stderr, "sfabdiag inject: debugfs is not mounted at " DEBUGFS_DIR "%s%s%s, so %s is not there\n"
			"fix: mount it: mount -t debugfs none " DEBUGFS_DIR "\n",
			elsewhere[0] ? " (it is mounted at " : "", elsewhere,
			elsewhere[0] ? ")" : "", path);
		return SFAB_EXIT_PROBLEMS;
	}
	out_line(stderr, "sfabdiag inject: there is no %s, although debugfs is mounted: this sfab module is not a vendor build with error injection (upstream and in-kernel builds have none)",
		 path);
	fputs("fix: install the kit's vendor build of sfab-dkms to inject errors; `sfabdiag version` shows which module is loaded\n",
	      stderr);
	return SFAB_EXIT_PROBLEMS;
}

struct inject_kv {
	char *key;
	char *value;
};

struct inject_state {
	struct inject_kv *kv;
	size_t n;
};

static void state_parse(struct inject_state *st, char *text)
{
	char *line, *save = NULL, *sp;

	memset(st, 0, sizeof(*st));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		sp = line + strcspn(line, " \t=");
		if (!*line || !*sp)
			continue;
		*sp++ = '\0';
		sp += strspn(sp, " \t=");
		sp[strcspn(sp, " \t\r")] = '\0';
		st->kv = xreallocarray(st->kv, st->n + 1, sizeof(*st->kv));
		st->kv[st->n].key = xstrdup(line);
		st->kv[st->n].value = xstrdup(sp);
		st->n++;
	}
}

static void state_free(struct inject_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->kv[i].key);
		free(st->kv[i].value);
	}
	free(st->kv);
}

/* The value of @key as a number; false when absent or not a number. */
static bool state_get(const struct inject_state *st, const char *key,
		      long long *v)
{
	char *end;
	size_t i;

	for (i = 0; i < st->n; i++) {
		if (strcmp(st->kv[i].key, key))
			continue;
		errno = 0;
		*v = strtoll(st->kv[i].value, &end, 10);
		return !errno && end != st->kv[i].value && !*end;
	}
	return false;
}

static const char *const known_keys[] = {
	"drop_ppm", "corrupt_ppm", "delay_ppm", "delay_ms", "qpn",
	"dropped", "corrupted", "delayed",
};

static bool is_known(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_keys); i++)
		if (!strcmp(known_keys[i], key))
			return true;
	return false;
}

static void json_kv_number(struct json *j, const struct inject_state *st,
			   const char *key)
{
	long long v;

	json_key(j, key);
	if (state_get(st, key, &v))
		json_int(j, v);
	else
		json_string(j, NULL);
}

static void show_json(const char *dev, const char *path,
		      const struct inject_state *st)
{
	long long v, drop = 0, corrupt = 0, delay = 0;
	struct json j;
	size_t i;

	state_get(st, "drop_ppm", &drop);
	state_get(st, "corrupt_ppm", &corrupt);
	state_get(st, "delay_ppm", &delay);
	json_init(&j, stdout);
	json_begin_array(&j);
	json_begin_object(&j);
	json_kv_string(&j, "ifname", dev);
	json_kv_string(&j, "file", path);
	json_kv_bool(&j, "active", drop || corrupt || delay);
	json_kv_number(&j, st, "drop_ppm");
	json_kv_number(&j, st, "corrupt_ppm");
	json_kv_number(&j, st, "delay_ppm");
	json_kv_number(&j, st, "delay_ms");
	json_key(&j, "qpn");
	if (state_get(st, "qpn", &v) && v >= 0)
		json_int(&j, v);
	else
		json_string(&j, NULL);
	json_kv_number(&j, st, "dropped");
	json_kv_number(&j, st, "corrupted");
	json_kv_number(&j, st, "delayed");
	for (i = 0; i < st->n; i++) {
		if (is_known(st->kv[i].key))
			continue;
		if (state_get(st, st->kv[i].key, &v))
			json_kv_int(&j, st->kv[i].key, v);
		else
			json_kv_string(&j, st->kv[i].key, st->kv[i].value);
	}
	json_end_object(&j);
	json_end_array(&j);
	json_finish(&j);
}

static void number_text(char *buf, size_t size, const struct inject_state *st,
			const char *key)
{
	long long v;

	if (state_get(st, key, &v))
		snprintf(buf, size, "%lld", v);
	else
		str_copy(buf, "?", size);
}

static void fraction_text(char *buf, size_t size,
			  const struct inject_state *st, const char *key)
{
	char pct[32];
	long long v;

	if (!state_get(st, key, &v) || v < 0 || v > PPM_MAX) {
		str_copy(buf, "?", size);
		return;
	}
	ppm_percent(pct, sizeof(pct), (long)v);
	snprintf(buf, size, "%s%% (%lld ppm)", pct, v);
}

static void show_text(const char *dev, const char *path,
		      const struct inject_state *st)
{
	char frac[3][48], count[3][24], delay[24];
	long long v, drop = 0, corrupt = 0, dly = 0;
	bool any_known = false;
	struct table t;
	size_t i;

	for (i = 0; i < st->n; i++)
		any_known |= is_known(st->kv[i].key);
	state_get(st, "drop_ppm", &drop);
	state_get(st, "corrupt_ppm", &corrupt);
	state_get(st, "delay_ppm", &dly);
	out_printf(stdout, "%s: error injection on received packets is %s", dev,
		   drop || corrupt || dly ? "ON" : "off");
	if (state_get(st, "qpn", &v) && v >= 0)
		printf(", for destination QP %lld only\n", v);
	else
		printf(", for every QP\n");
	out_line(stdout, "(%s)", path);
	putchar('\n');
	if (!any_known) {
		puts("  the file holds none of the settings this sfabdiag knows:");
	} else {
		fraction_text(frac[0], sizeof(frac[0]), st, "drop_ppm");
		fraction_text(frac[1], sizeof(frac[1]), st, "corrupt_ppm");
		fraction_text(frac[2], sizeof(frac[2]), st, "delay_ppm");
		number_text(count[0], sizeof(count[0]), st, "dropped");
		number_text(count[1], sizeof(count[1]), st, "corrupted");
		number_text(count[2], sizeof(count[2]), st, "delayed");
		number_text(delay, sizeof(delay), st, "delay_ms");
		table_init(&t, 4);
		table_row(&t, "ACTION", "FRACTION", "DELAY_MS", "INJECTED");
		table_row(&t, "drop", frac[0], NULL, count[0]);
		table_row(&t, "corrupt", frac[1], NULL, count[1]);
		table_row(&t, "delay", frac[2], delay, count[2]);
		table_print(&t, stdout, "  ");
		table_free(&t);
		puts("\n  INJECTED counts since the device was added.");
	}
	for (i = 0; i < st->n; i++)
		if (!is_known(st->kv[i].key))
			out_line(stdout, "  %s %s", st->kv[i].key,
				 st->kv[i].value);
}

static int do_show(struct sfab_ctx *ctx, const char *dev, const char *path)
{
	struct inject_state st;
	char *text;
	int err;

	err = fs_read_all(path, &text, NULL);
	if (err)
		return explain_failure(path, err, false);
	state_parse(&st, text);
	free(text);
	if (ctx->json)
		show_json(dev, path, &st);
	else
		show_text(dev, path, &st);
	state_free(&st);
	return SFAB_EXIT_OK;
}

static void describe_set(const struct inject_req *r, const char *dev)
{
	char pct[32];
	const char *sep = "";

	out_printf(stdout, "%s: error injection set:", dev);
	if (r->drop) {
		ppm_percent(pct, sizeof(pct), r->drop_ppm);
		printf(" drop %s%% (%ld ppm)", pct, r->drop_ppm);
		sep = ",";
	}
	if (r->corrupt) {
		ppm_percent(pct, sizeof(pct), r->corrupt_ppm);
		printf("%s corrupt %s%% (%ld ppm)", sep, pct, r->corrupt_ppm);
		sep = ",";
	}
	if (r->delay) {
		ppm_percent(pct, sizeof(pct), r->delay_ppm);
		printf("%s delay %s%% (%ld ppm) by %ld ms", sep, pct,
		       r->delay_ppm, r->delay_ms);
	}
	if (r->qpn >= 0)
		printf("; on packets to QP %ld only\n", r->qpn);
	else
		printf("; on every QP\n");
	printf("Everything else is off. `sfabdiag inject%s%s show` shows the counts.\n",
	       r->device ? " -d " : "", r->device ? r->device : "");
}

static void written_json(const struct inject_req *r, const char *dev,
			 const char *path, const char *line)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_array(&j);
	json_begin_object(&j);
	json_kv_string(&j, "ifname", dev);
	json_kv_string(&j, "file", path);
	json_kv_string(&j, "written", line);
	json_kv_bool(&j, "active", r->op == OP_SET &&
		     (r->drop_ppm || r->corrupt_ppm || r->delay_ppm));
	json_kv_int(&j, "drop_ppm", r->drop_ppm);
	json_kv_int(&j, "corrupt_ppm", r->corrupt_ppm);
	json_kv_int(&j, "delay_ppm", r->delay_ppm);
	json_kv_int(&j, "delay_ms", r->delay_ms);
	json_key(&j, "qpn");
	if (r->qpn >= 0)
		json_int(&j, r->qpn);
	else
		json_string(&j, NULL);
	json_end_object(&j);
	json_end_array(&j);
	json_finish(&j);
}

static int do_write(struct sfab_ctx *ctx, const struct inject_req *r,
		    const char *dev, const char *path)
{
	char line[160];
	int err;

	if (r->op == OP_OFF)
		str_copy(line, "off\n", sizeof(line));
	else
		snprintf(line, sizeof(line),
			 "drop_ppm=%ld corrupt_ppm=%ld delay_ppm=%ld delay_ms=%ld qpn=%ld\n",
			 r->drop_ppm, r->corrupt_ppm, r->delay_ppm,
			 r->delay_ms, r->qpn);
	err = fs_write(path, line);
	if (err == -EINVAL) {
		line[strcspn(line, "\n")] = '\0';
		fprintf(stderr, "sfabdiag inject: the kernel rejected \"%s\" (EINVAL): the module's inject file takes other keys or ranges than this sfabdiag knows\n"
			"fix: check that sfabdiag and the module come from the same kit release (`sfabdiag version`)\n",
			line);
		return SFAB_EXIT_PROBLEMS;
	}
	if (err)
		return explain_failure(path, err, true);
	line[strcspn(line, "\n")] = '\0';
	if (ctx->json)
		written_json(r, dev, path, line);
	else if (r->op == OP_OFF)
		out_line(stdout, "%s: error injection is off.", dev);
	else
		describe_set(r, dev);
	return SFAB_EXIT_OK;
}

static int inject_cmd(struct sfab_ctx *ctx, int argc, char **argv)
{
	struct inject_req r;
	struct devices devs;
	struct device *dev;
	char path[PATH_MAX];
	int code;

	memset(&r, 0, sizeof(r));
	code = parse_args(ctx, &r, argc, argv);
	if (code >= 0)
		return code;
	code = device_select("inject", r.device, &devs, &dev);
	if (code < 0) {
		snprintf(path, sizeof(path), INJECT_FMT, dev->name);
		if (r.op == OP_SHOW)
			code = do_show(ctx, dev->name, path);
		else
			code = do_write(ctx, &r, dev->name, path);
	}
	devices_free(&devs);
	return code;
}

const struct sfab_cmd sfab_cmd_inject = {
	.name = "inject",
	.args = "[-d DEV] [--qp QPN] {drop PCT | corrupt PCT | delay MS [PCT] | off | show}...",
	.summary = "drop, corrupt or delay received packets (vendor builds, root)",
	.run = inject_cmd,
};
