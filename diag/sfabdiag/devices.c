// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: the sfab devices, their port, netdevice and GID table, from
 * /sys/class/infiniband and /sys/class/net, and the netdevice's
 * addresses from getifaddrs(3).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sfabdiag.h"

#define IB_SYSFS	"/sys/class/infiniband"

/**
 * is_sfab_device - whether an RDMA device belongs to the sfab driver
 * @name: its name in /sys/class/infiniband
 * @r: gets a failure to read its node description
 *
 * The name is no help: "rdma link add NAME type sfab" takes any name.
 * The driver id is not in sysfs, and its value differs between a kernel
 * with sfab upstream (its place in enum rdma_driver_id) and the
 * out-of-tree build (0x5fab). What does not vary is the node
 * description: sfab_add_dev() sets it to "sfab", and sfab has no
 * modify_device op, so ib_core refuses writes to node_desc and it stays
 * "sfab" for the device's life. A hardware HCA whose driver does accept
 * node_desc writes could have been given that text by root; such a
 * device has a parent bus device (the "device" link), which sfab's, a
 * virtual device, never has.
 *
 * Return: true for an sfab device.
 */
bool is_sfab_device(const char *name, struct report *r)
{
	char desc[72];

	if (report_readf(r, NULL, desc, sizeof(desc), IB_SYSFS "/%s/node_desc",
			 name))
		return false;
	if (strcmp(desc, "sfab"))
		return false;
	return !fs_existsf(IB_SYSFS "/%s/device", name);
}

/*
 * Reads an attribute whose absence or EINVAL (an empty GID entry, the
 * carrier of a netdevice that is down) only means "unknown"; a refused
 * read is still reported, since it changes the exit code.
 */
static int read_attr(struct report *r, const char *device, char *buf,
		     size_t size, const char *fmt, ...) __printf(5, 6);

static int read_attr(struct report *r, const char *device, char *buf,
		     size_t size, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = fs_vreadf(path, sizeof(path), buf, size, fmt, ap);
	va_end(ap);
	if (err == -EACCES || err == -EPERM)
		report_read_error(r, device, path, err);
	if (err)
		buf[0] = '\0';
	return err;
}

/* "4: ACTIVE" -> 4; -1 when it does not start with a number <= @max. */
static int leading_number(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 0 || v > max)
		return -1;
	return (int)v;
}

static const char *const port_states[] = {
	"NOP", "DOWN", "INIT", "ARMED", "ACTIVE", "ACTIVE_DEFER",
};

/* As "rdma link" names them. */
static const char *const phys_states[] = {
	NULL, "SLEEP", "POLLING", "DISABLED", "PORT_CONFIGURATION_TRAINING",
	"LINK_UP", "LINK_ERROR_RECOVERY", "PHY_TEST",
};

static void port_state_name(char *out, size_t size, const char *raw,
			    int v, const char *const *names, size_t n)
{
	const char *text = strstr(raw, ": ");

	if (v >= 0 && (size_t)v < n && names[v])
		str_copy(out, names[v], size);
	else if (raw[0])
		str_copy(out, text ? text + 2 : raw, size);
	else
		str_copy(out, "unknown", size);
}

/*
 * The IB MTU that sfab reports for a netdevice MTU: sfab_port_active_mtu(),
 * that is ib_core's iboe_get_mtu(), which keeps room for the largest
 * headers (GRH 40, UDP 8, BTH 12, XRCETH 4, AtomicETH 28, ICRC 4 bytes),
 * and 256 when even that does not fit (the port is then down).
 */
static int sfab_active_mtu(int netdev_mtu)
{
	static const int ib_mtus[] = { 4096, 2048, 1024, 512, 256 };
	int payload = netdev_mtu - (40 + 8 + 12 + 4 + 28 + 4);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ib_mtus); i++)
		if (payload >= ib_mtus[i])
			return ib_mtus[i];
	return 256;
}

static void collect_netdev(struct device *dev, struct report *r)
{
	char buf[32];
	char *end;

	dev->netdev_mtu = -1;
	dev->active_mtu = -1;
	dev->carrier = -1;
	if (!dev->netdev[0])
		return;
	/*
	 * /sys/class/net shows the netdevices of the namespace sysfs was
	 * mounted in: this one, unless sfabdiag runs under "ip netns exec"
	 * without its /sys remount, which "ip netns exec" does itself.
	 */
	dev->netdev_here = fs_existsf("/sys/class/net/%s", dev->netdev);
	if (!dev->netdev_here)
		return;
	if (!read_attr(r, dev->name, buf, sizeof(buf), "/sys/class/net/%s/mtu",
		       dev->netdev)) {
		dev->netdev_mtu = leading_number(buf, INT_MAX);
		if (dev->netdev_mtu > 0)
			dev->active_mtu = sfab_active_mtu(dev->netdev_mtu);
	}
	if (!read_attr(r, dev->name, buf, sizeof(buf),
		       "/sys/class/net/%s/flags", dev->netdev)) {
		errno = 0;
		dev->netdev_flags = strtoul(buf, &end, 16);
		dev->netdev_flags_known = !errno && end != buf && !*end;
	}
	if (!read_attr(r, dev->name, buf, sizeof(buf),
		       "/sys/class/net/%s/carrier", dev->netdev))
		dev->carrier = !strcmp(buf, "1");
}

static void collect_gids(struct device *dev, struct report *r)
{
	char path[256], buf[64];
	struct in6_addr a;
	struct gid *g;
	char **names;
	int i, n, idx;

	snprintf(path, sizeof(path), IB_SYSFS "/%s/ports/%d/gids", dev->name,
		 SFAB_PORT);
	n = fs_list(path, &names);
	if (n < 0) {
		if (n != -ENOENT)
			report_read_error(r, dev->name, path, n);
		return;
	}
	dev->gids = xcalloc(n, sizeof(*dev->gids));
	for (i = 0; i < n; i++) {
		idx = leading_number(names[i], INT_MAX);
		if (idx < 0)
			continue;
		if (read_attr(r, dev->name, buf, sizeof(buf), "%s/%d", path,
			      idx))
			continue;
		if (inet_pton(AF_INET6, buf, &a) != 1 ||
		    IN6_IS_ADDR_UNSPECIFIED(&a))
			continue;
		g = &dev->gids[dev->ngids++];
		g->index = idx;
		inet_ntop(AF_INET6, &a, g->addr, sizeof(g->addr));
		if (read_attr(r, dev->name, g->type, sizeof(g->type),
			      IB_SYSFS "/%s/ports/%d/gid_attrs/types/%d",
			      dev->name, SFAB_PORT, idx))
			str_copy(g->type, "unknown", sizeof(g->type));
		if (!dev->netdev[0])
			read_attr(r, dev->name, dev->netdev, sizeof(dev->netdev),
				  IB_SYSFS "/%s/ports/%d/gid_attrs/ndevs/%d",
				  dev->name, SFAB_PORT, idx);
	}
	fs_list_free(names, n);
}

static void collect_device(struct device *dev, const char *name,
			   struct report *r)
{
	char buf[64];

	str_copy(dev->name, name, sizeof(dev->name));
	report_readf(r, dev->name, dev->node_guid, sizeof(dev->node_guid),
		     IB_SYSFS "/%s/node_guid", name);

	/* GID 0, the link-local default GID, is there as long as the port. */
	read_attr(r, dev->name, dev->netdev, sizeof(dev->netdev),
		  IB_SYSFS "/%s/ports/%d/gid_attrs/ndevs/0", name, SFAB_PORT);
	collect_gids(dev, r);

	report_readf(r, dev->name, buf, sizeof(buf),
		     IB_SYSFS "/%s/ports/%d/state", name, SFAB_PORT);
	dev->state = leading_number(buf, 255);
	port_state_name(dev->state_name, sizeof(dev->state_name), buf,
			dev->state, port_states, ARRAY_SIZE(port_states));
	report_readf(r, dev->name, buf, sizeof(buf),
		     IB_SYSFS "/%s/ports/%d/phys_state", name, SFAB_PORT);
	dev->phys_state = leading_number(buf, 255);
	port_state_name(dev->phys_state_name, sizeof(dev->phys_state_name),
			buf, dev->phys_state, phys_states,
			ARRAY_SIZE(phys_states));

	collect_netdev(dev, r);
}

static int prefix_len(const struct sockaddr *mask)
{
	const unsigned char *b;
	int i, n, bits = 0;

	if (!mask)
		return -1;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)
			&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else {
		b = (const unsigned char *)
			&((const struct sockaddr_in6 *)mask)->sin6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		bits += __builtin_popcount(b[i]);
	return bits;
}

static void add_address(struct device *dev, const struct ifaddrs *ifa)
{
	char text[INET6_ADDRSTRLEN];
	const void *addr;
	int family = ifa->ifa_addr->sa_family, plen;

	if (family == AF_INET)
		addr = &((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
	else
		addr = &((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
	if (!inet_ntop(family, addr, text, sizeof(text)))
		return;
	plen = prefix_len(ifa->ifa_netmask);
	dev->addrs = xreallocarray(dev->addrs, dev->naddrs + 1,
				   sizeof(*dev->addrs));
	dev->addrs[dev->naddrs++] = plen < 0 ? xstrdup(text) :
				    xasprintf("%s/%d", text, plen);
}

/* The IPv4 and IPv6 addresses of each device's netdevice, in this netns. */
static void collect_addresses(struct devices *d, struct report *r)
{
	struct ifaddrs *ifas, *ifa;
	struct device *dev;
	int i, family;

	if (getifaddrs(&ifas)) {
		report_add(r, REPORT_PROBLEM, "read_error", NULL,
			   "cannot list the network interfaces' addresses: %s",
			   strerror(errno));
		return;
	}
	for (ifa = ifas; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr)
			continue;
		family = ifa->ifa_addr->sa_family;
		if (family != AF_INET && family != AF_INET6)
			continue;
		for (i = 0; i < d->n; i++) {
			dev = &d->dev[i];
			if (dev->netdev_here && !strcmp(dev->netdev, ifa->ifa_name))
				add_address(dev, ifa);
		}
	}
	freeifaddrs(ifas);
}

void devices_collect(struct devices *d, struct report *r)
{
	char **names;
	int i, n;

	memset(d, 0, sizeof(*d));
	n = fs_list(IB_SYSFS, &names);
	if (n == -ENOENT)
		return;		/* no RDMA device at all, or no ib_core */
	if (n < 0) {
		report_read_error(r, NULL, IB_SYSFS, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!is_sfab_device(names[i], r))
			continue;
		d->dev = xreallocarray(d->dev, d->n + 1, sizeof(*d->dev));
		memset(&d->dev[d->n], 0, sizeof(*d->dev));
		collect_device(&d->dev[d->n++], names[i], r);
	}
	fs_list_free(names, n);
	if (d->n)
		collect_addresses(d, r);
}

void devices_free(struct devices *d)
{
	int i, k;

	for (i = 0; i < d->n; i++) {
		for (k = 0; k < d->dev[i].naddrs; k++)
			free(d->dev[i].addrs[k]);
		free(d->dev[i].addrs);
		free(d->dev[i].gids);
	}
	free(d->dev);
	memset(d, 0, sizeof(*d));
}
