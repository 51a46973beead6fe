/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * sfabdiag: the sfab kit's field-diagnostics tool.
 *
 * One private header for the common layer (paths under SFABDIAG_ROOT,
 * memory, output as tables or rdma -j style JSON, the problem report) and
 * the collectors the subcommands share (versions, host facts, devices).
 * Each subcommand lives in its own cmd_*.c file and is listed once, in
 * the table in sfabdiag.c.
 */
#ifndef SFABDIAG_H
#define SFABDIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifndef SFAB_VERSION
#define SFAB_VERSION "unknown"
#endif

/* Where the kit's packages record their version, one file per component. */
#ifndef SFAB_VERSIONS_DIR
#define SFAB_VERSIONS_DIR "/usr/share/sfab/versions"
#endif

/* Debian multiarch triplet of the build, for the provider directory. */
#ifndef SFAB_MULTIARCH
#define SFAB_MULTIARCH ""
#endif

#define SFAB_PORT	1	/* sfab devices have one port */

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __noreturn	__attribute__((noreturn))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes: documented in sfabdiag(8); keep them stable. */
enum sfab_exit {
	SFAB_EXIT_OK = 0,		/* healthy / versions match */
	SFAB_EXIT_PROBLEMS = 1,		/* problems found / versions differ */
	SFAB_EXIT_USAGE = 2,		/* bad command line */
	SFAB_EXIT_NO_DEVICE = 3,	/* no sfab device */
	SFAB_EXIT_PRIVILEGE = 4,	/* a read was refused: needs root */
	SFAB_EXIT_INTERNAL = 5,		/* out of memory, output not written */
};

struct sfab_ctx {
	bool json;		/* --json: rdma -j style output */
};

/**
 * struct sfab_cmd - one subcommand
 * @name: what the user types
 * @args: synopsis of its arguments after the name ("" when none)
 * @summary: one line for sfabdiag --help
 * @run: parses its own arguments (argv[0] is @name); returns an exit code
 */
struct sfab_cmd {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(struct sfab_ctx *ctx, int argc, char **argv);
};

extern const struct sfab_cmd sfab_cmd_status;
extern const struct sfab_cmd sfab_cmd_version;

/* sfabdiag.c */
int cmd_parse_common(struct sfab_ctx *ctx, const struct sfab_cmd *cmd,
		     int argc, char **argv);
int finish_output(int code);

/* common.c: memory, and files resolved under SFABDIAG_ROOT */
void __noreturn die(const char *fmt, ...) __printf(1, 2);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __printf(1, 2);
char *xvasprintf(const char *fmt, va_list ap) __printf(1, 0);
void str_copy(char *dst, const char *src, size_t size);

const char *fs_root(void);
int fs_vformat(char *path, size_t size, const char *fmt, va_list ap)
	__printf(3, 0);
int fs_read(const char *path, char *buf, size_t size);
int fs_vreadf(char *path, size_t psize, char *buf, size_t size,
	      const char *fmt, va_list ap) __printf(5, 0);
int fs_readf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
bool fs_existsf(const char *fmt, ...) __printf(1, 2);
int fs_list(const char *path, char ***names);
void fs_list_free(char **names, int n);

/* output.c: JSON writer (rdma -j conventions) and aligned tables */
#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_int(struct json *j, const char *key, long long v);
void json_kv_bool(struct json *j, const char *key, bool v);
void json_finish(struct json *j);

struct table {
	size_t ncols;
	size_t nrows;
	char **cells;		/* nrows * ncols, sanitized for a terminal */
};

void table_init(struct table *t, size_t ncols);
void table_row(struct table *t, ...);
void table_print(const struct table *t, FILE *f, const char *indent);
void table_free(struct table *t);
void out_heading(FILE *f, const char *title);
char *text_sanitize(const char *s);
void out_printf(FILE *f, const char *fmt, ...) __printf(2, 3);

/* report.c: problems (they set the exit code) and notes (they do not) */
enum report_kind {
	REPORT_PROBLEM,
	REPORT_NOTE,
};

struct report_item {
	enum report_kind kind;
	const char *id;		/* lower_snake_case, stable for scripts */
	char *device;		/* the sfab device concerned, or NULL */
	char *message;		/* what is wrong, in plain words */
	char *hint;		/* what to do about it, or NULL */
};

struct report {
	struct report_item *items;
	size_t n;
	size_t nproblems;
	bool denied;		/* a read failed with EACCES or EPERM */
};

struct report_item *report_add(struct report *r, enum report_kind kind,
			       const char *id, const char *device,
			       const char *fmt, ...) __printf(5, 6);
void report_hint(struct report_item *item, const char *fmt, ...)
	__printf(2, 3);
void report_read_error(struct report *r, const char *device,
		       const char *path, int err);
int report_readf(struct report *r, const char *device, char *buf,
		 size_t size, const char *fmt, ...) __printf(5, 6);
void report_print(const struct report *r, FILE *f);
void report_json(const struct report *r, struct json *j);
void report_free(struct report *r);

/* versions.c: the kit version of each installed component */
enum ver_state {
	VER_REFERENCE,		/* the version the others are compared with */
	VER_MATCH,
	VER_MISMATCH,
	VER_ABSENT,		/* package not installed / module not loaded */
	VER_NONE,		/* module loaded but carries no version */
	VER_UNREADABLE,
};

struct component {
	const char *name;	/* sfabdiag, module, dkms, provider, diag */
	char source[128];	/* path read, or "compiled in" */
	char version[128];
	enum ver_state state;
	int err;		/* VER_UNREADABLE: the -errno */
};

#define NR_COMPONENTS	5

struct versions {
	struct component comp[NR_COMPONENTS];
	const char *reference;	/* NULL when no component has a version */
	bool match;		/* every component with a version agrees */
	bool denied;		/* a version file could not be read: EACCES */
};

void versions_collect(struct versions *v);
const char *component_state(const struct component *c, bool json);
void versions_table(const struct versions *v, FILE *f, const char *indent);
void versions_json(const struct versions *v, struct json *j);
char *versions_mismatch_text(const struct versions *v);
const char *versions_hint(const struct versions *v);

/* host.c: facts about the machine that are not per device */
enum module_state {
	MODULE_NOT_LOADED,
	MODULE_LOADED,
	MODULE_BUILTIN,
};

struct host {
	char kernel[128];	/* release, as uname -r */
	char machine[64];
	enum module_state module;
	char module_taint[32];	/* letters, "" when none */
	unsigned long long kernel_taint;
	bool kernel_taint_known;
	char netns_mode[16];	/* shared, exclusive, unknown */
	char *provider_driver;	/* /etc/libibverbs.d/sfab.driver, or NULL */
	char *provider_library;	/* libsfab-rdmav*.so found, or NULL */
	char *provider_dirs;	/* the directories searched, for messages */
};

void host_collect(struct host *h, struct report *r);
void host_free(struct host *h);
const char *taint_describe(char letter);
bool taint_is_fault(char letter);
char taint_bit_letter(unsigned int bit);

/* devices.c: sfab devices and their port */
struct gid {
	int index;
	char addr[48];		/* compressed IPv6 text */
	char type[24];		/* RoCE v2, IB/RoCE v1 */
};

struct device {
	char name[64];
	char node_guid[32];
	char netdev[64];	/* "" when unknown */
	bool netdev_here;	/* the netdev is in this network namespace */
	int state;		/* IB port state number, -1 when unknown */
	char state_name[24];
	int phys_state;		/* IB physical state number, -1 unknown */
	char phys_state_name[40];
	int netdev_mtu;		/* -1 when unknown */
	int active_mtu;		/* derived as sfab does, -1 when unknown */
	unsigned long netdev_flags;
	bool netdev_flags_known;
	int carrier;		/* 1, 0, -1 unknown */
	char **addrs;		/* "ADDR/PREFIX" of the netdev */
	int naddrs;
	struct gid *gids;	/* non-zero GIDs only */
	int ngids;
};

struct devices {
	struct device *dev;
	int n;
};

bool is_sfab_device(const char *name, struct report *r);
void devices_collect(struct devices *d, struct report *r);
void devices_free(struct devices *d);

#define IB_PORT_ACTIVE	4

#endif /* SFABDIAG_H */
