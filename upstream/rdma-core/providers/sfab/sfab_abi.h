/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Provider for sfab, the soft RoCEv2 driver for any Ethernet netdevice:
 * the driver data of its uverbs commands (include/uapi/rdma/sfab-abi.h).
 */
#ifndef __SFAB_ABI_H__
#define __SFAB_ABI_H__

#include <infiniband/kern-abi.h>
#include <rdma/sfab-abi.h>
#include <kernel-abi/sfab-abi.h>

DECLARE_DRV_CMD(sfab_cmd_create_cq, IB_USER_VERBS_CMD_CREATE_CQ,
		sfab_create_cq, sfab_create_cq_resp);
DECLARE_DRV_CMD(sfab_cmd_create_qp, IB_USER_VERBS_CMD_CREATE_QP,
		sfab_create_qp, sfab_create_qp_resp);
DECLARE_DRV_CMD(sfab_cmd_create_srq, IB_USER_VERBS_CMD_CREATE_SRQ,
		sfab_create_srq, sfab_create_srq_resp);

#endif /* __SFAB_ABI_H__ */
