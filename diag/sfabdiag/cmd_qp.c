// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag qp: the QPs of the sfab devices, from the kernel's RDMA
 * netlink resource tracker: "list", one row per QP with its transport
 * state; "show QPN", every attribute of one QP, core and driver.
 *
 * Exit: 0 done; 1 the QPs could not be read (no RDMA netlink, a netlink
 * error); 2 usage, or a QPN on several devices without -d; 3 no sfab
 * device; 4 the kernel or sysfs refused for want of privilege; 6 no QP
 * of that number.
 */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

struct qp_cmd {
	const char *device;	/* -d DEV, or NULL */
	bool show;
	uint32_t qpn;		/* show: the QP */
};

static void qp_usage(FILE *f)
{
	fputs("usage: sfabdiag [--json] qp [list] [-d DEV]\n"
	      "       sfabdiag [--json] qp show QPN [-d DEV]\n"
	      "\n"
	      "The QPs of the sfab devices, from the kernel's RDMA netlink: \"list\"\n"
	      "(the default) shows one row per QP with its state, PSNs, outstanding\n"
	      "work, retransmits, peer and owner; \"show QPN\" every attribute of one\n"
	      "QP, core and driver.\n"
	      "\n"
	      "Options:\n"
	      "  -d, --device DEV  only this sfab device (needed by show when the QPN\n"
	      "                    exists on several)\n"
	      "  -j, --json        print JSON, as \"rdma -j\" does\n"
	      "  -h, --help        print this help and exit\n"
	      "\n"
	      "QPN is decimal, or hexadecimal after 0x. The kernel may refuse or\n"
	      "filter the dump for a user without CAP_NET_ADMIN: run as root to see\n"
	      "every QP. See sfabdiag-qp(8) for the columns, the JSON keys and the\n"
	      "exit codes.\n", f);
}

static int usage_error(const char *fmt, ...) __printf(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sfabdiag qp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sfabdiag qp --help'.\n", stderr);
	return SFAB_EXIT_USAGE;
}

/* Return: -1 to go on, or the exit code to leave with. */
static int qp_parse(struct sfab_ctx *ctx, struct qp_cmd *q, int argc,
		    char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, nargs;

	memset(q, 0, sizeof(*q));
	optind = 0;
	opterr = 0;
	/* Options may come before or after "list" / "show QPN". */
	while ((c = getopt_long(argc, argv, "d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			q->device = optarg;
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			qp_usage(stdout);
			return finish_output(SFAB_EXIT_OK);
		default:
			if (optopt == 'd')
				return usage_error("option -d needs a device name");
			return bad_option("qp", argv, optind);
		}
	}
	nargs = argc - optind;
	if (!nargs || !strcmp(argv[optind], "list")) {
		if (nargs > 1)
			return usage_error("unexpected argument '%s'",
					   argv[optind + 1]);
		return -1;
	}
	if (strcmp(argv[optind], "show"))
		return usage_error("unknown action '%s': list or show QPN",
				   argv[optind]);
	if (nargs < 2)
		return usage_error("show needs a QP number");
	if (!parse_qpn(argv[optind + 1], &q->qpn))
		return usage_error("'%s' is not a QP number (decimal or 0x hexadecimal, below 2^24)",
				   argv[optind + 1]);
	if (nargs > 2)
		return usage_error("unexpected argument '%s'",
				   argv[optind + 2]);
	q->show = true;
	return -1;
}

/* ---- text ------------------------------------------------------------- */

static char *num_text(long long v)
{
	return v < 0 ? NULL : xasprintf("%lld", v);
}

static char *drv_text(const struct qp_info *qp, const char *name)
{
	const struct qp_driver_attr *d = qp_driver_attr(qp, name);

	return d ? qp_driver_text(d) : NULL;
}

static void list_human(const struct qp_list *l, bool complete)
{
	static const char *const drv[] = {
		"una_psn", "sq_posted", "rq_posted", "rd_atomic",
		"retransmits", "dgid",
	};
	char tbuf[24], sbuf[24], *cell[14];
	const struct qp_info *qp;
	struct table t;
	size_t i, k;

	if (!l->n) {
		puts(complete ? "no QP" :
		     "no QP could be read: see the problems below");
		return;
	}
	table_init(&t, 14);
	table_row(&t, "DEVICE", "QPN", "TYPE", "STATE", "SQ_PSN", "RQ_PSN",
		  "UNA_PSN", "SQ_POSTED", "RQ_POSTED", "RD_ATOMIC",
		  "RETRANSMITS", "PEER_GID", "PEER_QPN", "OWNER");
	for (i = 0; i < l->n; i++) {
		qp = &l->qp[i];
		cell[0] = num_text(qp->lqpn);
		cell[1] = num_text(qp->sq_psn);
		cell[2] = num_text(qp->rq_psn);
		for (k = 0; k < ARRAY_SIZE(drv); k++)
			cell[3 + k] = drv_text(qp, drv[k]);
		cell[9] = num_text(qp->rqpn);
		cell[10] = qp_owner_text(qp);
		table_row(&t, qp->ifname, cell[0],
			  qp_type_name(qp->type, tbuf, sizeof(tbuf)),
			  qp_state_name(qp->state, sbuf, sizeof(sbuf)),
			  cell[1], cell[2], cell[3], cell[4], cell[5], cell[6],
			  cell[7], cell[8], cell[9], cell[10]);
		for (k = 0; k <= 10; k++)
			free(cell[k]);
	}
	table_print(&t, stdout, "");
	table_free(&t);
}

static void row_num(struct table *t, const char *key, long long v)
{
	char *s = num_text(v);

	table_row(t, key, s);
	free(s);
}

static void show_human(const struct qp_info *qp)
{
	char buf[24], *title, *s;
	struct table t;
	size_t i;

	title = xasprintf("QP %lld of %s", qp->lqpn, qp->ifname);
	out_heading(stdout, title);
	free(title);
	table_init(&t, 2);
	table_row(&t, "ifname", qp->ifname);
	row_num(&t, "port", qp->port);
	row_num(&t, "lqpn", qp->lqpn);
	row_num(&t, "rqpn", qp->rqpn);
	table_row(&t, "type", qp_type_name(qp->type, buf, sizeof(buf)));
	table_row(&t, "state", qp_state_name(qp->state, buf, sizeof(buf)));
	row_num(&t, "sq_psn", qp->sq_psn);
	row_num(&t, "rq_psn", qp->rq_psn);
	table_row(&t, "path_mig_state",
		  qp_path_mig_name(qp->path_mig_state, buf, sizeof(buf)));
	row_num(&t, "pdn", qp->pdn);
	row_num(&t, "pid", qp->pid);
	table_row(&t, "comm", qp->comm);
	table_row(&t, "kern_name", qp->kern_name);
	if (qp->subtype)
		table_row(&t, "subtype", qp->subtype);
	for (i = 0; i < qp->nraw; i++) {
		title = xasprintf("attr_%u", qp->raw[i].type);
		s = qp_raw_text(&qp->raw[i]);
		table_row(&t, title, s);
		free(title);
		free(s);
	}
	table_print(&t, stdout, "  ");
	table_free(&t);

	out_heading(stdout, "Driver attributes");
	if (!qp->ndrv) {
		puts(qp->has_driver ? "  none" :
		     "  none: the kernel sent no driver attributes");
		return;
	}
	table_init(&t, 2);
	for (i = 0; i < qp->ndrv; i++) {
		s = qp_driver_text(&qp->drv[i]);
		table_row(&t, qp->drv[i].name[0] ? qp->drv[i].name : "(unnamed)",
			  s);
		free(s);
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
}

/* ---- JSON ------------------------------------------------------------- */

static void json_kv_num(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	if (v < 0)
		json_string(j, NULL);
	else
		json_int(j, v);
}

/* Every attribute of a QP: the same object for list and show. */
static void qp_json(struct json *j, const struct qp_info *qp)
{
	char buf[24], *key, *s;
	size_t i;

	json_begin_object(j);
	json_kv_string(j, "entry", "qp");
	json_kv_string(j, "ifname", qp->ifname);
	json_kv_num(j, "port", qp->port);
	json_kv_num(j, "lqpn", qp->lqpn);
	json_kv_num(j, "rqpn", qp->rqpn);
	json_kv_string(j, "type", qp_type_name(qp->type, buf, sizeof(buf)));
	json_kv_string(j, "state", qp_state_name(qp->state, buf, sizeof(buf)));
	json_kv_num(j, "sq_psn", qp->sq_psn);
	json_kv_num(j, "rq_psn", qp->rq_psn);
	json_kv_string(j, "path_mig_state",
		       qp_path_mig_name(qp->path_mig_state, buf, sizeof(buf)));
	json_kv_num(j, "pdn", qp->pdn);
	json_kv_num(j, "pid", qp->pid);
	json_kv_string(j, "comm", qp->comm);
	json_kv_string(j, "kern_name", qp->kern_name);
	json_kv_string(j, "subtype", qp->subtype);
	for (i = 0; i < qp->nraw; i++) {
		key = xasprintf("attr_%u", qp->raw[i].type);
		s = qp_raw_text(&qp->raw[i]);
		json_kv_string(j, key, s);
		free(key);
		free(s);
	}
	json_key(j, "driver");
	if (qp->has_driver) {
		json_begin_object(j);
		for (i = 0; i < qp->ndrv; i++) {
			json_key(j, qp->drv[i].name);
			qp_driver_json(j, &qp->drv[i]);
		}
		json_end_object(j);
	} else {
		json_string(j, NULL);
	}
	json_end_object(j);
}

static void print_json(const struct qp_info *const *qps, size_t n,
		       const struct report *r)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_begin_array(&j);
	for (i = 0; i < n; i++)
		qp_json(&j, qps[i]);
	report_json(r, &j);
	json_end_array(&j);
	json_finish(&j);
}

/* ---- the command ------------------------------------------------------ */

static int result_code(enum qps_result res)
{
	switch (res) {
	case QPS_OK:
		return SFAB_EXIT_OK;
	case QPS_DENIED:
		return SFAB_EXIT_PRIVILEGE;
	case QPS_NO_NETLINK:
	case QPS_FAILED:
		break;
	}
	return SFAB_EXIT_PROBLEMS;
}

static void print_report(const struct sfab_ctx *ctx, const struct report *r)
{
	if (ctx->json)
		print_json(NULL, 0, r);
	else
		report_print(r, stdout);
}

static int qp_list_run(const struct sfab_ctx *ctx, const struct qp_list *l,
		       const struct report *r, int code)
{
	const struct qp_info **qps;
	size_t i;

	if (ctx->json) {
		qps = xcalloc(l->n, sizeof(*qps));
		for (i = 0; i < l->n; i++)
			qps[i] = &l->qp[i];
		print_json(qps, l->n, r);
		free(qps);
		return code;
	}
	list_human(l, code == SFAB_EXIT_OK);
	if (r->n) {
		putchar('\n');
		report_print(r, stdout);
	}
	return code;
}

static int qp_show_run(const struct sfab_ctx *ctx, const struct qp_cmd *q,
		       const struct qp_list *l, struct report *r, int code)
{
	const struct qp_info *found = NULL;
	struct report_item *item;
	char *where = xstrdup(""), *next;
	size_t i, n = 0;

	for (i = 0; i < l->n; i++) {
		if (l->qp[i].lqpn != q->qpn)
			continue;
		next = xasprintf("%s%s%s", where, n ? ", " : "",
				 l->qp[i].ifname);
		free(where);
		where = next;
		found = &l->qp[i];
		n++;
	}
	if (n > 1) {
		out_line(stderr, "sfabdiag qp: QP %u exists on several sfab devices (%s): say which with -d DEV",
			 q->qpn, where);
		free(where);
		return SFAB_EXIT_USAGE;
	}
	free(where);
	if (!found) {
		if (code == SFAB_EXIT_OK) {
			item = report_add(r, REPORT_PROBLEM, "qp_not_found",
					  q->device, "no QP %u on %s", q->qpn,
					  q->device ? q->device :
					  "any sfab device");
			report_hint(item, "`sfabdiag qp list` shows the QPs there are; a QP lasts only as long as the program that made it keeps it");
			code = SFAB_EXIT_NOT_FOUND;
		}
		print_report(ctx, r);
		return code;
	}
	if (ctx->json) {
		print_json(&found, 1, r);
		return code;
	}
	show_human(found);
	if (r->n)
		report_print(r, stdout);
	return code;
}

static int qp_run(struct sfab_ctx *ctx, int argc, char **argv)
{
	struct report r = { .n = 0 };
	enum qps_result res;
	struct qp_list l;
	struct qp_cmd q;
	char **devs;
	int code, ndevs;

	code = qp_parse(ctx, &q, argc, argv);
	if (code >= 0)
		return code;

	ndevs = sfab_device_names(q.device, &devs, &r);
	if (!ndevs) {
		code = r.denied ? SFAB_EXIT_PRIVILEGE : SFAB_EXIT_NO_DEVICE;
		print_report(ctx, &r);
		goto out;
	}
	res = qps_collect(devs, ndevs, &l, &r);
	code = r.denied ? SFAB_EXIT_PRIVILEGE : result_code(res);
	if (q.show)
		code = qp_show_run(ctx, &q, &l, &r, code);
	else
		code = qp_list_run(ctx, &l, &r, code);
	qp_list_free(&l);
out:
	fs_list_free(devs, ndevs);
	report_free(&r);
	return code;
}

const struct sfab_cmd sfab_cmd_qp = {
	.name = "qp",
	.args = "[list | show QPN] [-d DEV]",
	.summary = "list the QPs of the sfab devices, or show one (complete as root)",
	.run = qp_run,
};
