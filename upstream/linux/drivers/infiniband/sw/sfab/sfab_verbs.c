// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: verbs entry points. They validate their arguments and delegate;
 * what they report is what the device does now.
 */

#include <rdma/ib_addr.h>
#include <rdma/ib_mad.h>
#include <rdma/uverbs_ioctl.h>
#include <rdma/sfab-abi.h>

#include "sfab.h"

/* udata is NULL when ib_core queries the device at registration. */
static int sfab_query_device(struct ib_device *ibdev,
			     struct ib_device_attr *attr,
			     struct ib_udata *udata)
{
	int err;

	err = ib_is_udata_in_empty(udata);
	if (err)
		return err;

	memset(attr, 0, sizeof(*attr));
	attr->sys_image_guid = ibdev->node_guid;
	attr->vendor_id = SFAB_VENDOR_ID;
	attr->max_pd = SFAB_MAX_PD;
	attr->max_pkeys = SFAB_PKEY_TBL_LEN;
	attr->device_cap_flags = IB_DEVICE_PORT_ACTIVE_EVENT;
	attr->kernel_cap_flags = IBK_ALLOW_USER_UNREG;
	return 0;
}

static int sfab_query_port(struct ib_device *ibdev, u32 port_num,
			   struct ib_port_attr *attr)
{
	struct sfab_dev *sdev = to_sdev(ibdev);
	enum ib_mtu mtu;

	/* ib_core zeroes attr and checks port_num. */
	attr->state = sfab_netdev_port_state(sdev->ndev);
	attr->phys_state = attr->state == IB_PORT_ACTIVE ?
			   IB_PORT_PHYS_STATE_LINK_UP :
			   IB_PORT_PHYS_STATE_DISABLED;
	attr->max_mtu = IB_MTU_4096;
	mtu = iboe_get_mtu(READ_ONCE(sdev->ndev->mtu));
	attr->active_mtu = mtu ? mtu : IB_MTU_256;
	attr->gid_tbl_len = SFAB_GID_TBL_LEN;
	attr->pkey_tbl_len = SFAB_PKEY_TBL_LEN;
	attr->max_vl_num = 1;

	return ib_get_eth_speed(ibdev, port_num, &attr->active_speed,
				&attr->active_width);
}

static int sfab_query_pkey(struct ib_device *ibdev, u32 port_num, u16 index,
			   u16 *pkey)
{
	if (index >= SFAB_PKEY_TBL_LEN)
		return -EINVAL;

	*pkey = SFAB_DEFAULT_PKEY;
	return 0;
}

static int sfab_get_port_immutable(struct ib_device *ibdev, u32 port_num,
				   struct ib_port_immutable *immutable)
{
	immutable->core_cap_flags = RDMA_CORE_PORT_IBA_ROCE_UDP_ENCAP;
	immutable->pkey_tbl_len = SFAB_PKEY_TBL_LEN;
	immutable->gid_tbl_len = SFAB_GID_TBL_LEN;
	immutable->max_mad_size = IB_MGMT_MAD_SIZE;
	return 0;
}

static enum rdma_link_layer sfab_get_link_layer(struct ib_device *ibdev,
						u32 port_num)
{
	return IB_LINK_LAYER_ETHERNET;
}

static int sfab_alloc_ucontext(struct ib_ucontext *ibuc,
			       struct ib_udata *udata)
{
	return ib_no_udata_io(udata);
}

static void sfab_dealloc_ucontext(struct ib_ucontext *ibuc)
{
}

static int sfab_alloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	struct sfab_dev *sdev = to_sdev(ibpd->device);
	int err;

	/* udata is NULL for kernel PDs; ib_no_udata_io() allows that. */
	err = ib_no_udata_io(udata);
	if (err)
		return err;

	if (atomic_inc_return(&sdev->num_pd) > SFAB_MAX_PD) {
		atomic_dec(&sdev->num_pd);
		return -ENOMEM;
	}
	return 0;
}

static int sfab_dealloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	atomic_dec(&to_sdev(ibpd->device)->num_pd);
	return 0;
}

/* Last call on a device: from ib_dealloc_device(). */
static void sfab_dealloc_driver(struct ib_device *ibdev)
{
	struct sfab_dev *sdev = to_sdev(ibdev);

	netdev_put(sdev->ndev, &sdev->ndev_tracker);
}

const struct ib_device_ops sfab_dev_ops = {
	.owner = THIS_MODULE,
	.driver_id = RDMA_DRIVER_SFAB,
	.uverbs_abi_ver = SFAB_UVERBS_ABI_VERSION,

	.alloc_pd = sfab_alloc_pd,
	.alloc_ucontext = sfab_alloc_ucontext,
	.dealloc_driver = sfab_dealloc_driver,
	.dealloc_pd = sfab_dealloc_pd,
	.dealloc_ucontext = sfab_dealloc_ucontext,
	.get_link_layer = sfab_get_link_layer,
	.get_port_immutable = sfab_get_port_immutable,
	.query_device = sfab_query_device,
	.query_pkey = sfab_query_pkey,
	.query_port = sfab_query_port,

	INIT_RDMA_OBJ_SIZE(ib_pd, sfab_pd, ibpd),
	INIT_RDMA_OBJ_SIZE(ib_ucontext, sfab_ucontext, ibuc),
};
