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
#include <linux/overflow.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <net/udp_tunnel.h>
#include <rdma/ib_umem.h>
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

#ifndef HAVE_KZALLOC_OBJ
/*
 * The typed allocators (not in the 5.10 and 6.1 trees): the ones sfab
 * uses, with the same saturating size and optional GFP (GFP_KERNEL).
 */
#define __sfab_gfp(...) ___sfab_gfp(, ##__VA_ARGS__, GFP_KERNEL)
#define ___sfab_gfp(a, b, ...) b
#define __sfab_alloc_objs(KMALLOC, GFP, TYPE, COUNT) \
	((TYPE *)KMALLOC(size_mul(sizeof(TYPE), COUNT), GFP))
#define kzalloc_obj(P, ...) \
	__sfab_alloc_objs(kzalloc, __sfab_gfp(__VA_ARGS__), typeof(P), 1)
#define kzalloc_objs(P, COUNT, ...) \
	__sfab_alloc_objs(kzalloc, __sfab_gfp(__VA_ARGS__), typeof(P), COUNT)
#define kvzalloc_objs(P, COUNT, ...) \
	__sfab_alloc_objs(kvzalloc, __sfab_gfp(__VA_ARGS__), typeof(P), COUNT)
#endif

#ifndef HAVE_STRUCT_SIZE_T
/* struct_size() of a type (v6.5; not in the 5.10 and 6.1 trees). */
#define struct_size_t(type, member, count) \
	struct_size((type *)NULL, member, count)
#endif

#ifndef HAVE_TIMER_CONTAINER_OF
/* v7.2 renamed from_timer(). */
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

#ifndef HAVE_GET_RANDOM_U32_INCLUSIVE
/*
 * get_random_u32_inclusive() and get_random_u8() came with v6.2 (and
 * 6.1.y); before, the same from get_random_u32(), which is uniform
 * enough here (QP numbers, the key byte).
 */
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil)
{
	return floor + get_random_u32() % (ceil - floor + 1);
}

static inline u8 get_random_u8(void)
{
	return get_random_u32();
}
#endif

#ifndef HAVE_TIMER_DELETE
/* del_timer() before the timer_delete() name (not in the 5.10 trees). */
#define timer_delete(timer) del_timer(timer)
#endif

#ifndef HAVE_TIMER_SHUTDOWN_SYNC
/*
 * Before v6.2 a timer had no "shut down" state that makes later
 * mod_timer() calls no-ops: del_timer_sync() is the same only while
 * nothing re-arms the timer afterwards. sfab's timers are armed only by
 * its QP work, which stops (qp->destroying) before the timers are shut
 * down.
 */
#define timer_shutdown_sync(timer) del_timer_sync(timer)
#endif

#ifndef HAVE_IN_HARDIRQ
/* in_irq() before its in_hardirq() name (not in the 5.10 trees). */
#define in_hardirq() in_irq()
#endif

#ifndef HAVE_WQ_PERCPU
/*
 * v7.2 warns about workqueues with neither WQ_PERCPU nor WQ_UNBOUND;
 * before WQ_PERCPU existed, a workqueue without WQ_UNBOUND was per-CPU.
 */
#define WQ_PERCPU 0
#endif

#ifndef HAVE_UDP_TUNNEL_SOCK_SK
/*
 * v7.2: setup_udp_tunnel_sock() and udp_tunnel_sock_release() take the
 * struct sock. Sockets from udp_sock_create() always have sk_socket.
 * The old release also waits for an RCU grace period; sfab does not rely
 * on one being there or not.
 */
static inline void sfab_compat_setup_udp_tunnel_sock(struct net *net,
						     struct sock *sk,
						     struct udp_tunnel_sock_cfg *cfg)
{
	setup_udp_tunnel_sock(net, sk->sk_socket, cfg);
}
#define setup_udp_tunnel_sock sfab_compat_setup_udp_tunnel_sock

static inline void sfab_compat_udp_tunnel_sock_release(struct sock *sk)
{
	udp_tunnel_sock_release(sk->sk_socket);
}
#define udp_tunnel_sock_release sfab_compat_udp_tunnel_sock_release
#endif

#ifndef HAVE_RDMA_GET_UDP_SPORT
/* The UDP source port of a RoCEv2 flow (not in the 5.10 trees). */
static inline u16 rdma_get_udp_sport(u32 fl, u32 lqpn, u32 rqpn)
{
	if (!fl)
		fl = rdma_calc_flow_label(lqpn, rqpn);
	return rdma_flow_label_to_udp_sport(fl);
}
#endif

#ifndef HAVE_IB_VIRT_DMA_TO_PTR
/*
 * A virt-DMA device's "DMA address" is the kernel virtual address
 * (ib_dma_map_*() and ib_dma_virt_map_sg() make it so since v5.10).
 */
static inline void *ib_virt_dma_to_ptr(u64 dma_addr)
{
	return (void *)(uintptr_t)dma_addr;
}
#endif

#ifndef HAVE_IB_COPY_VALIDATE_UDATA_IN
/*
 * v7.2's checked copies of a verb's driver data (ib_core_uverbs.c,
 * without its debug messages): input shorter than the first kernel's
 * struct is -EINVAL, input longer than this kernel's struct must be
 * zero there (else -EOPNOTSUPP); a response is truncated or zero-padded
 * to the user's buffer.
 */
static inline int sfab_compat_copy_validate_udata_in(struct ib_udata *udata,
						     void *req,
						     size_t kernel_size,
						     size_t minimum_size)
{
	int err;

	if (udata->inlen < minimum_size)
		return -EINVAL;
	err = copy_struct_from_user(req, kernel_size, udata->inbuf,
				    udata->inlen);
	return err == -E2BIG ? -EOPNOTSUPP : err;
}

static inline int sfab_compat_respond_udata(struct ib_udata *udata,
					    const void *src, size_t len)
{
	size_t copy_len = min(len, udata->outlen);

	if (copy_to_user(udata->outbuf, src, copy_len))
		return -EFAULT;
	if (copy_len < udata->outlen &&
	    clear_user(udata->outbuf + copy_len, udata->outlen - copy_len))
		return -EFAULT;
	return 0;
}

#define ib_copy_validate_udata_in(_udata, _req, _end_member)		\
	sfab_compat_copy_validate_udata_in(_udata, &(_req), sizeof(_req), \
					   offsetofend(typeof(_req),	\
						       _end_member))
#define ib_respond_udata(_udata, _rep) \
	sfab_compat_respond_udata(_udata, &(_rep), sizeof(_rep))
#endif

#ifndef HAVE_IB_UMEM_GET_VA
/* v7.2 renamed ib_umem_get() for plain user virtual addresses. */
static inline struct ib_umem *ib_umem_get_va(struct ib_device *device,
					     unsigned long addr, size_t size,
					     int access)
{
	return ib_umem_get(device, addr, size, access);
}
#endif

#ifndef HAVE_IB_REG_USER_MR_DMAH
/*
 * v7.2's reg_user_mr takes a DMA handle; cocci/ib_reg_user_mr_nodmah.cocci
 * passes NULL, as ib_core does for devices without alloc_dmah.
 */
struct ib_dmah;
#endif

#ifndef HAVE_RDMA_STAT_DESC
/*
 * Up to 5.10 hw counters were described by their names only, and
 * ib_core frees the stats with kfree(): keep the names in the same
 * allocation, after the values.
 */
struct rdma_stat_desc {
	const char *name;
	unsigned int flags;
	const void *priv;
};

static inline struct rdma_hw_stats *
sfab_compat_alloc_hw_stats_struct(const struct rdma_stat_desc *descs,
				  int num_counters, unsigned long lifespan)
{
	struct rdma_hw_stats *stats;
	const char **names;
	int i;

	stats = kzalloc(struct_size(stats, value, num_counters) +
			array_size(num_counters, sizeof(*names)), GFP_KERNEL);
	if (!stats)
		return NULL;
	names = (const char **)&stats->value[num_counters];
	for (i = 0; i < num_counters; i++)
		names[i] = descs[i].name;
	stats->names = names;
	stats->num_counters = num_counters;
	stats->lifespan = msecs_to_jiffies(lifespan);
	return stats;
}
#define rdma_alloc_hw_stats_struct sfab_compat_alloc_hw_stats_struct
#endif

#ifndef HAVE_IB_QP_CORE_ALLOC
/*
 * Up to 5.10 the driver allocated struct ib_qp: create_qp returned it,
 * destroy_qp freed it, and ib_core set the QP's core fields only after
 * create_qp. cocci/ib_qp_driver_alloc.cocci wraps sfab's create_qp and
 * destroy_qp in these, which allocate and free as ib_core does now and
 * set what v7.2 sets before create_qp (core/verbs.c create_qp()).
 */
static inline struct ib_qp *
sfab_compat_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
		      struct ib_udata *udata, size_t size,
		      int (*create)(struct ib_qp *, struct ib_qp_init_attr *,
				    struct ib_udata *))
{
	struct ib_qp *qp;
	int err;

	if (!pd)	/* an XRC target QP: sfab has no XRC */
		return ERR_PTR(-EOPNOTSUPP);
	qp = kzalloc(size, GFP_KERNEL);
	if (!qp)
		return ERR_PTR(-ENOMEM);
	qp->device = pd->device;
	qp->pd = pd;
	qp->real_qp = qp;
	qp->qp_type = init->qp_type;
	qp->rwq_ind_tbl = init->rwq_ind_tbl;
	qp->srq = init->srq;
	qp->event_handler = init->event_handler;
	qp->port = init->port_num;
	qp->qp_context = init->qp_context;
	qp->send_cq = init->send_cq;
	qp->recv_cq = init->recv_cq;
	err = create(qp, init, udata);
	if (err) {
		kfree(qp);
		return ERR_PTR(err);
	}
	return qp;
}

/* ib_core does not touch the QP after a successful destroy_qp. */
static inline int sfab_compat_destroy_qp(struct ib_qp *qp,
					 struct ib_udata *udata,
					 int (*destroy)(struct ib_qp *,
							struct ib_udata *))
{
	int err = destroy(qp, udata);

	if (!err)
		kfree(qp);
	return err;
}
#endif

#endif /* SFAB_COMPAT_H */
