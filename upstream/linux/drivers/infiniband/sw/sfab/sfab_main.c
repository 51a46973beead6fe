// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: software RoCEv2 for any Ethernet netdevice.
 *
 * Module entry, device creation through rdma netlink ("rdma link add
 * NAME type sfab netdev DEV") and the netdevice events that drive the
 * port state.
 */

#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <net/addrconf.h>
#include <rdma/ib_addr.h>
#include <rdma/rdma_netlink.h>

#include "sfab.h"

#define CREATE_TRACE_POINTS
#include "sfab_trace.h"

MODULE_AUTHOR("The sfab developers");
MODULE_DESCRIPTION("Software RoCEv2 over any Ethernet netdevice");
MODULE_LICENSE("Dual BSD/GPL");

/* Runs QPs' transport work and CQs' completion notifications. */
struct workqueue_struct *sfab_wq;

/**
 * sfab_netdev_port_state - port state that a netdevice's state gives
 * @ndev: the netdevice
 *
 * The port is active while the netdevice is up, has carrier and an MTU
 * that holds at least a 256 byte RoCEv2 payload.
 *
 * Return: IB_PORT_ACTIVE or IB_PORT_DOWN.
 */
enum ib_port_state sfab_netdev_port_state(struct net_device *ndev)
{
	if (netif_running(ndev) && netif_carrier_ok(ndev) &&
	    iboe_get_mtu(READ_ONCE(ndev->mtu)))
		return IB_PORT_ACTIVE;
	return IB_PORT_DOWN;
}

/* The largest IB MTU that the netdevice's MTU carries (at least 256). */
enum ib_mtu sfab_port_active_mtu(struct sfab_dev *sdev)
{
	enum ib_mtu mtu = iboe_get_mtu(READ_ONCE(sdev->ndev->mtu));

	return mtu ? mtu : IB_MTU_256;
}

u32 sfab_port_mtu(struct sfab_dev *sdev)
{
	return ib_mtu_enum_to_int(sfab_port_active_mtu(sdev));
}

static struct sfab_dev *sfab_get_dev_by_netdev(struct net_device *ndev)
{
	struct ib_device *ibdev;

	ibdev = ib_device_get_by_netdev(ndev, RDMA_DRIVER_SFAB);
	return ibdev ? to_sdev(ibdev) : NULL;
}

/* Called under RTNL. */
static void sfab_update_port_state(struct sfab_dev *sdev)
{
	enum ib_port_state state = sfab_netdev_port_state(sdev->ndev);
	struct ib_event event = {
		.device = &sdev->ibdev,
		.element.port_num = SFAB_PORT,
	};

	if (state == READ_ONCE(sdev->port_state))
		return;
	WRITE_ONCE(sdev->port_state, state);
	event.event = state == IB_PORT_ACTIVE ? IB_EVENT_PORT_ACTIVE :
						IB_EVENT_PORT_ERR;
	ib_dispatch_event(&event);
}

static int sfab_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *ndev = netdev_notifier_info_to_dev(ptr);
	struct sfab_dev *sdev;

	sdev = sfab_get_dev_by_netdev(ndev);
	if (!sdev)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UNREGISTER:
		/* The namespace may go next: let go of its sockets now. */
		sfab_net_put(sdev);
		ib_unregister_device_queued(&sdev->ibdev);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGEMTU:
		sfab_update_port_state(sdev);
		break;
	default:
		break;
	}

	ib_device_put(&sdev->ibdev);
	return NOTIFY_DONE;
}

static struct notifier_block sfab_netdev_notifier = {
	.notifier_call = sfab_netdev_event,
};

/*
 * Serializes device creation, so that two "rdma link add" on one netdevice
 * cannot both find it free. rdma netlink calls newlink concurrently.
 */
static DEFINE_MUTEX(sfab_newlink_mutex);

static int sfab_add_dev(const char *ibdev_name, struct net_device *ndev)
{
	struct sfab_dev *sdev;
	int err;

	sdev = sfab_get_dev_by_netdev(ndev);
	if (sdev) {
		ib_device_put(&sdev->ibdev);
		return -EEXIST;
	}

	sdev = ib_alloc_device(sfab_dev, ibdev);
	if (!sdev)
		return -ENOMEM;

	netdev_hold(ndev, &sdev->ndev_tracker, GFP_KERNEL);
	sdev->ndev = ndev;
	sdev->net = dev_net(ndev);
	sdev->port_state = sfab_netdev_port_state(ndev);
	xa_init_flags(&sdev->qps, XA_FLAGS_ALLOC);
	/* QP numbers start anywhere: a peer's QPN is no guess. */
	sdev->next_qpn = get_random_u32_inclusive(2, IB_MULTICAST_QPN - 1);
	xa_init_flags(&sdev->mrs, XA_FLAGS_ALLOC1);

	sdev->ibdev.node_type = RDMA_NODE_IB_CA;
	sdev->ibdev.phys_port_cnt = 1;
	sdev->ibdev.num_comp_vectors = num_online_cpus();
	addrconf_addr_eui48((u8 *)&sdev->ibdev.node_guid, ndev->dev_addr);
	strscpy(sdev->ibdev.node_desc, "sfab", sizeof(sdev->ibdev.node_desc));
	ib_set_device_ops(&sdev->ibdev, &sfab_dev_ops);
	/* Posting and polling through the kernel (not in the default set). */
	sdev->ibdev.uverbs_cmd_mask |=
		BIT_ULL(IB_USER_VERBS_CMD_POST_SEND) |
		BIT_ULL(IB_USER_VERBS_CMD_POST_RECV) |
		BIT_ULL(IB_USER_VERBS_CMD_POST_SRQ_RECV) |
		BIT_ULL(IB_USER_VERBS_CMD_POLL_CQ) |
		BIT_ULL(IB_USER_VERBS_CMD_REQ_NOTIFY_CQ);

	err = sfab_net_get(sdev);
	if (err)
		goto err_dealloc;

	err = ib_device_set_netdev(&sdev->ibdev, ndev, SFAB_PORT);
	if (err)
		goto err_dealloc;

	err = ib_register_device(&sdev->ibdev, ibdev_name, NULL);
	if (err)
		goto err_dealloc;

	return 0;

err_dealloc:
	/* Calls sfab_dealloc_driver, which releases the netdevice. */
	ib_dealloc_device(&sdev->ibdev);
	return err;
}

static int sfab_newlink(const char *ibdev_name, struct net_device *ndev)
{
	int err;

	if (ndev->type != ARPHRD_ETHER || ndev->addr_len != ETH_ALEN ||
	    (ndev->flags & IFF_LOOPBACK))
		return -EPROTONOSUPPORT;

	mutex_lock(&sfab_newlink_mutex);
	err = sfab_add_dev(ibdev_name, ndev);
	mutex_unlock(&sfab_newlink_mutex);
	return err;
}

static struct rdma_link_ops sfab_link_ops = {
	.type = "sfab",
	.newlink = sfab_newlink,
};

static int __init sfab_init(void)
{
	int err;

	sfab_wq = alloc_workqueue("sfab", WQ_PERCPU | WQ_MEM_RECLAIM, 0);
	if (!sfab_wq)
		return -ENOMEM;
	err = sfab_net_init();
	if (err)
		goto err_wq;
	err = register_netdevice_notifier(&sfab_netdev_notifier);
	if (err)
		goto err_net;

	rdma_link_register(&sfab_link_ops);
	return 0;

err_net:
	sfab_net_exit();
err_wq:
	destroy_workqueue(sfab_wq);
	return err;
}

static void __exit sfab_exit(void)
{
	rdma_link_unregister(&sfab_link_ops);
	ib_unregister_driver(RDMA_DRIVER_SFAB);
	unregister_netdevice_notifier(&sfab_netdev_notifier);
	sfab_net_exit();
	destroy_workqueue(sfab_wq);
}

module_init(sfab_init);
module_exit(sfab_exit);

MODULE_ALIAS_RDMA_LINK("sfab");
