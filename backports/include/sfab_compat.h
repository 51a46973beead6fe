/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Backports: shims that let the unchanged upstream sfab sources build on
 * older kernels. Force-included (-include) ahead of every sfab source by
 * backports/Kbuild; sfab_autoconf.h comes from the compile probes run
 * against the target kernel's headers (backports/probes/).
 *
 * What a shim cannot do is done by the Coccinelle semantic patches in
 * backports/cocci/, applied to the build copy.
 */
#ifndef SFAB_COMPAT_H
#define SFAB_COMPAT_H

#include "sfab_autoconf.h"

#include <linux/netdevice.h>
#include <linux/uaccess.h>
#include <rdma/ib_verbs.h>

#ifndef HAVE_NETDEV_HOLD
/* v6.0 added reference trackers; before it only plain references. */
typedef struct {} netdevice_tracker;

static inline void netdev_hold(struct net_device *dev,
			       netdevice_tracker *tracker, gfp_t gfp)
{
	dev_hold(dev);
}

static inline void netdev_put(struct net_device *dev,
			      netdevice_tracker *tracker)
{
	dev_put(dev);
}
#endif

#ifndef HAVE_IB_NO_UDATA_IO
/*
 * v7.2 checks of the driver data of ops that take none: input must be
 * empty or zero (else -EOPNOTSUPP), a response buffer is zero-filled.
 * NULL udata (a kernel caller) passes.
 */
static inline int ib_is_udata_in_empty(struct ib_udata *udata)
{
	if (!udata || !udata->inlen)
		return 0;
	return ib_is_udata_cleared(udata, 0, udata->inlen) ? 0 : -EOPNOTSUPP;
}

static inline int ib_respond_empty_udata(struct ib_udata *udata)
{
	if (udata && udata->outlen && clear_user(udata->outbuf, udata->outlen))
		return -EFAULT;
	return 0;
}

static inline int ib_no_udata_io(struct ib_udata *udata)
{
	return ib_is_udata_in_empty(udata) ?: ib_respond_empty_udata(udata);
}
#endif

#ifndef HAVE_IB_KERNEL_CAP_FLAGS
/* Before v6.0 the kernel-only flags lived in device_cap_flags
 * (cocci/kernel_cap_flags.cocci moves the assignment there).
 */
#define IBK_ALLOW_USER_UNREG IB_DEVICE_ALLOW_USER_UNREG
#endif

#ifdef HAVE_IB_DEVICE_UVERBS_EX_CMD_MASK
/*
 * Before v5.11 a driver had to list the uverbs commands it took; v5.11
 * enables a default set for every device. Enable that same set at
 * registration; ib_uverbs still disables each command whose verb the
 * device does not implement.
 */
static inline int sfab_compat_register_device(struct ib_device *dev,
					      const char *name,
					      struct device *dma_device)
{
	dev->uverbs_cmd_mask |=
		BIT_ULL(IB_USER_VERBS_CMD_ALLOC_MW) |
		BIT_ULL(IB_USER_VERBS_CMD_ALLOC_PD) |
		BIT_ULL(IB_USER_VERBS_CMD_ATTACH_MCAST) |
		BIT_ULL(IB_USER_VERBS_CMD_CLOSE_XRCD) |
		BIT_ULL(IB_USER_VERBS_CMD_CREATE_AH) |
		BIT_ULL(IB_USER_VERBS_CMD_CREATE_COMP_CHANNEL) |
		BIT_ULL(IB_USER_VERBS_CMD_CREATE_CQ) |
		BIT_ULL(IB_USER_VERBS_CMD_CREATE_QP) |
		BIT_ULL(IB_USER_VERBS_CMD_CREATE_SRQ) |
		BIT_ULL(IB_USER_VERBS_CMD_CREATE_XSRQ) |
		BIT_ULL(IB_USER_VERBS_CMD_DEALLOC_MW) |
		BIT_ULL(IB_USER_VERBS_CMD_DEALLOC_PD) |
		BIT_ULL(IB_USER_VERBS_CMD_DEREG_MR) |
		BIT_ULL(IB_USER_VERBS_CMD_DESTROY_AH) |
		BIT_ULL(IB_USER_VERBS_CMD_DESTROY_CQ) |
		BIT_ULL(IB_USER_VERBS_CMD_DESTROY_QP) |
		BIT_ULL(IB_USER_VERBS_CMD_DESTROY_SRQ) |
		BIT_ULL(IB_USER_VERBS_CMD_DETACH_MCAST) |
		BIT_ULL(IB_USER_VERBS_CMD_GET_CONTEXT) |
		BIT_ULL(IB_USER_VERBS_CMD_MODIFY_QP) |
		BIT_ULL(IB_USER_VERBS_CMD_MODIFY_SRQ) |
		BIT_ULL(IB_USER_VERBS_CMD_OPEN_QP) |
		BIT_ULL(IB_USER_VERBS_CMD_OPEN_XRCD) |
		BIT_ULL(IB_USER_VERBS_CMD_QUERY_DEVICE) |
		BIT_ULL(IB_USER_VERBS_CMD_QUERY_PORT) |
		BIT_ULL(IB_USER_VERBS_CMD_QUERY_QP) |
		BIT_ULL(IB_USER_VERBS_CMD_QUERY_SRQ) |
		BIT_ULL(IB_USER_VERBS_CMD_REG_MR) |
		BIT_ULL(IB_USER_VERBS_CMD_REREG_MR) |
		BIT_ULL(IB_USER_VERBS_CMD_RESIZE_CQ);
	dev->uverbs_ex_cmd_mask |=
		BIT_ULL(IB_USER_VERBS_EX_CMD_CREATE_CQ) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_CREATE_FLOW) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_CREATE_QP) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_CREATE_RWQ_IND_TBL) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_CREATE_WQ) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_DESTROY_FLOW) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_DESTROY_RWQ_IND_TBL) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_DESTROY_WQ) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_MODIFY_CQ) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_MODIFY_QP) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_MODIFY_WQ) |
		BIT_ULL(IB_USER_VERBS_EX_CMD_QUERY_DEVICE);
	return ib_register_device(dev, name, dma_device);
}
#define ib_register_device sfab_compat_register_device
#endif

#ifndef HAVE_RDMA_DRIVER_SFAB
/*
 * Kernels without sfab upstream have no driver id for it. ib_core only
 * compares driver ids (device lookup by netdev, ib_unregister_driver,
 * the uverbs ioctl header), so an id outside the enum's range keeps
 * sfab's devices apart from every other driver's; RDMA_DRIVER_UNKNOWN
 * would match them all.
 */
#define RDMA_DRIVER_SFAB ((enum rdma_driver_id)0x5fab)
#endif

#endif /* SFAB_COMPAT_H */
