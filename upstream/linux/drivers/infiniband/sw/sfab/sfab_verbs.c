// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: verbs entry points. They validate their arguments and delegate;
 * what they report is what the device does now.
 */

#include <net/addrconf.h>
#include <rdma/ib_addr.h>
#include <rdma/ib_cache.h>
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
	attr->max_mr_size = U64_MAX;
	attr->page_size_cap = PAGE_SIZE;
	attr->vendor_id = SFAB_VENDOR_ID;
	attr->max_qp = SFAB_MAX_QP;
	attr->max_qp_wr = SFAB_MAX_QP_WR;
	attr->device_cap_flags = IB_DEVICE_PORT_ACTIVE_EVENT |
				 IB_DEVICE_SYS_IMAGE_GUID |
				 IB_DEVICE_RC_RNR_NAK_GEN |
				 IB_DEVICE_MEM_MGT_EXTENSIONS;
	attr->kernel_cap_flags = IBK_ALLOW_USER_UNREG;
	attr->max_send_sge = SFAB_MAX_SGE;
	attr->max_recv_sge = SFAB_MAX_SGE;
	attr->max_sge_rd = SFAB_MAX_SGE;
	attr->max_cq = SFAB_MAX_CQ;
	attr->max_cqe = SFAB_MAX_CQE;
	attr->max_mr = SFAB_MAX_MR;
	attr->max_pd = SFAB_MAX_PD;
	attr->max_qp_rd_atom = SFAB_MAX_RD_ATOMIC;
	attr->max_res_rd_atom = SFAB_MAX_QP * SFAB_MAX_RD_ATOMIC;
	attr->max_qp_init_rd_atom = SFAB_MAX_RD_ATOMIC;
	attr->atomic_cap = IB_ATOMIC_HCA;
	attr->max_ah = SFAB_MAX_AH;
	attr->max_srq = SFAB_MAX_SRQ;
	attr->max_srq_wr = SFAB_MAX_QP_WR;
	attr->max_srq_sge = SFAB_MAX_SGE;
	attr->max_fast_reg_page_list_len = SFAB_MAX_FAST_REG_PAGES;
	attr->max_pkeys = SFAB_PKEY_TBL_LEN;
	attr->local_ca_ack_delay = SFAB_LOCAL_ACK_DELAY;
	return 0;
}

static int sfab_query_port(struct ib_device *ibdev, u32 port_num,
			   struct ib_port_attr *attr)
{
	struct sfab_dev *sdev = to_sdev(ibdev);
	/* ib_core zeroes attr and checks port_num. */
	attr->state = sfab_netdev_port_state(sdev->ndev);
	attr->phys_state = attr->state == IB_PORT_ACTIVE ?
			   IB_PORT_PHYS_STATE_LINK_UP :
			   IB_PORT_PHYS_STATE_DISABLED;
	attr->max_mtu = IB_MTU_4096;
	attr->active_mtu = sfab_port_active_mtu(sdev);
	attr->gid_tbl_len = SFAB_GID_TBL_LEN;
	attr->pkey_tbl_len = SFAB_PKEY_TBL_LEN;
	attr->max_vl_num = 1;
	attr->max_msg_sz = SFAB_MAX_MSG_SIZE;
	attr->port_cap_flags = IB_PORT_CM_SUP;

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

/**
 * sfab_av_from_attr - the RoCEv2 path of an address handle or RC QP
 * @av: filled in
 * @attr: the verbs address, with a RoCEv2 source GID
 *
 * Does not sleep: kernel AHs may be created in atomic context.
 *
 * Return: 0, or -EINVAL for an address that is not RoCEv2.
 */
int sfab_av_from_attr(struct sfab_av *av, const struct rdma_ah_attr *attr)
{
	const struct ib_global_route *grh = rdma_ah_read_grh(attr);
	const struct ib_gid_attr *sgid_attr = grh->sgid_attr;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} src, dst;
	int type;

	if (!(rdma_ah_get_ah_flags(attr) & IB_AH_GRH) || !sgid_attr)
		return -EINVAL;
	type = rdma_gid_attr_network_type(sgid_attr);
	if (type != RDMA_NETWORK_IPV4 && type != RDMA_NETWORK_IPV6)
		return -EINVAL;
	rdma_gid2ip(&src.sa, &sgid_attr->gid);
	rdma_gid2ip(&dst.sa, &grh->dgid);
	if (src.sa.sa_family != dst.sa.sa_family)
		return -EINVAL;

	memset(av, 0, sizeof(*av));
	av->family = src.sa.sa_family;
	if (av->family == AF_INET) {
		av->saddr.v4 = src.in.sin_addr.s_addr;
		av->daddr.v4 = dst.in.sin_addr.s_addr;
	} else {
		av->saddr.v6 = src.in6.sin6_addr;
		av->daddr.v6 = dst.in6.sin6_addr;
	}
	av->tos = grh->traffic_class;
	av->ttl = grh->hop_limit ? grh->hop_limit : 64;
	av->flow_label = grh->flow_label;
	return 0;
}

/* Kernel and user address handles alike. */
static int sfab_create_ah(struct ib_ah *ibah, struct rdma_ah_init_attr *init,
			  struct ib_udata *udata)
{
	struct sfab_dev *sdev = to_sdev(ibah->device);
	int err;

	err = ib_no_udata_io(udata);
	if (err)
		return err;
	err = sfab_av_from_attr(&to_sah(ibah)->av, init->ah_attr);
	if (err)
		return err;
	if (atomic_inc_return(&sdev->num_ah) > SFAB_MAX_AH) {
		atomic_dec(&sdev->num_ah);
		return -ENOMEM;
	}
	return 0;
}

static int sfab_destroy_ah(struct ib_ah *ibah, u32 flags)
{
	atomic_dec(&to_sdev(ibah->device)->num_ah);
	return 0;
}

/* Last call on a device: from ib_dealloc_device(). */
static void sfab_dealloc_driver(struct ib_device *ibdev)
{
	struct sfab_dev *sdev = to_sdev(ibdev);

	sfab_net_put(sdev);
	xa_destroy(&sdev->qps);
	xa_destroy(&sdev->mrs);
	netdev_put(sdev->ndev, &sdev->ndev_tracker);
}

const struct ib_device_ops sfab_dev_ops = {
	.owner = THIS_MODULE,
	.driver_id = RDMA_DRIVER_SFAB,
	.uverbs_abi_ver = SFAB_UVERBS_ABI_VERSION,

	.alloc_hw_port_stats = sfab_alloc_hw_port_stats,
	.alloc_mr = sfab_alloc_mr,
	.alloc_pd = sfab_alloc_pd,
	.alloc_ucontext = sfab_alloc_ucontext,
	.create_ah = sfab_create_ah,
	.create_cq = sfab_create_cq,
	.create_qp = sfab_create_qp,
	.create_srq = sfab_create_srq,
	.create_user_ah = sfab_create_ah,
	.dealloc_driver = sfab_dealloc_driver,
	.dealloc_pd = sfab_dealloc_pd,
	.dealloc_ucontext = sfab_dealloc_ucontext,
	.dereg_mr = sfab_dereg_mr,
	.destroy_ah = sfab_destroy_ah,
	.destroy_cq = sfab_destroy_cq,
	.destroy_qp = sfab_destroy_qp,
	.destroy_srq = sfab_destroy_srq,
	.fill_res_qp_entry = sfab_fill_res_qp_entry,
	.get_dma_mr = sfab_get_dma_mr,
	.get_hw_stats = sfab_get_hw_stats,
	.get_link_layer = sfab_get_link_layer,
	.get_port_immutable = sfab_get_port_immutable,
	.map_mr_sg = sfab_map_mr_sg,
	.modify_qp = sfab_modify_qp,
	.modify_srq = sfab_modify_srq,
	.poll_cq = sfab_poll_cq,
	.post_recv = sfab_post_recv,
	.post_send = sfab_post_send,
	.post_srq_recv = sfab_post_srq_recv,
	.query_device = sfab_query_device,
	.query_pkey = sfab_query_pkey,
	.query_port = sfab_query_port,
	.query_qp = sfab_query_qp,
	.query_srq = sfab_query_srq,
	.reg_user_mr = sfab_reg_user_mr,
	.req_notify_cq = sfab_req_notify_cq,

	INIT_RDMA_OBJ_SIZE(ib_ah, sfab_ah, ibah),
	INIT_RDMA_OBJ_SIZE(ib_cq, sfab_cq, ibcq),
	INIT_RDMA_OBJ_SIZE(ib_pd, sfab_pd, ibpd),
	INIT_RDMA_OBJ_SIZE(ib_qp, sfab_qp, ibqp),
	INIT_RDMA_OBJ_SIZE(ib_srq, sfab_srq, ibsrq),
	INIT_RDMA_OBJ_SIZE(ib_ucontext, sfab_ucontext, ibuc),
};
