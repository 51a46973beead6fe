// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag status: is sfab working on this machine, and if not, why.
 *
 * Collects the host facts, the versions and the sfab devices, then turns
 * what is wrong into problems in plain words, each with what to do.
 *
 * Exit: 0 healthy, 1 problems found, 3 no sfab device, 4 a read was
 * refused for want of privilege (it may hide problems). When several
 * apply, 4 goes before 3, and 3 before 1.
 */

#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "sfabdiag.h"

/* iboe_get_mtu() finds no IB MTU below this netdevice MTU: port down. */
#define SFAB_MIN_NETDEV_MTU	352

struct status {
	struct report rep;
	struct host host;
	struct versions ver;
	struct devices devs;
};

static const char *module_text(const struct host *h)
{
	switch (h->module) {
	case MODULE_LOADED:
		return "loaded";
	case MODULE_BUILTIN:
		return "built into the kernel";
	case MODULE_NOT_LOADED:
		break;
	}
	return "not loaded";
}

static const char *module_json(const struct host *h)
{
	switch (h->module) {
	case MODULE_LOADED:
		return "loaded";
	case MODULE_BUILTIN:
		return "builtin";
	case MODULE_NOT_LOADED:
		break;
	}
	return "not_loaded";
}

/* "O (out-of-tree module loaded), E (unsigned module loaded)" */
static char *append_flag(char *list, char letter)
{
	char *next = xasprintf("%s%s%c (%s)", list ? list : "",
			       list ? ", " : "", letter,
			       taint_describe(letter));

	free(list);
	return next;
}

/*
 * The kit's module is built out of tree by DKMS: the kernel marks it O,
 * and E where it is not signed with a key the kernel trusts. Both are
 * expected, so they are notes; any other flag on sfab is a problem.
 */
static void check_module(struct status *st)
{
	struct report *r = &st->rep;
	struct report_item *item;
	char *expected = NULL, *other = NULL;
	const char *t;

	if (st->host.module == MODULE_NOT_LOADED) {
		item = report_add(r, REPORT_PROBLEM, "module_not_loaded", NULL,
				  "module sfab is not loaded");
		report_hint(item, "load it with `modprobe sfab`; if that fails, `dkms status sfab` shows whether sfab-dkms built it for kernel %s",
			    st->host.kernel);
		return;
	}
	for (t = st->host.module_taint; *t; t++) {
		if (*t == 'O' || *t == 'E')
			expected = append_flag(expected, *t);
		else
			other = append_flag(other, *t);
	}
	if (other) {
		item = report_add(r, REPORT_PROBLEM, "module_taint", NULL,
				  "module sfab taints the kernel with %s",
				  other);
		report_hint(item, "reinstall sfab-dkms for this kernel and reload the module (modprobe -r sfab && modprobe sfab)");
	}
	if (expected)
		report_add(r, REPORT_NOTE, "module_taint", NULL,
			   "module sfab taints the kernel with %s: expected for the kit's DKMS-built module",
			   expected);
	free(expected);
	free(other);
}

static char *append_unknown_bit(char *list, unsigned int bit)
{
	char *next = xasprintf("%s%sbit %u (unknown to this sfabdiag)",
			       list ? list : "", list ? ", " : "", bit);

	free(list);
	return next;
}

static void check_kernel_taint(struct status *st)
{
	struct report_item *item;
	char *faults = NULL, *others = NULL;
	unsigned int bit;
	char letter;

	if (!st->host.kernel_taint_known || !st->host.kernel_taint)
		return;
	for (bit = 0; bit < 64; bit++) {
		if (!(st->host.kernel_taint & (1ULL << bit)))
			continue;
		letter = taint_bit_letter(bit);
		if (taint_is_fault(letter))
			faults = append_flag(faults, letter);
		else if (letter != '?')
			others = append_flag(others, letter);
		else
			others = append_unknown_bit(others, bit);
	}
	if (faults) {
		item = report_add(&st->rep, REPORT_PROBLEM, "kernel_taint",
				  NULL, "the kernel is tainted: %s", faults);
		report_hint(item, "find the first WARNING, BUG or Oops in `journalctl -k -b` (or dmesg) and send it with this report; the taint stays until reboot");
	}
	if (others)
		report_add(&st->rep, REPORT_NOTE, "kernel_taint", NULL,
			   "kernel taint %llu: %s", st->host.kernel_taint,
			   others);
	free(faults);
	free(others);
}

static void check_provider(struct status *st)
{
	const struct host *h = &st->host;
	struct report_item *item;

	if (h->provider_driver && h->provider_library)
		return;
	if (!h->provider_driver && !h->provider_library)
		item = report_add(&st->rep, REPORT_PROBLEM, "provider_missing",
				  NULL, "the sfab provider is not installed: no /etc/libibverbs.d/sfab.driver and no libsfab-rdmav*.so in %s",
				  h->provider_dirs);
	else if (!h->provider_driver)
		item = report_add(&st->rep, REPORT_PROBLEM, "provider_missing",
				  NULL, "the sfab provider is incomplete: /etc/libibverbs.d/sfab.driver is missing, so libibverbs does not load %s",
				  h->provider_library);
	else
		item = report_add(&st->rep, REPORT_PROBLEM, "provider_missing",
				  NULL, "the sfab provider is incomplete: no libsfab-rdmav*.so in %s",
				  h->provider_dirs);
	report_hint(item, "install the kit's rdma-core provider package: without it libibverbs applications do not see the sfab devices");
}

static void check_versions(struct status *st)
{
	const struct component *c;
	struct report_item *item;
	char *text;
	int i;

	for (i = 0; i < NR_COMPONENTS; i++) {
		c = &st->ver.comp[i];
		if (c->state == VER_UNREADABLE)
			report_read_error(&st->rep, NULL, c->source, c->err);
		if (c->state == VER_NONE && !strcmp(c->name, "module"))
			report_add(&st->rep, REPORT_NOTE, "module_no_version",
				   NULL, "module sfab carries no version, so it is not compared: the kit's DKMS build has one, an in-kernel or development build does not");
	}
	if (st->ver.match)
		return;
	text = versions_mismatch_text(&st->ver);
	item = report_add(&st->rep, REPORT_PROBLEM, "versions_mismatch", NULL,
			  "versions differ: %s", text);
	report_hint(item, "%s", versions_hint(&st->ver));
	free(text);
}

static char *port_down_reason(const struct device *dev, char **hint)
{
	const char *nd = dev->netdev;

	if (!nd[0]) {
		*hint = xasprintf("`rdma link show %s/1` and dmesg may tell why",
				  dev->name);
		return xstrdup("its netdevice is unknown");
	}
	if (!dev->netdev_here) {
		*hint = xasprintf("check %s in its namespace: ip netns exec NS ip link show %s",
				  nd, nd);
		return xasprintf("netdevice %s is in another network namespace",
				 nd);
	}
	if (dev->netdev_flags_known && !(dev->netdev_flags & IFF_UP)) {
		*hint = xasprintf("ip link set %s up", nd);
		return xasprintf("netdevice %s is administratively down", nd);
	}
	if (dev->carrier == 0) {
		*hint = xstrdup("check the cable and switch port, or bring up the other end of a veth pair");
		return xasprintf("netdevice %s has no carrier", nd);
	}
	if (dev->netdev_mtu >= 0 && dev->netdev_mtu < SFAB_MIN_NETDEV_MTU) {
		*hint = xasprintf("ip link set %s mtu 1500", nd);
		return xasprintf("netdevice %s has MTU %d; RoCEv2 needs at least %d",
				 nd, dev->netdev_mtu, SFAB_MIN_NETDEV_MTU);
	}
	*hint = xasprintf("send dmesg and `rdma link show %s/1` to support",
			  dev->name);
	return xasprintf("netdevice %s looks up", nd);
}

static bool only_link_local(const struct device *dev)
{
	int i;

	for (i = 0; i < dev->naddrs; i++)
		if (strncmp(dev->addrs[i], "fe80:", 5))
			return false;
	return dev->naddrs > 0;
}

static void check_device(struct status *st, const struct device *dev)
{
	struct report *r = &st->rep;
	struct report_item *item;
	char *reason, *hint;

	if (!dev->netdev[0])
		report_add(r, REPORT_PROBLEM, "netdev_unknown", dev->name,
			   "no GID names its netdevice: its GID table is empty");
	else if (!dev->netdev_here)
		report_add(r, REPORT_NOTE, "netdev_other_netns", dev->name,
			   "netdevice %s is not in this network namespace: its addresses are not checked; run sfabdiag in that namespace to check them",
			   dev->netdev);

	if (dev->state != IB_PORT_ACTIVE) {
		reason = port_down_reason(dev, &hint);
		item = report_add(r, REPORT_PROBLEM, "port_down", dev->name,
				  "port %d is %s: %s", SFAB_PORT,
				  dev->state_name, reason);
		item->hint = hint;
		free(reason);
	}

	if (!dev->netdev_here)
		return;
	if (!dev->naddrs) {
		item = report_add(r, REPORT_PROBLEM, "netdev_no_ip", dev->name,
				  "netdevice %s has no IP address: RoCEv2 peers and rdma_cm address GIDs made from IP addresses",
				  dev->netdev);
		report_hint(item, "give it one: ip address add ADDRESS/PREFIX dev %s",
			    dev->netdev);
	} else if (only_link_local(dev)) {
		report_add(r, REPORT_NOTE, "netdev_link_local_only", dev->name,
			   "netdevice %s has only an IPv6 link-local address: enough for GID-based tests, rdma_cm usually wants an IPv4 or global address",
			   dev->netdev);
	}
}

static void check_devices(struct status *st)
{
	struct report_item *item;
	int i;

	if (!st->devs.n) {
		item = report_add(&st->rep, REPORT_PROBLEM, "no_device", NULL,
				  "no sfab device");
		report_hint(item, "%screate one with `rdma link add sfab0 type sfab netdev IFACE`",
			    st->host.module == MODULE_NOT_LOADED ?
			    "load the module (modprobe sfab), then " : "");
		return;
	}
	for (i = 0; i < st->devs.n; i++)
		check_device(st, &st->devs.dev[i]);
}

static int status_code(const struct status *st)
{
	if (st->rep.denied)
		return SFAB_EXIT_PRIVILEGE;
	if (!st->devs.n)
		return SFAB_EXIT_NO_DEVICE;
	return st->rep.nproblems ? SFAB_EXIT_PROBLEMS : SFAB_EXIT_OK;
}

static const char *status_result(int code)
{
	switch (code) {
	case SFAB_EXIT_OK:
		return "healthy";
	case SFAB_EXIT_NO_DEVICE:
		return "no_device";
	case SFAB_EXIT_PRIVILEGE:
		return "permission_denied";
	}
	return "problems";
}

static char *join(char **items, int n, const char *sep)
{
	char *s = xstrdup(""), *next;
	int i;

	for (i = 0; i < n; i++) {
		next = xasprintf("%s%s%s", s, i ? sep : "", items[i]);
		free(s);
		s = next;
	}
	return s;
}

static void print_system(const struct status *st)
{
	const struct host *h = &st->host;
	char *kernel, *module, *provider, *taint = NULL;
	struct table t;
	unsigned int bit;

	kernel = xasprintf("%s%s%s%s", h->kernel, h->machine[0] ? " (" : "",
			   h->machine, h->machine[0] ? ")" : "");
	module = xasprintf("%s%s%s", module_text(h),
			   h->module_taint[0] ? ", taint " : "",
			   h->module_taint);
	if (h->provider_driver || h->provider_library)
		provider = xasprintf("%s, %s",
				     h->provider_driver ? h->provider_driver :
				     "no sfab.driver",
				     h->provider_library ? h->provider_library :
				     "no libsfab-rdmav*.so");
	else
		provider = xstrdup("not installed");
	if (h->kernel_taint_known) {
		taint = xasprintf("%llu", h->kernel_taint);
		for (bit = 0; bit < 64; bit++) {
			char *next;

			if (!(h->kernel_taint & (1ULL << bit)))
				continue;
			next = xasprintf("%s%s%c", taint,
					 strchr(taint, ':') ? "" : ": ",
					 taint_bit_letter(bit));
			free(taint);
			taint = next;
		}
	}

	out_heading(stdout, "System");
	table_init(&t, 2);
	table_row(&t, "kernel", kernel);
	table_row(&t, "kernel taint", taint ? taint : "unknown");
	table_row(&t, "module sfab", module);
	table_row(&t, "provider", provider);
	table_row(&t, "rdma netns mode", h->netns_mode);
	table_print(&t, stdout, "  ");
	table_free(&t);
	free(kernel);
	free(module);
	free(provider);
	free(taint);
}

static void print_devices(const struct status *st)
{
	const struct device *dev;
	char mtu[16], port[16], *addrs;
	struct table t;
	int i, k;

	out_heading(stdout, "Devices");
	if (!st->devs.n) {
		puts("  none");
		return;
	}
	table_init(&t, 8);
	table_row(&t, "DEVICE", "NETDEV", "NETNS", "PORT", "STATE",
		  "PHYS_STATE", "ACTIVE_MTU", "ADDRESSES");
	for (i = 0; i < st->devs.n; i++) {
		dev = &st->devs.dev[i];
		snprintf(mtu, sizeof(mtu), "%d", dev->active_mtu);
		snprintf(port, sizeof(port), "%d", SFAB_PORT);
		addrs = join(dev->addrs, dev->naddrs, " ");
		table_row(&t, dev->name, dev->netdev,
			  dev->netdev_here ? "current" : "other", port,
			  dev->state_name, dev->phys_state_name,
			  dev->active_mtu < 0 ? NULL : mtu,
			  dev->netdev_here ? addrs : "not checked");
		free(addrs);
	}
	table_print(&t, stdout, "  ");
	table_free(&t);

	out_heading(stdout, "GIDs");
	table_init(&t, 4);
	table_row(&t, "DEVICE", "INDEX", "GID", "TYPE");
	for (i = 0; i < st->devs.n; i++) {
		dev = &st->devs.dev[i];
		for (k = 0; k < dev->ngids; k++) {
			snprintf(mtu, sizeof(mtu), "%d", dev->gids[k].index);
			table_row(&t, dev->name, mtu, dev->gids[k].addr,
				  dev->gids[k].type);
		}
	}
	if (t.nrows > 1)
		table_print(&t, stdout, "  ");
	else
		puts("  none");
	table_free(&t);
}

static void print_human(const struct status *st, int code)
{
	print_system(st);
	out_heading(stdout, "Versions");
	versions_table(&st->ver, stdout, "  ");
	print_devices(st);
	report_print(&st->rep, stdout);

	out_heading(stdout, "Summary");
	switch (code) {
	case SFAB_EXIT_OK:
		puts("  healthy");
		break;
	case SFAB_EXIT_NO_DEVICE:
		puts("  no sfab device");
		break;
	case SFAB_EXIT_PRIVILEGE:
		puts("  some files could not be read: run sfabdiag as root for a complete report");
		break;
	default:
		printf("  %zu problem%s found\n", st->rep.nproblems,
		       st->rep.nproblems == 1 ? "" : "s");
	}
}

/* An integer, or null when unknown (negative). */
static void json_kv_count(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	if (v < 0)
		json_string(j, NULL);
	else
		json_int(j, v);
}

static void json_system(const struct status *st, struct json *j, int code)
{
	const struct host *h = &st->host;
	char flag[2] = "";
	unsigned int bit;

	json_begin_object(j);
	json_kv_string(j, "entry", "system");
	json_kv_string(j, "kernel", h->kernel);
	json_kv_string(j, "machine", h->machine[0] ? h->machine : NULL);
	json_key(j, "kernel_taint");
	if (h->kernel_taint_known)
		json_int(j, (long long)h->kernel_taint);
	else
		json_string(j, NULL);
	json_key(j, "kernel_taint_flags");
	json_begin_array(j);
	for (bit = 0; h->kernel_taint_known && bit < 64; bit++) {
		if (!(h->kernel_taint & (1ULL << bit)))
			continue;
		flag[0] = taint_bit_letter(bit);
		json_string(j, flag);
	}
	json_end_array(j);
	json_kv_string(j, "module", module_json(h));
	json_kv_string(j, "module_taint", h->module_taint);
	json_kv_string(j, "provider_driver", h->provider_driver);
	json_kv_string(j, "provider_library", h->provider_library);
	json_kv_string(j, "rdma_netns_mode", h->netns_mode);
	json_key(j, "versions");
	json_begin_array(j);
	versions_json(&st->ver, j);
	json_end_array(j);
	json_kv_bool(j, "versions_match", st->ver.match);
	json_kv_int(j, "devices", st->devs.n);
	json_kv_int(j, "problems", (long long)st->rep.nproblems);
	json_kv_string(j, "result", status_result(code));
	json_kv_int(j, "exit_code", code);
	json_end_object(j);
}

static void json_device(const struct device *dev, struct json *j)
{
	int k;

	json_begin_object(j);
	json_kv_string(j, "entry", "device");
	json_kv_string(j, "ifname", dev->name);
	json_kv_string(j, "node_guid", dev->node_guid[0] ? dev->node_guid :
			NULL);
	json_kv_string(j, "netdev", dev->netdev[0] ? dev->netdev : NULL);
	json_kv_string(j, "netns", dev->netdev_here ? "current" : "other");
	json_kv_int(j, "port", SFAB_PORT);
	json_kv_string(j, "state", dev->state_name);
	json_kv_string(j, "physical_state", dev->phys_state_name);
	json_kv_count(j, "active_mtu", dev->active_mtu);
	json_kv_count(j, "netdev_mtu", dev->netdev_mtu);
	json_key(j, "addresses");
	if (dev->netdev_here) {
		json_begin_array(j);
		for (k = 0; k < dev->naddrs; k++)
			json_string(j, dev->addrs[k]);
		json_end_array(j);
	} else {
		json_string(j, NULL);	/* not visible from this namespace */
	}
	json_key(j, "gids");
	json_begin_array(j);
	for (k = 0; k < dev->ngids; k++) {
		json_begin_object(j);
		json_kv_int(j, "index", dev->gids[k].index);
		json_kv_string(j, "gid", dev->gids[k].addr);
		json_kv_string(j, "type", dev->gids[k].type);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void print_json(const struct status *st, int code)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_begin_array(&j);
	json_system(st, &j, code);
	for (i = 0; i < st->devs.n; i++)
		json_device(&st->devs.dev[i], &j);
	report_json(&st->rep, &j);
	json_end_array(&j);
	json_finish(&j);
}

static int status_run(struct sfab_ctx *ctx, int argc, char **argv)
{
	struct status st;
	int code;

	code = cmd_parse_common(ctx, &sfab_cmd_status, argc, argv);
	if (code >= 0)
		return code;

	memset(&st, 0, sizeof(st));
	host_collect(&st.host, &st.rep);
	versions_collect(&st.ver);
	devices_collect(&st.devs, &st.rep);

	check_module(&st);
	check_devices(&st);
	check_provider(&st);
	check_versions(&st);
	check_kernel_taint(&st);

	code = status_code(&st);
	if (ctx->json)
		print_json(&st, code);
	else
		print_human(&st, code);

	devices_free(&st.devs);
	host_free(&st.host);
	report_free(&st.rep);
	return code;
}

const struct sfab_cmd sfab_cmd_status = {
	.name = "status",
	.args = "",
	.summary = "check the sfab devices, module, provider and versions",
	.run = status_run,
};
