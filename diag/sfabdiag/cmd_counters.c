// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag counters: the sfab driver's counters, per device from sysfs
 * (ports/1/hw_counters, as "rdma statistic show link" shows them) and,
 * with --qp, per QP from the RDMA netlink resource tracker (the u64
 * driver attributes of each QP).
 *
 * With -w SECS (or -n COUNT) it samples again every SECS seconds and
 * shows each counter's rate per second since the previous sample, until
 * COUNT samples or SIGINT/SIGTERM. SIGINT and SIGTERM are blocked while
 * a sample is taken and printed, and let in only while it waits, so a
 * sample is never cut in half.
 *
 * Exit: 0 done; 1 problems (no hw_counters, a counter that is not a
 * number, per-QP counters unreadable); 2 usage; 3 no sfab device; 4 a
 * counter file or the QP dump refused for want of privilege. A watch
 * ends with the worst code of its samples.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sfabdiag.h"

#define IB_SYSFS	"/sys/class/infiniband"
#define MAX_INTERVAL	86400.0
#define MIN_INTERVAL	0.1

/*
 * The order sfab defines its counters in, for display; the files are
 * read from the directory, and names a newer module adds follow these.
 */
static const char *const counter_order[] = {
	"sent_pkts", "rcvd_pkts", "sent_bytes", "rcvd_bytes", "retransmits",
	"retry_timeouts", "seq_naks_sent", "seq_naks_rcvd", "rnr_naks_sent",
	"rnr_naks_rcvd", "other_naks_sent", "other_naks_rcvd",
	"duplicate_requests", "out_of_sequence", "icrc_errors",
	"malformed_dropped", "unknown_qp_dropped", "rx_dropped", "tx_errors",
	"ud_no_recv_dropped",
};

struct counters_cmd {
	const char *device;	/* -d DEV, or NULL */
	bool qp;		/* --qp */
	bool watch;		/* -w or -n: rates and a line per sample */
	double interval;	/* seconds between samples */
	unsigned long count;	/* samples to take; 0: until a signal */
};

struct counter {
	char *name;
	unsigned long long value;
};

struct dev_sample {
	const char *name;
	bool read;		/* its hw_counters directory was read */
	struct counter *c;
	size_t n;
};

struct sample {
	unsigned long nr;		/* 1, 2, ... */
	struct timespec mono;
	struct timespec real;
	double interval;		/* seconds since the previous; NAN first */
	struct dev_sample *dev;
	int ndevs;
	bool qps_read;			/* --qp */
	enum qps_result qps_res;
	struct qp_list qps;
	struct report rep;
};

/* ---- options ---------------------------------------------------------- */

static void counters_usage(FILE *f)
{
	fputs("usage: sfabdiag [--json] counters [-d DEV] [-w SECS] [-n COUNT] [--qp]\n"
	      "\n"
	      "The sfab driver's counters: per device from sysfs (hw_counters), and\n"
	      "per QP from the kernel's RDMA netlink with --qp.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --device DEV   only this sfab device\n"
	      "  -w, --watch SECS   sample every SECS seconds (0.1 to 86400) and show\n"
	      "                     the rate per second of each counter\n"
	      "  -n, --count COUNT  stop after COUNT samples (with -w; alone: every\n"
	      "                     second); without it, -w runs until interrupted\n"
	      "      --qp           also the counters of each QP (complete as root)\n"
	      "  -j, --json         print JSON, as \"rdma -j\" does: a line per sample\n"
	      "  -h, --help         print this help and exit\n"
	      "\n"
	      "See sfabdiag-counters(8) for the output, the JSON keys and the exit\n"
	      "codes.\n", f);
}

static int usage_error(const char *fmt, ...) __printf(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sfabdiag counters: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfabdiag counters --help'.\n", stderr);
	return SFAB_EXIT_USAGE;
}

static bool parse_interval(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && isfinite(*v) &&
	       *v >= MIN_INTERVAL && *v <= MAX_INTERVAL;
}

static bool parse_count(const char *s, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v >= 1 && *v <= 1000000000UL;
}

/* Return: -1 to go on, or the exit code to leave with. */
static int counters_parse(struct sfab_ctx *ctx, struct counters_cmd *o,
			  int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'n' },
		{ "qp", no_argument, NULL, 'Q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool has_interval = false;
	int c;

	memset(o, 0, sizeof(o[0]));
	o->interval = 1.0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:w:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->device = optarg;
			break;
		case 'w':
			if (!parse_interval(optarg, &o->interval))
				return usage_error("-w wants seconds between %g and %g, not '%s'",
						   MIN_INTERVAL, MAX_INTERVAL,
						   optarg);
			has_interval = true;
			break;
		case 'n':
			if (!parse_count(optarg, &o->count))
				return usage_error("-n wants a count of samples, 1 or more, not '%s'",
						   optarg);
			break;
		case 'Q':
			o->qp = true;
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			counters_usage(stdout);
			return finish_output(SFAB_EXIT_OK);
		default:
			if (optopt == 'd' || optopt == 'w' || optopt == 'n')
				return usage_error("option -%c needs a value",
						   optopt);
			return bad_option("counters", argv, optind);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	o->watch = has_interval || o->count;
	if (!o->watch)
		o->count = 1;
	return -1;
}

/* ---- collecting ------------------------------------------------------- */

static size_t order_of(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counter_order); i++)
		if (!strcmp(counter_order[i], name))
			return i;
	return ARRAY_SIZE(counter_order);
}

/* sfab's order first, then the others as the directory sorted them. */
static int cmp_counter(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;
	size_t ox = order_of(x->name), oy = order_of(y->name);

	if (ox != oy)
		return ox < oy ? -1 : 1;
	return strverscmp(x->name, y->name);
}

static bool parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

static void read_device(struct dev_sample *ds, struct report *r)
{
	struct report_item *item;
	char path[PATH_MAX], buf[64];
	unsigned long long v;
	char **names;
	int i, n;

	snprintf(path, sizeof(path), IB_SYSFS "/%s/ports/%d/hw_counters",
		 ds->name, SFAB_PORT);
	n = fs_list(path, &names);
	if (n == -ENOENT) {
		item = report_add(r, REPORT_PROBLEM, "no_counters", ds->name,
				  "%s does not exist: the loaded sfab module exports no counters (older than the kit's), or the device was deleted",
				  path);
		report_hint(item, "install the kit's sfab-dkms of this release and reload the module (modprobe -r sfab && modprobe sfab); `rdma statistic show link %s/%d` shows what the kernel has",
			    ds->name, SFAB_PORT);
		return;
	}
	if (n < 0) {
		report_read_error(r, ds->name, path, n);
		return;
	}
	ds->c = xcalloc(n, sizeof(*ds->c));
	for (i = 0; i < n; i++) {
		/* ib_core's setting of how long values are cached, in ms */
		if (!strcmp(names[i], "lifespan"))
			continue;
		if (report_readf(r, ds->name, buf, sizeof(buf), "%s/%s", path,
				 names[i]))
			continue;	/* recorded, or gone meanwhile */
		if (!parse_u64(buf, &v)) {
			item = report_add(r, REPORT_PROBLEM, "bad_counter",
					  ds->name,
					  "counter %s reads '%s', not a number",
					  names[i], buf);
			report_hint(item, "send this output, `rdma statistic show link %s/%d` and dmesg to support",
				    ds->name, SFAB_PORT);
			continue;
		}
		ds->c[ds->n].name = xstrdup(names[i]);
		ds->c[ds->n++].value = v;
	}
	fs_list_free(names, n);
	qsort(ds->c, ds->n, sizeof(*ds->c), cmp_counter);
	ds->read = true;
}

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void take_sample(struct sample *s, const struct sample *prev,
			char **devs, int ndevs, const struct counters_cmd *o)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->nr = prev ? prev->nr + 1 : 1;
	clock_gettime(CLOCK_MONOTONIC, &s->mono);
	clock_gettime(CLOCK_REALTIME, &s->real);
	s->interval = prev ? seconds_between(&prev->mono, &s->mono) : NAN;
	s->ndevs = ndevs;
	s->dev = xcalloc(ndevs, sizeof(*s->dev));
	for (i = 0; i < ndevs; i++) {
		s->dev[i].name = devs[i];
		read_device(&s->dev[i], &s->rep);
	}
	if (o->qp) {
		s->qps_read = true;
		s->qps_res = qps_collect(devs, ndevs, &s->qps, &s->rep);
	}
}

static void free_sample(struct sample *s)
{
	int i;
	size_t k;

	for (i = 0; i < s->ndevs; i++) {
		for (k = 0; k < s->dev[i].n; k++)
			free(s->dev[i].c[k].name);
		free(s->dev[i].c);
	}
	free(s->dev);
	qp_list_free(&s->qps);
	report_free(&s->rep);
	memset(s, 0, sizeof(*s));
}

static int sample_code(const struct sample *s)
{
	if (s->rep.denied)
		return SFAB_EXIT_PRIVILEGE;
	return s->rep.nproblems ? SFAB_EXIT_PROBLEMS : SFAB_EXIT_OK;
}

/* The worse of two exit codes: 4, then 3, then 1, then 0. */
static int worse_code(int a, int b)
{
	static const int rank[] = { 0, 1, 0, 2, 3 };

	if (a < 0 || a >= (int)ARRAY_SIZE(rank))
		return a;
	if (b < 0 || b >= (int)ARRAY_SIZE(rank))
		return b;
	return rank[b] > rank[a] ? b : a;
}

/* ---- rates ------------------------------------------------------------ */

/* Per second since the previous sample; NAN when there is none, or the
 * counter went back (the device or the QP was made anew). */
static double rate(bool had, unsigned long long before,
		   unsigned long long now, double interval)
{
	if (!had || now < before || !(interval > 0))
		return NAN;
	return (double)(now - before) / interval;
}

static double dev_rate(const struct sample *prev, int d,
		       const struct counter *c, double interval)
{
	const struct dev_sample *pd;
	size_t k;

	if (!prev || d >= prev->ndevs)
		return NAN;
	pd = &prev->dev[d];
	for (k = 0; k < pd->n; k++)
		if (!strcmp(pd->c[k].name, c->name))
			return rate(true, pd->c[k].value, c->value, interval);
	return NAN;
}

static const struct qp_info *find_qp(const struct sample *s,
				     const struct qp_info *qp)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->qps.n; i++)
		if (s->qps.qp[i].lqpn == qp->lqpn &&
		    !strcmp(s->qps.qp[i].ifname, qp->ifname))
			return &s->qps.qp[i];
	return NULL;
}

/* Per-QP counters are the QP's u64 driver attributes. */
static bool is_qp_counter(const struct qp_driver_attr *d)
{
	return d->kind == QPV_U64 && d->name[0];
}

static double qp_rate(const struct qp_info *prev_qp,
		      const struct qp_driver_attr *d, double interval)
{
	const struct qp_driver_attr *p;

	if (!prev_qp)
		return NAN;
	p = qp_driver_attr(prev_qp, d->name);
	if (!p || p->kind != QPV_U64)
		return NAN;
	return rate(true, p->u, d->u, interval);
}

/* ---- text ------------------------------------------------------------- */

static char *rate_text(double r)
{
	return isnan(r) ? NULL : xasprintf("%.1f", r);
}

static void sample_line(const struct sample *s, bool tty)
{
	char when[64];
	struct tm tm;

	if (tty)
		fputs("\033[H\033[2J", stdout);	/* home, clear the screen */
	else if (s->nr > 1)
		putchar('\n');
	localtime_r(&s->real.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
	if (isnan(s->interval))
		printf("Sample %lu at %s\n", s->nr, when);
	else
		printf("Sample %lu at %s, %.2f s after the previous\n", s->nr,
		       when, s->interval);
}

/* A block's title, after a blank line unless it is the first. */
static void block_title(bool *first, const char *what, const char *dev)
{
	if (!*first)
		putchar('\n');
	*first = false;
	if (what)
		out_line(stdout, "%s %s", what, dev);
	else
		out_line(stdout, "%s port %d", dev, SFAB_PORT);
}

static void device_human(const struct sample *s, const struct sample *prev,
			 int d, bool watch, bool *first)
{
	const struct dev_sample *ds = &s->dev[d];
	char *value, *r;
	struct table t;
	size_t k;

	block_title(first, NULL, ds->name);
	if (!ds->read) {
		puts("  not read: see the problems below");
		return;
	}
	if (!ds->n) {
		puts("  no counter");
		return;
	}
	table_init(&t, watch ? 3 : 2);
	table_row(&t, "COUNTER", "VALUE", "RATE/S");
	for (k = 0; k < ds->n; k++) {
		value = xasprintf("%llu", ds->c[k].value);
		r = rate_text(dev_rate(prev, d, &ds->c[k], s->interval));
		table_row(&t, ds->c[k].name, value, r);
		free(value);
		free(r);
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
}

/* The names of the per-QP counters of a device's QPs, first seen first. */
static size_t qp_counter_names(const struct qp_list *l, const char *dev,
			       const char ***names)
{
	const struct qp_info *qp;
	size_t i, k, m, n = 0;

	*names = NULL;
	for (i = 0; i < l->n; i++) {
		qp = &l->qp[i];
		if (strcmp(qp->ifname, dev))
			continue;
		for (k = 0; k < qp->ndrv; k++) {
			if (!is_qp_counter(&qp->drv[k]))
				continue;
			for (m = 0; m < n; m++)
				if (!strcmp((*names)[m], qp->drv[k].name))
					break;
			if (m < n)
				continue;
			*names = xreallocarray(*names, n + 1, sizeof(**names));
			(*names)[n++] = qp->drv[k].name;
		}
	}
	return n;
}

static char *upper(const char *s)
{
	char *u = xstrdup(s), *p;

	for (p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	return u;
}

static void qps_human(const struct sample *s, const struct sample *prev,
		      const char *dev, bool watch, bool *first)
{
	const struct qp_driver_attr *d;
	const struct qp_info *qp;
	char tbuf[24], sbuf[24];
	const char **names;
	char **cells;
	size_t i, k, n, rows = 0;
	struct table t;
	double r;

	block_title(first, "QPs of", dev);
	n = qp_counter_names(&s->qps, dev, &names);
	table_init(&t, n + 3);
	cells = xcalloc(n + 3, sizeof(*cells));
	cells[0] = xstrdup("QPN");
	cells[1] = xstrdup("TYPE");
	cells[2] = xstrdup("STATE");
	for (k = 0; k < n; k++)
		cells[k + 3] = upper(names[k]);
	table_row_array(&t, cells);
	for (k = 0; k < n + 3; k++)
		free(cells[k]);
	for (i = 0; i < s->qps.n; i++) {
		qp = &s->qps.qp[i];
		if (strcmp(qp->ifname, dev))
			continue;
		rows++;
		cells[0] = xasprintf("%lld", qp->lqpn);
		cells[1] = xstrdup(qp_type_name(qp->type, tbuf, sizeof(tbuf)) ?: "");
		cells[2] = xstrdup(qp_state_name(qp->state, sbuf, sizeof(sbuf)) ?: "");
		for (k = 0; k < n; k++) {
			d = qp_driver_attr(qp, names[k]);
			cells[k + 3] = NULL;
			if (!d || !is_qp_counter(d))
				continue;
			r = qp_rate(find_qp(prev, qp), d, s->interval);
			if (watch && !isnan(r))
				cells[k + 3] = xasprintf("%llu (%.1f/s)", d->u, r);
			else
				cells[k + 3] = xasprintf("%llu", d->u);
		}
		table_row_array(&t, cells);
		for (k = 0; k < n + 3; k++)
			free(cells[k]);
	}
	if (rows)
		table_print(&t, stdout, "  ");
	else if (s->qps_res == QPS_OK)
		puts("  no QP");
	else
		puts("  not read: see the problems below");
	table_free(&t);
	free(cells);
	free(names);
}

static void print_human(const struct sample *s, const struct sample *prev,
			const struct counters_cmd *o, bool tty)
{
	bool first = !o->watch;
	int d;

	if (o->watch)
		sample_line(s, tty);
	for (d = 0; d < s->ndevs; d++) {
		device_human(s, prev, d, o->watch, &first);
		if (s->qps_read)
			qps_human(s, prev, s->dev[d].name, o->watch, &first);
	}
	if (s->rep.n) {
		putchar('\n');
		report_print(&s->rep, stdout);
	}
}

/* ---- JSON ------------------------------------------------------------- */

static void json_time(struct json *j, const struct timespec *ts)
{
	char buf[64];
	size_t n;
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%03ldZ", ts->tv_nsec / 1000000);
	json_string(j, buf);
}

static void json_rate(struct json *j, const char *key, double r)
{
	json_key(j, key);
	if (isnan(r))
		json_string(j, NULL);
	else
		json_double(j, r);
}

static void device_json(struct json *j, const struct sample *s,
			const struct sample *prev, int d)
{
	const struct dev_sample *ds = &s->dev[d];
	size_t k;

	json_begin_object(j);
	json_kv_string(j, "entry", "device");
	json_kv_string(j, "ifname", ds->name);
	json_kv_int(j, "port", SFAB_PORT);
	json_key(j, "counters");
	if (ds->read) {
		json_begin_object(j);
		for (k = 0; k < ds->n; k++) {
			json_key(j, ds->c[k].name);
			json_uint(j, ds->c[k].value);
		}
		json_end_object(j);
	} else {
		json_string(j, NULL);
	}
	json_key(j, "rates");
	if (ds->read && prev) {
		json_begin_object(j);
		for (k = 0; k < ds->n; k++)
			json_rate(j, ds->c[k].name,
				  dev_rate(prev, d, &ds->c[k], s->interval));
		json_end_object(j);
	} else {
		json_string(j, NULL);
	}
	json_end_object(j);
}

static void qp_json(struct json *j, const struct sample *s,
		    const struct sample *prev, const struct qp_info *qp)
{
	const struct qp_info *prev_qp = find_qp(prev, qp);
	char buf[24];
	size_t k;

	json_begin_object(j);
	json_kv_string(j, "entry", "qp");
	json_kv_string(j, "ifname", qp->ifname);
	json_kv_int(j, "lqpn", qp->lqpn);
	json_kv_string(j, "type", qp_type_name(qp->type, buf, sizeof(buf)));
	json_kv_string(j, "state", qp_state_name(qp->state, buf, sizeof(buf)));
	json_key(j, "counters");
	json_begin_object(j);
	for (k = 0; k < qp->ndrv; k++) {
		if (!is_qp_counter(&qp->drv[k]))
			continue;
		json_key(j, qp->drv[k].name);
		json_uint(j, qp->drv[k].u);
	}
	json_end_object(j);
	json_key(j, "rates");
	if (prev) {
		json_begin_object(j);
		for (k = 0; k < qp->ndrv; k++)
			if (is_qp_counter(&qp->drv[k]))
				json_rate(j, qp->drv[k].name,
					  qp_rate(prev_qp, &qp->drv[k],
						  s->interval));
		json_end_object(j);
	} else {
		json_string(j, NULL);
	}
	json_end_object(j);
}

static void print_json(const struct sample *s, const struct sample *prev)
{
	struct json j;
	size_t i;
	int d;

	json_init(&j, stdout);
	json_begin_array(&j);
	json_begin_object(&j);
	json_kv_string(&j, "entry", "sample");
	json_kv_int(&j, "sample", (long long)s->nr);
	json_key(&j, "time");
	json_time(&j, &s->real);
	json_rate(&j, "interval", s->interval);
	json_end_object(&j);
	for (d = 0; d < s->ndevs; d++)
		device_json(&j, s, prev, d);
	for (i = 0; i < s->qps.n; i++)
		qp_json(&j, s, prev, &s->qps.qp[i]);
	report_json(&s->rep, &j);
	json_end_array(&j);
	json_finish(&j);
}

/* ---- the loop --------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

/*
 * Waits until @deadline (CLOCK_MONOTONIC) with SIGINT and SIGTERM let in
 * (@waitmask); returns early when one arrived.
 */
static void wait_until(const struct timespec *deadline,
		       const sigset_t *waitmask)
{
	struct timespec now, left;
	double d;

	while (!stop_signal) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		d = seconds_between(&now, deadline);
		if (d <= 0)
			return;
		left.tv_sec = (time_t)d;
		left.tv_nsec = (long)((d - (double)left.tv_sec) * 1e9);
		if (left.tv_nsec >= 1000000000L)
			left.tv_nsec = 999999999L;
		ppoll(NULL, 0, &left, waitmask);
	}
}

static void advance(struct timespec *deadline, double interval)
{
	struct timespec now;
	long long ns;

	ns = deadline->tv_nsec + (long long)((interval - (long long)interval) *
					     1e9);
	deadline->tv_sec += (time_t)interval + (time_t)(ns / 1000000000LL);
	deadline->tv_nsec = (long)(ns % 1000000000LL);
	/* A sample that took longer than the interval: no catching up. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_between(deadline, &now) > interval)
		*deadline = now;
}

static int run_samples(const struct sfab_ctx *ctx,
		       const struct counters_cmd *o, char **devs, int ndevs)
{
	struct sample cur, prev;
	struct sigaction sa, old_int, old_term;
	sigset_t block, oldmask, waitmask;
	struct timespec deadline;
	bool tty = !ctx->json && isatty(STDOUT_FILENO);
	bool have_prev = false;
	int code = SFAB_EXIT_OK;

	memset(&prev, 0, sizeof(prev));
	memset(&old_int, 0, sizeof(old_int));
	memset(&old_term, 0, sizeof(old_term));
	sigemptyset(&oldmask);
	sigemptyset(&waitmask);
	if (o->watch) {
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigprocmask(SIG_BLOCK, &block, &oldmask);
		waitmask = oldmask;
		sigdelset(&waitmask, SIGINT);
		sigdelset(&waitmask, SIGTERM);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (;;) {
		take_sample(&cur, have_prev ? &prev : NULL, devs, ndevs, o);
		if (ctx->json)
			print_json(&cur, have_prev ? &prev : NULL);
		else
			print_human(&cur, have_prev ? &prev : NULL, o, tty);
		code = worse_code(code, sample_code(&cur));
		if (have_prev)
			free_sample(&prev);
		prev = cur;
		have_prev = true;
		if (finish_output(SFAB_EXIT_OK) != SFAB_EXIT_OK) {
			code = SFAB_EXIT_INTERNAL;
			break;
		}
		if ((o->count && cur.nr >= o->count) || stop_signal)
			break;
		advance(&deadline, o->interval);
		wait_until(&deadline, &waitmask);
		if (stop_signal)
			break;
	}
	if (have_prev)
		free_sample(&prev);
	if (o->watch) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	}
	return code;
}

static int counters_run(struct sfab_ctx *ctx, int argc, char **argv)
{
	struct report r = { .n = 0 };
	struct counters_cmd o;
	struct json j;
	char **devs;
	int code, ndevs;

	code = counters_parse(ctx, &o, argc, argv);
	if (code >= 0)
		return code;

	ndevs = sfab_device_names(o.device, &devs, &r);
	if (!ndevs) {
		code = r.denied ? SFAB_EXIT_PRIVILEGE : SFAB_EXIT_NO_DEVICE;
		if (ctx->json) {
			json_init(&j, stdout);
			json_begin_array(&j);
			report_json(&r, &j);
			json_end_array(&j);
			json_finish(&j);
		} else {
			report_print(&r, stdout);
		}
	} else {
		code = run_samples(ctx, &o, devs, ndevs);
	}
	fs_list_free(devs, ndevs);
	report_free(&r);
	return code;
}

const struct sfab_cmd sfab_cmd_counters = {
	.name = "counters",
	.args = "[-d DEV] [-w SECS] [-n COUNT] [--qp]",
	.summary = "show the sfab counters, per device and per QP, once or every SECS seconds",
	.run = counters_run,
};
