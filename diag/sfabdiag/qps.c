// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: the sfab devices a command looks at, and their QPs, from the
 * kernel's rdma netlink resource tracker ("rdma res show qp -dd").
 *
 * Device names come from sysfs (devices.c tells which are sfab's); the
 * netlink wants indexes, which an RDMA_NLDEV_CMD_GET dump maps them to.
 * Each QP's core attributes are known by type; its driver attributes
 * (RDMA_NLDEV_ATTR_DRIVER) are a flat list of name, optional print type
 * and value, parsed generically so that names a newer module adds are
 * kept and shown. Every attribute is optional.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"
#include "nl.h"

#define IB_SYSFS	"/sys/class/infiniband"

/**
 * sfab_device_names - the sfab devices a command looks at
 * @only: the device given with -d, or NULL for every sfab device
 * @names: receives the names, freed with fs_list_free()
 * @r: gets a no_device problem when there is none, or @only is not one
 *
 * Return: how many (0 when none), in natural order.
 */
int sfab_device_names(const char *only, char ***names, struct report *r)
{
	struct report_item *item;
	char **all;
	int i, n, count = 0;

	*names = NULL;
	n = fs_list(IB_SYSFS, &all);
	if (n < 0 && n != -ENOENT)
		report_read_error(r, NULL, IB_SYSFS, n);
	if (n < 0)
		n = 0;
	*names = xcalloc(n, sizeof(**names));
	for (i = 0; i < n; i++) {
		if (only && strcmp(all[i], only))
			continue;
		if (is_sfab_device(all[i], r))
			(*names)[count++] = xstrdup(all[i]);
	}
	fs_list_free(all, n);
	if (count)
		return count;
	if (only && fs_existsf(IB_SYSFS "/%s", only)) {
		item = report_add(r, REPORT_PROBLEM, "no_device", only,
				  "%s is an RDMA device, but not an sfab device",
				  only);
		report_hint(item, "`sfabdiag status` lists the sfab devices");
	} else if (only) {
		item = report_add(r, REPORT_PROBLEM, "no_device", only,
				  "there is no RDMA device named %s", only);
		report_hint(item, "`sfabdiag status` lists the sfab devices");
	} else {
		item = report_add(r, REPORT_PROBLEM, "no_device", NULL,
				  "no sfab device");
		report_hint(item, "create one with `rdma link add sfab0 type sfab netdev IFACE`");
	}
	return 0;
}

static const char *nl_error_text(int err)
{
	switch (err) {
	case -EBADMSG:
		return "the kernel's reply is malformed";
	case -ETIMEDOUT:
		return "the kernel did not answer within 10 s";
	}
	return strerror(-err);
}

/* ---- device indexes: RDMA_NLDEV_CMD_GET --------------------------- */

struct dev_index {
	char name[64];
	uint32_t index;
};

struct dev_indexes {
	struct dev_index *d;
	size_t n;
};

static int dev_get_reply(struct nl_walk *w, void *arg)
{
	struct dev_indexes *ix = arg;
	struct dev_index di;
	bool has_index = false, has_name = false;
	struct nl_attr a;
	char *name;

	memset(&di, 0, sizeof(di));
	while (nl_walk_next(w, &a)) {
		if (a.type == RDMA_NLDEV_ATTR_DEV_INDEX) {
			has_index = nl_attr_u32(&a, &di.index);
		} else if (a.type == RDMA_NLDEV_ATTR_DEV_NAME) {
			name = nl_attr_strdup(&a);
			str_copy(di.name, name, sizeof(di.name));
			has_name = di.name[0] != '\0';
			free(name);
		}
	}
	if (w->bad)
		return -EBADMSG;
	if (!has_index || !has_name)
		return 0;	/* not a device */
	ix->d = xreallocarray(ix->d, ix->n + 1, sizeof(*ix->d));
	ix->d[ix->n++] = di;
	return 0;
}

static bool find_index(const struct dev_indexes *ix, const char *name,
		       uint32_t *index)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		if (!strcmp(ix->d[i].name, name)) {
			*index = ix->d[i].index;
			return true;
		}
	}
	return false;
}

/* ---- QPs: RDMA_NLDEV_CMD_RES_QP_GET ---------------------------------- */

static struct qp_driver_attr *driver_add(struct qp_info *qp, char *name)
{
	struct qp_driver_attr *d;

	qp->drv = xreallocarray(qp->drv, qp->ndrv + 1, sizeof(*qp->drv));
	d = &qp->drv[qp->ndrv++];
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->kind = QPV_NONE;
	return d;
}

/*
 * The driver attributes: DRIVER_STRING (the name), then an optional
 * DRIVER_PRINT_TYPE, then one value: DRIVER_U32, _U64, _S32, _S64, or a
 * second DRIVER_STRING. A value without a name is kept under "", a name
 * without a value shows none. Nested DRIVER_ENTRY tables, which no
 * driver sends today, are flattened into the same list.
 */
static void parse_driver(struct qp_info *qp, const struct nl_attr *nest,
			 int depth)
{
	struct qp_driver_attr *cur = NULL;	/* named, awaiting its value */
	struct nl_walk w;
	struct nl_attr a;
	uint64_t u64;
	uint32_t u32;
	uint8_t u8;

	nl_walk_nested(&w, nest);
	while (nl_walk_next(&w, &a)) {
		switch (a.type) {
		case RDMA_NLDEV_ATTR_DRIVER_STRING:
			if (cur) {
				cur->kind = QPV_STRING;
				cur->str = nl_attr_strdup(&a);
				cur = NULL;
			} else {
				cur = driver_add(qp, nl_attr_strdup(&a));
			}
			continue;
		case RDMA_NLDEV_ATTR_DRIVER_PRINT_TYPE:
			if (cur && nl_attr_u8(&a, &u8))
				cur->hex = u8 == RDMA_NLDEV_PRINT_TYPE_HEX;
			continue;
		case RDMA_NLDEV_ATTR_DRIVER_ENTRY:
			if (depth < 4)
				parse_driver(qp, &a, depth + 1);
			continue;
		case RDMA_NLDEV_ATTR_DRIVER_U32:
		case RDMA_NLDEV_ATTR_DRIVER_S32:
		case RDMA_NLDEV_ATTR_DRIVER_U64:
		case RDMA_NLDEV_ATTR_DRIVER_S64:
			break;
		default:
			continue;	/* padding, or unknown to this sfabdiag */
		}
		if (!cur)
			cur = driver_add(qp, xstrdup(""));
		if (a.type == RDMA_NLDEV_ATTR_DRIVER_U32 && nl_attr_u32(&a, &u32)) {
			cur->kind = QPV_U32;
			cur->u = u32;
		} else if (a.type == RDMA_NLDEV_ATTR_DRIVER_S32 &&
			   nl_attr_u32(&a, &u32)) {
			cur->kind = QPV_S32;
			cur->s = (int32_t)u32;
		} else if (a.type == RDMA_NLDEV_ATTR_DRIVER_U64 &&
			   nl_attr_u64(&a, &u64)) {
			cur->kind = QPV_U64;
			cur->u = u64;
		} else if (a.type == RDMA_NLDEV_ATTR_DRIVER_S64 &&
			   nl_attr_u64(&a, &u64)) {
			cur->kind = QPV_S64;
			cur->s = (int64_t)u64;
		} else {
			cur->kind = QPV_BAD;	/* a value of the wrong size */
		}
		cur = NULL;
	}
}

static void keep_raw(struct qp_info *qp, const struct nl_attr *a)
{
	struct qp_raw_attr *raw;

	qp->raw = xreallocarray(qp->raw, qp->nraw + 1, sizeof(*qp->raw));
	raw = &qp->raw[qp->nraw++];
	raw->type = a->type;
	raw->len = a->len;
	raw->data = xcalloc(a->len, 1);
	memcpy(raw->data, a->data, a->len);
}

static bool get_u32(const struct nl_attr *a, long long *v)
{
	uint32_t u;

	if (!nl_attr_u32(a, &u))
		return false;
	*v = u;
	return true;
}

static bool get_u8(const struct nl_attr *a, int *v)
{
	uint8_t u;

	if (!nl_attr_u8(a, &u))
		return false;
	*v = u;
	return true;
}

static bool get_str(const struct nl_attr *a, char **s)
{
	free(*s);
	*s = nl_attr_strdup(a);
	return true;
}

/* One attribute of a QP entry; false when it is kept raw. */
static bool parse_core(struct qp_info *qp, const struct nl_attr *a)
{
	switch (a->type) {
	case RDMA_NLDEV_ATTR_PAD:
		return true;
	case RDMA_NLDEV_ATTR_PORT_INDEX:
		return get_u32(a, &qp->port);
	case RDMA_NLDEV_ATTR_RES_LQPN:
		return get_u32(a, &qp->lqpn);
	case RDMA_NLDEV_ATTR_RES_RQPN:
		return get_u32(a, &qp->rqpn);
	case RDMA_NLDEV_ATTR_RES_RQ_PSN:
		return get_u32(a, &qp->rq_psn);
	case RDMA_NLDEV_ATTR_RES_SQ_PSN:
		return get_u32(a, &qp->sq_psn);
	case RDMA_NLDEV_ATTR_RES_PDN:
		return get_u32(a, &qp->pdn);
	case RDMA_NLDEV_ATTR_RES_PID:
		return get_u32(a, &qp->pid);
	case RDMA_NLDEV_ATTR_RES_PATH_MIG_STATE:
		return get_u8(a, &qp->path_mig_state);
	case RDMA_NLDEV_ATTR_RES_TYPE:
		return get_u8(a, &qp->type);
	case RDMA_NLDEV_ATTR_RES_STATE:
		return get_u8(a, &qp->state);
	case RDMA_NLDEV_ATTR_RES_KERN_NAME:
		return get_str(a, &qp->kern_name);
	case NLDEV_ATTR_RES_SUBTYPE:
		return get_str(a, &qp->subtype);
	case RDMA_NLDEV_ATTR_DRIVER:
		qp->has_driver = true;
		parse_driver(qp, a, 0);
		return true;
	}
	return false;
}

struct qp_dump {
	struct qp_list *l;
	const char *dev;
	uint32_t index;
};

static void qp_init(struct qp_info *qp, const char *dev)
{
	memset(qp, 0, sizeof(*qp));
	str_copy(qp->ifname, dev, sizeof(qp->ifname));
	qp->lqpn = qp->rqpn = qp->sq_psn = qp->rq_psn = -1;
	qp->pdn = qp->port = qp->pid = -1;
	qp->type = qp->state = qp->path_mig_state = -1;
}

static void qp_free(struct qp_info *qp)
{
	size_t i;

	for (i = 0; i < qp->ndrv; i++) {
		free(qp->drv[i].name);
		free(qp->drv[i].str);
	}
	free(qp->drv);
	for (i = 0; i < qp->nraw; i++)
		free(qp->raw[i].data);
	free(qp->raw);
	free(qp->kern_name);
	free(qp->comm);
	free(qp->subtype);
}

/* The owner's command name, from /proc/PID/comm; NULL when it is gone. */
static char *read_comm(long long pid)
{
	char buf[64];

	if (pid <= 0 || fs_readf(buf, sizeof(buf), "/proc/%lld/comm", pid))
		return NULL;
	return xstrdup(buf);
}

static int qp_entry(struct qp_dump *dump, const struct nl_attr *entry)
{
	struct qp_list *l = dump->l;
	struct qp_info qp;
	struct nl_walk w;
	struct nl_attr a;

	qp_init(&qp, dump->dev);
	nl_walk_nested(&w, entry);
	while (nl_walk_next(&w, &a))
		if (!parse_core(&qp, &a))
			keep_raw(&qp, &a);
	if (w.bad || qp.lqpn < 0) {
		if (!w.bad)
			l->skipped++;
		qp_free(&qp);
		return w.bad ? -EBADMSG : 0;
	}
	qp.comm = read_comm(qp.pid);
	l->qp = xreallocarray(l->qp, l->n + 1, sizeof(*l->qp));
	l->qp[l->n++] = qp;
	return 0;
}

static int qp_reply(struct nl_walk *w, void *arg)
{
	struct qp_dump *dump = arg;
	struct nl_walk table;
	struct nl_attr a, e;
	uint32_t index;
	int err;

	while (nl_walk_next(w, &a)) {
		if (a.type == RDMA_NLDEV_ATTR_DEV_INDEX) {
			/* A reply about another device is not ours to show. */
			if (!nl_attr_u32(&a, &index) || index != dump->index)
				return -EBADMSG;
			continue;
		}
		if (a.type != RDMA_NLDEV_ATTR_RES_QP)
			continue;
		nl_walk_nested(&table, &a);
		while (nl_walk_next(&table, &e)) {
			if (e.type != RDMA_NLDEV_ATTR_RES_QP_ENTRY)
				continue;
			err = qp_entry(dump, &e);
			if (err)
				return err;
		}
		if (table.bad)
			return -EBADMSG;
	}
	return w->bad ? -EBADMSG : 0;
}

static int cmp_qp(const void *a, const void *b)
{
	const struct qp_info *x = a, *y = b;

	if (x->lqpn != y->lqpn)
		return x->lqpn < y->lqpn ? -1 : 1;
	return 0;
}

static enum qps_result open_failed(int err, struct report *r)
{
	struct report_item *item;

	if (err == -EPROTONOSUPPORT || err == -EAFNOSUPPORT) {
		item = report_add(r, REPORT_PROBLEM, "no_rdma_netlink", NULL,
				  "the kernel has no RDMA netlink (ib_core not loaded), so the QPs and their counters cannot be read");
		report_hint(item, "load the sfab module (modprobe sfab), which loads ib_core; `rdma link` must then list the sfab devices");
		return QPS_NO_NETLINK;
	}
	item = report_add(r, REPORT_PROBLEM, "netlink_error", NULL,
			  "cannot open an RDMA netlink socket: %s",
			  strerror(-err));
	report_hint(item, "`rdma link` tries the same; if it fails too, send its error and dmesg to support");
	return err == -EPERM || err == -EACCES ? QPS_DENIED : QPS_FAILED;
}

/* A failed dump, in words; the kernel's EPERM means "needs root". */
static enum qps_result dump_failed(int err, const char *dev, struct report *r)
{
	struct report_item *item;

	if (err == -EPERM || err == -EACCES) {
		item = report_add(r, REPORT_PROBLEM, "permission_denied", dev,
				  "the kernel refused the RDMA netlink dump of %s: %s",
				  dev ? "its QPs" : "the RDMA devices",
				  strerror(-err));
		report_hint(item, "QP state and per-QP counters need root (CAP_NET_ADMIN): run sfabdiag as root, e.g. with sudo");
		r->denied = true;
		return QPS_DENIED;
	}
	if (dev) {
		item = report_add(r, REPORT_PROBLEM, "netlink_error", dev,
				  "cannot dump its QPs over RDMA netlink: %s",
				  nl_error_text(err));
		report_hint(item, "`rdma res show qp dev %s` asks the same; send its output and dmesg to support",
			    dev);
	} else {
		item = report_add(r, REPORT_PROBLEM, "netlink_error", NULL,
				  "cannot list the RDMA devices over RDMA netlink: %s",
				  nl_error_text(err));
		report_hint(item, "`rdma dev` asks the same; send its output and dmesg to support");
	}
	return QPS_FAILED;
}

/* A device with QPs none of which has driver attributes: an old module. */
static void note_no_driver(const struct qp_list *l, size_t first,
			   const char *dev, struct report *r)
{
	struct report_item *item;
	size_t i;

	if (first == l->n)
		return;
	for (i = first; i < l->n; i++)
		if (l->qp[i].has_driver)
			return;
	item = report_add(r, REPORT_NOTE, "no_driver_attributes", dev,
			  "the kernel gives no sfab driver attributes for its QPs (una_psn, sq_posted, per-QP counters...): the loaded sfab module is older than this sfabdiag");
	report_hint(item, "install the kit's sfab-dkms of this release and reload the module (modprobe -r sfab && modprobe sfab)");
}

/* The result that decides the exit code: refused, then no netlink. */
static enum qps_result worse_result(enum qps_result a, enum qps_result b)
{
	static const int rank[] = {
		[QPS_OK] = 0, [QPS_FAILED] = 1, [QPS_NO_NETLINK] = 2,
		[QPS_DENIED] = 3,
	};

	return rank[b] > rank[a] ? b : a;
}

/**
 * qps_collect - the QPs of some sfab devices, over RDMA netlink
 * @devs: the devices' names, from sfab_device_names()
 * @ndevs: how many
 * @l: receives the QPs, by device in the order of @devs, then by QPN
 * @r: gets what went wrong, and a note for a module without driver
 *	attributes
 *
 * Return: QPS_OK, or the worst failure: QPS_DENIED (the kernel refused:
 * r->denied is set), QPS_NO_NETLINK, QPS_FAILED. Devices dumped before a
 * failure keep their QPs in @l.
 */
enum qps_result qps_collect(char **devs, int ndevs, struct qp_list *l,
			    struct report *r)
{
	struct nl_req_attr req[2] = {
		{ .type = RDMA_NLDEV_ATTR_DEV_INDEX, .size = 4 },
		/* also the QPs a driver makes for itself, as -dd shows */
		{ .type = NLDEV_ATTR_DRIVER_DETAILS, .size = 1, .value = 1 },
	};
	enum qps_result res = QPS_OK;
	struct dev_indexes ix = { NULL, 0 };
	struct report_item *item;
	struct qp_dump dump;
	struct rdma_nl nl;
	size_t first;
	int i, err;

	memset(l, 0, sizeof(*l));
	err = rdma_nl_open(&nl);
	if (err)
		return open_failed(err, r);
	err = rdma_nl_dump(&nl, RDMA_NLDEV_CMD_GET, NULL, 0, dev_get_reply,
			   &ix);
	if (err) {
		res = dump_failed(err, NULL, r);
		goto out;
	}
	for (i = 0; i < ndevs; i++) {
		dump.l = l;
		dump.dev = devs[i];
		if (!find_index(&ix, devs[i], &dump.index)) {
			item = report_add(r, REPORT_PROBLEM,
					  "device_not_in_netlink", devs[i],
					  "the RDMA netlink of this network namespace does not know %s: it was deleted meanwhile, or it belongs to another network namespace",
					  devs[i]);
			report_hint(item, "run sfabdiag in the network namespace of %s (ip netns exec NS sfabdiag ...)",
				    devs[i]);
			res = worse_result(res, QPS_FAILED);
			continue;
		}
		req[0].value = dump.index;
		first = l->n;
		err = rdma_nl_dump(&nl, RDMA_NLDEV_CMD_RES_QP_GET, req,
				   ARRAY_SIZE(req), qp_reply, &dump);
		if (l->n > first)
			qsort(l->qp + first, l->n - first, sizeof(*l->qp),
			      cmp_qp);
		if (err) {
			res = worse_result(res, dump_failed(err, devs[i], r));
			continue;
		}
		note_no_driver(l, first, devs[i], r);
	}
	if (l->skipped)
		report_add(r, REPORT_NOTE, "qp_entry_skipped", NULL,
			   "%zu QP entr%s from the kernel had no QP number and %s left out",
			   l->skipped, l->skipped == 1 ? "y" : "ies",
			   l->skipped == 1 ? "is" : "are");
out:
	free(ix.d);
	rdma_nl_close(&nl);
	return res;
}

void qp_list_free(struct qp_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		qp_free(&l->qp[i]);
	free(l->qp);
	memset(l, 0, sizeof(*l));
}

/* A driver attribute by name, or NULL. */
const struct qp_driver_attr *qp_driver_attr(const struct qp_info *qp,
					    const char *name)
{
	size_t i;

	for (i = 0; i < qp->ndrv; i++)
		if (!strcmp(qp->drv[i].name, name))
			return &qp->drv[i];
	return NULL;
}

/* enum ib_qp_type, named as "rdma res show qp" names them. */
const char *qp_type_name(int type, char *buf, size_t size)
{
	static const char *const names[] = {
		"SMI", "GSI", "RC", "UC", "UD", "RAW_IPV6", "RAW_ETHERTYPE",
		NULL, "RAW_PACKET", "XRC_INI", "XRC_TGT",
	};

	if (type < 0)
		return NULL;
	if ((size_t)type < ARRAY_SIZE(names) && names[type])
		return names[type];
	if (type == 0xff)
		return "DRIVER";
	snprintf(buf, size, "UNKNOWN_%d", type);
	return buf;
}

/* enum ib_qp_state. */
const char *qp_state_name(int state, char *buf, size_t size)
{
	static const char *const names[] = {
		"RESET", "INIT", "RTR", "RTS", "SQD", "SQE", "ERR",
	};

	if (state < 0)
		return NULL;
	if ((size_t)state < ARRAY_SIZE(names))
		return names[state];
	snprintf(buf, size, "UNKNOWN_%d", state);
	return buf;
}

/* enum ib_mig_state. */
const char *qp_path_mig_name(int mig, char *buf, size_t size)
{
	static const char *const names[] = { "MIGRATED", "REARM", "ARMED" };

	if (mig < 0)
		return NULL;
	if ((size_t)mig < ARRAY_SIZE(names))
		return names[mig];
	snprintf(buf, size, "UNKNOWN_%d", mig);
	return buf;
}

/* A driver attribute's value as text (allocated); NULL when it has none. */
char *qp_driver_text(const struct qp_driver_attr *d)
{
	switch (d->kind) {
	case QPV_STRING:
		return xstrdup(d->str);
	case QPV_U32:
	case QPV_U64:
		return xasprintf(d->hex ? "0x%llx" : "%llu", d->u);
	case QPV_S32:
	case QPV_S64:
		return d->hex ? xasprintf("0x%llx", (unsigned long long)d->s) :
		       xasprintf("%lld", d->s);
	case QPV_BAD:
		return xstrdup("(malformed)");
	case QPV_NONE:
		break;
	}
	return NULL;
}

/* A driver attribute's value in JSON: a number, or a string for text and
 * for values the driver asks to see in hexadecimal, as rdma -j does. */
void qp_driver_json(struct json *j, const struct qp_driver_attr *d)
{
	char *text;

	if (d->hex || d->kind == QPV_STRING || d->kind == QPV_BAD ||
	    d->kind == QPV_NONE) {
		text = qp_driver_text(d);
		json_string(j, text);
		free(text);
	} else if (d->kind == QPV_U32 || d->kind == QPV_U64) {
		json_uint(j, d->u);
	} else {
		json_int(j, d->s);
	}
}

/* "1234/ib_send_bw", "1234" when the process is gone, "[rdma_cm]" for
 * a kernel QP; NULL when the kernel said neither (allocated). */
char *qp_owner_text(const struct qp_info *qp)
{
	if (qp->kern_name)
		return xasprintf("[%s]", qp->kern_name);
	if (qp->pid < 0)
		return NULL;
	if (qp->comm)
		return xasprintf("%lld/%s", qp->pid, qp->comm);
	return xasprintf("%lld", qp->pid);
}

/* A core attribute this sfabdiag does not know, as text (allocated). */
char *qp_raw_text(const struct qp_raw_attr *raw)
{
	char *s, *p;
	uint32_t u32;
	uint64_t u64;
	size_t i;

	if (raw->len == 1)
		return xasprintf("%u", raw->data[0]);
	if (raw->len == 4) {
		memcpy(&u32, raw->data, 4);
		return xasprintf("%" PRIu32, u32);
	}
	if (raw->len == 8) {
		memcpy(&u64, raw->data, 8);
		return xasprintf("%" PRIu64, u64);
	}
	if (raw->len && raw->data[raw->len - 1] == '\0' &&
	    strlen((const char *)raw->data) == raw->len - 1)
		return xstrdup((const char *)raw->data);
	s = xcalloc(raw->len * 2 + 3, 1);
	p = s + sprintf(s, "0x");
	for (i = 0; i < raw->len; i++)
		p += sprintf(p, "%02x", raw->data[i]);
	return s;
}
