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
#include <stdint.h>
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
	SFAB_EXIT_NOT_FOUND = 6,	/* the QP named does not exist */
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
extern const struct sfab_cmd sfab_cmd_capture;
extern const struct sfab_cmd sfab_cmd_inject;
extern const struct sfab_cmd sfab_cmd_bundle;
extern const struct sfab_cmd sfab_cmd_counters;
extern const struct sfab_cmd sfab_cmd_qp;

/* sfabdiag.c */
int cmd_parse_common(struct sfab_ctx *ctx, const struct sfab_cmd *cmd,
		     int argc, char **argv);
int finish_output(int code);
int bad_option(const char *where, char **argv, int optind_now);

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
int fs_read_all(const char *path, char **buf, size_t *len);
int fs_write(const char *path, const char *s);

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
void json_uint(struct json *j, unsigned long long v);
void json_double(struct json *j, double v);
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
void table_row_array(struct table *t, char *const *cells);
void table_print(const struct table *t, FILE *f, const char *indent);
void table_free(struct table *t);
void out_heading(FILE *f, const char *title);
char *text_sanitize(const char *s);
void out_printf(FILE *f, const char *fmt, ...) __printf(2, 3);
void out_line(FILE *f, const char *fmt, ...) __printf(2, 3);

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

/* device_arg.c: the sfab device a command acts on (-d DEV) */
int device_select(const char *cmd, const char *name, struct devices *d,
		  struct device **dev);
bool parse_qpn(const char *s, uint32_t *qpn);

/* roce_frame.c: which captured frames are RoCEv2 (pure; tested alone) */
#define ROCE_V2_UDP_PORT	4791

struct roce_frame {
	int ip_version;		/* 4 or 6 */
	unsigned int vlan_tags;	/* VLAN tags before the IP header */
	uint16_t sport;		/* UDP source port */
	bool has_bth;		/* the BTH is within the captured bytes */
	uint8_t opcode;
	uint32_t dest_qp;	/* BTH destination QP, 24 bits */
	uint32_t psn;
};

struct sock_fprog;
bool roce_frame_parse(const void *frame, size_t len, struct roce_frame *rf);
bool roce_frame_match(const struct roce_frame *rf, const uint32_t *qpns,
		      size_t n);
void roce_frame_bpf(struct sock_fprog *prog);

/* pcapng.c: pcapng writer (libc only; tested alone) */
#define PCAPNG_SNAPLEN	262144	/* bytes kept of a frame at most */

enum pcapng_dir {
	PCAPNG_DIR_UNKNOWN = 0,
	PCAPNG_DIR_INBOUND = 1,
	PCAPNG_DIR_OUTBOUND = 2,
};

/* What the file says about its packets; any string may be NULL. */
struct pcapng_info {
	const char *hardware;	/* shb_hardware */
	const char *os;		/* shb_os */
	const char *appl;	/* shb_userappl */
	const char *comment;	/* opt_comment of the section */
	const char *ifname;	/* if_name */
	const char *ifdesc;	/* if_description */
	uint32_t snaplen;	/* 0: PCAPNG_SNAPLEN */
	bool nsec;		/* if_tsresol 9 (ns), else 6 (us) */
};

struct pcapng_writer {
	FILE *f;
	bool nsec;
	uint32_t snaplen;
	int err;		/* first write error, as errno */
};

int pcapng_begin(struct pcapng_writer *w, FILE *f,
		 const struct pcapng_info *info);
int pcapng_packet(struct pcapng_writer *w, uint64_t ts_ns, const void *data,
		  uint32_t caplen, uint32_t origlen, enum pcapng_dir dir);
int pcapng_stats(struct pcapng_writer *w, uint64_t start_ns, uint64_t end_ns,
		 uint64_t accepted, uint64_t dropped);

/* capture.c: sfab's packets on its netdevice, to a pcapng file */
#define CAPTURE_MAX_QPNS	16

struct capture_opts {
	const char *netdev;	/* where to capture */
	const char *device;	/* the sfab device, for the file's comment */
	const char *path;	/* the pcapng file */
	unsigned long long max_packets;	/* 0: no limit */
	unsigned long long duration_ms;	/* 0: no limit */
	uint32_t qpns[CAPTURE_MAX_QPNS];	/* BTH destination QPs kept */
	size_t nqpns;			/* 0: every QP */
};

enum capture_stop {
	CAPTURE_STOP_COUNT,	/* -c packets written */
	CAPTURE_STOP_TIME,	/* --duration elapsed */
	CAPTURE_STOP_SIGNAL,	/* SIGINT, SIGTERM or SIGHUP */
	CAPTURE_STOP_ERROR,	/* the socket failed: see error */
};

struct capture_result {
	unsigned long long packets;	/* written to the file */
	unsigned long long roce_seen;	/* RoCEv2 frames, before --qp */
	unsigned long long kernel_packets; /* passed the kernel's filter */
	unsigned long long kernel_drops;   /* dropped: the socket was full */
	bool bpf;			/* the kernel filter was attached */
	bool output_failed;		/* the file could not be written */
	enum capture_stop stop;
	int stop_signal;
	char error[256];	/* what failed, for CAPTURE_STOP_ERROR or -1 */
	double seconds;		/* how long it ran */
};

int capture_socket(void);
int capture_run(int fd, const struct capture_opts *o,
		struct capture_result *res);

/* qps.c: the sfab devices a command looks at, and their QPs (netlink) */
int sfab_device_names(const char *only, char ***names, struct report *r);

enum qp_value_kind {
	QPV_NONE,		/* a name without a value */
	QPV_STRING,
	QPV_U32,
	QPV_U64,
	QPV_S32,
	QPV_S64,
	QPV_BAD,		/* a value of the wrong size */
};

/* One driver attribute of a QP: a name, and a value of some kind. */
struct qp_driver_attr {
	char *name;
	enum qp_value_kind kind;
	bool hex;		/* the driver asks for hexadecimal */
	unsigned long long u;	/* QPV_U32, QPV_U64 */
	long long s;		/* QPV_S32, QPV_S64 */
	char *str;		/* QPV_STRING */
};

/* A core attribute of a QP that this sfabdiag does not know. */
struct qp_raw_attr {
	unsigned int type;
	unsigned char *data;
	size_t len;
};

/* A QP as the kernel describes it; numbers are -1 when it did not say. */
struct qp_info {
	char ifname[64];
	long long lqpn, rqpn, sq_psn, rq_psn, pdn, port, pid;
	int type, state, path_mig_state;
	char *kern_name;	/* the kernel module that owns it, or NULL */
	char *comm;		/* /proc/PID/comm of its process, or NULL */
	char *subtype;		/* a driver QP's subtype, or NULL */
	bool has_driver;	/* the kernel sent driver attributes */
	struct qp_driver_attr *drv;
	size_t ndrv;
	struct qp_raw_attr *raw;
	size_t nraw;
};

struct qp_list {
	struct qp_info *qp;
	size_t n;
	size_t skipped;		/* entries without a QP number */
};

enum qps_result {
	QPS_OK,
	QPS_FAILED,		/* an error, in the report */
	QPS_NO_NETLINK,		/* no RDMA netlink: ib_core is not loaded */
	QPS_DENIED,		/* the kernel refused: needs CAP_NET_ADMIN */
};

enum qps_result qps_collect(char **devs, int ndevs, struct qp_list *l,
			    struct report *r);
void qp_list_free(struct qp_list *l);
const struct qp_driver_attr *qp_driver_attr(const struct qp_info *qp,
					    const char *name);
const char *qp_type_name(int type, char *buf, size_t size);
const char *qp_state_name(int state, char *buf, size_t size);
const char *qp_path_mig_name(int mig, char *buf, size_t size);
char *qp_driver_text(const struct qp_driver_attr *d);
void qp_driver_json(struct json *j, const struct qp_driver_attr *d);
char *qp_owner_text(const struct qp_info *qp);
char *qp_raw_text(const struct qp_raw_attr *raw);

#endif /* SFABDIAG_H */
