/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * sfab: software RoCEv2 for any Ethernet netdevice.
 */
#ifndef SFAB_H
#define SFAB_H

#include <linux/atomic.h>
#include <linux/netdevice.h>
#include <rdma/ib_verbs.h>

#define SFAB_PORT		1
#define SFAB_GID_TBL_LEN	64
#define SFAB_PKEY_TBL_LEN	1
#define SFAB_DEFAULT_PKEY	0xffff
#define SFAB_VENDOR_ID		0xffffff	/* no IEEE OUI: software device */
#define SFAB_MAX_PD		0x10000

/**
 * struct sfab_dev - one sfab device, bound to one Ethernet netdevice
 * @ibdev: the RDMA device; must stay first for ib_alloc_device()
 * @ndev: the netdevice carrying the device's traffic, held for the life
 *	of the device (released in dealloc_driver)
 * @ndev_tracker: reference tracker of @ndev
 * @port_state: last port state dispatched to ib_core; written under RTNL
 *	by the netdevice notifier, read locklessly by query_port
 * @num_pd: protection domains allocated, against SFAB_MAX_PD
 */
struct sfab_dev {
	struct ib_device ibdev;
	struct net_device *ndev;
	netdevice_tracker ndev_tracker;
	enum ib_port_state port_state;
	atomic_t num_pd;
};

struct sfab_ucontext {
	struct ib_ucontext ibuc;
};

struct sfab_pd {
	struct ib_pd ibpd;
};

static inline struct sfab_dev *to_sdev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct sfab_dev, ibdev);
}

/* sfab_main.c */
enum ib_port_state sfab_netdev_port_state(struct net_device *ndev);

/* sfab_verbs.c */
extern const struct ib_device_ops sfab_dev_ops;

#endif /* SFAB_H */
