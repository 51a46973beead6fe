/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * sfab: software RoCEv2 for any Ethernet netdevice.
 */
#ifndef SFAB_H
#define SFAB_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/netdevice.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <rdma/ib_verbs.h>

#include <rdma/sfab-abi.h>

#include "sfab_hdr.h"

#define SFAB_PORT		1
#define SFAB_GID_TBL_LEN	64
#define SFAB_PKEY_TBL_LEN	1
#define SFAB_DEFAULT_PKEY	0xffff
#define SFAB_VENDOR_ID		0xffffff	/* no IEEE OUI: software device */
#define SFAB_MAX_PD		0x10000
#define SFAB_MAX_QP		0x10000
#define SFAB_MAX_QP_WR		0x4000
#define SFAB_MAX_SGE		32
#define SFAB_MAX_INLINE		256
#define SFAB_MAX_CQ		0x10000
#define SFAB_MAX_CQE		0x10000
#define SFAB_MAX_MR		0x40000
#define SFAB_MAX_FAST_REG_PAGES	1024
#define SFAB_MAX_SRQ		0x10000
#define SFAB_MAX_AH		0x10000
/* As rdma_rxe: peers set our depth to theirs (perftest does). */
#define SFAB_MAX_RD_ATOMIC	128
#define SFAB_MAX_MSG_SIZE	BIT(30)
#define SFAB_LOCAL_ACK_DELAY	15

/* Packets a requester keeps unacknowledged, and asks an ACK every. */
#define SFAB_MAX_INFLIGHT	128
#define SFAB_ACKREQ_EVERY	32
/* Packets one run of a QP handles before it yields. */
#define SFAB_BUDGET		64
/* Received packets queued on one QP before more are dropped. */
#define SFAB_MAX_RXQ		1024

enum sfab_counter {
	SFAB_CNT_SENT_PKTS,
	SFAB_CNT_RCVD_PKTS,
	SFAB_CNT_SENT_BYTES,
	SFAB_CNT_RCVD_BYTES,
	SFAB_CNT_RETRANSMITS,
	SFAB_CNT_RETRY_TIMEOUTS,
	SFAB_CNT_SEQ_NAKS_SENT,
	SFAB_CNT_SEQ_NAKS_RCVD,
	SFAB_CNT_RNR_NAKS_SENT,
	SFAB_CNT_RNR_NAKS_RCVD,
	SFAB_CNT_OTHER_NAKS_SENT,
	SFAB_CNT_OTHER_NAKS_RCVD,
	SFAB_CNT_DUP_REQUESTS,
	SFAB_CNT_OUT_OF_SEQ,
	SFAB_CNT_ICRC_ERRORS,
	SFAB_CNT_MALFORMED,
	SFAB_CNT_UNKNOWN_QP,
	SFAB_CNT_RX_DROPPED,
	SFAB_CNT_TX_ERRORS,
	SFAB_CNT_UD_NO_RECV,
	SFAB_CNT_WRONG_PEER,
	SFAB_NUM_COUNTERS,
};

/**
 * struct sfab_dev - one sfab device, bound to one Ethernet netdevice
 * @ibdev: the RDMA device; must stay first for ib_alloc_device()
 * @ndev: the netdevice carrying the device's traffic, held for the life
 *	of the device (released in dealloc_driver)
 * @ndev_tracker: reference tracker of @ndev
 * @net: network namespace of @ndev, whose RoCEv2 socket the device uses
 *	while @net_held
 * @net_held: the device holds a reference on @net's sfab sockets
 * @port_state: last port state dispatched to ib_core; written under RTNL
 *	by the netdevice notifier, read locklessly by query_port
 * @num_pd: protection domains allocated, against SFAB_MAX_PD
 * @num_qp: QPs allocated, against SFAB_MAX_QP
 * @num_cq: CQs allocated, against SFAB_MAX_CQ
 * @num_srq: SRQs allocated, against SFAB_MAX_SRQ
 * @num_ah: AHs allocated, against SFAB_MAX_AH
 * @qps: QPs by number; readers use RCU and take a reference
 * @next_qpn: where the cyclic QP number allocation goes on
 * @mrs: memory regions by key index (key >> 8); readers as for @qps
 * @next_mr: where the cyclic key index allocation goes on
 * @stats: the device's counters (enum sfab_counter)
 */
struct sfab_dev {
	struct ib_device ibdev;
	struct net_device *ndev;
	netdevice_tracker ndev_tracker;
	struct net *net;
	atomic_t net_held;
	enum ib_port_state port_state;
	atomic_t num_pd;
	atomic_t num_qp;
	atomic_t num_cq;
	atomic_t num_srq;
	atomic_t num_ah;
	struct xarray qps;
	u32 next_qpn;
	struct xarray mrs;
	u32 next_mr;
	atomic64_t stats[SFAB_NUM_COUNTERS];
};

struct sfab_ucontext {
	struct ib_ucontext ibuc;
};

struct sfab_pd {
	struct ib_pd ibpd;
};

/**
 * struct sfab_av - where packets go: a RoCEv2 path
 * @family: AF_INET or AF_INET6
 * @saddr: source address (of the source GID)
 * @daddr: destination address (of the destination GID)
 * @tos: IPv4 TOS or IPv6 traffic class
 * @ttl: IPv4 TTL or IPv6 hop limit
 * @flow_label: IPv6 flow label; also seeds the UDP source port
 */
struct sfab_av {
	u16 family;
	u8 tos;
	u8 ttl;
	u32 flow_label;
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;
};

struct sfab_ah {
	struct ib_ah ibah;
	struct sfab_av av;
};

enum sfab_mr_type {
	SFAB_MR_DMA,		/* kernel virtual addresses, no bounds */
	SFAB_MR_USER,		/* pinned user pages */
	SFAB_MR_FAST,		/* pages given by map_mr_sg, REG_MR WRs */
};

/**
 * struct sfab_mr - memory region
 * @ibmr: the core's MR; iova and length are the region's
 * @ref: references; the key table holds one, lookups take more
 * @done: completed when @ref drops to zero
 * @index: key index (key >> 8)
 * @type: what the region's addresses are
 * @valid: the keys work (fast registration MRs toggle this)
 * @access: IB_ACCESS_* of the region
 * @umem: pinned user memory of a SFAB_MR_USER region
 * @pages: kernel addresses of the region's pages
 * @npages: used entries of @pages
 * @max_pages: entries of @pages
 * @page_shift: log2 of the size of the pages
 * @page_offset: offset of iova in the first page
 */
struct sfab_mr {
	struct ib_mr ibmr;
	refcount_t ref;
	struct completion done;
	u32 index;
	enum sfab_mr_type type;
	bool valid;
	int access;
	struct ib_umem *umem;
	u64 *pages;
	u32 npages;
	u32 max_pages;
	unsigned int page_shift;
	u32 page_offset;
};

/* Ring of work queue entries, indices run freely and wrap. */
struct sfab_wq {
	void *buf;
	u32 entries;		/* a power of 2 */
	u32 wqe_size;
	u32 head;		/* next to post */
	u32 tail;		/* oldest not completed */
	u32 max_sge;
};

struct sfab_srq {
	struct ib_srq ibsrq;
	spinlock_t lock;	/* producers and the QPs that consume */
	struct sfab_wq rq;
	u32 limit;
};

struct sfab_recv_wqe {
	u64 wr_id;
	u32 num_sge;
	u32 length;
	struct ib_sge sge[];
};

enum sfab_wqe_flags {
	SFAB_WQE_INLINE		= BIT(0),
	SFAB_WQE_STARTED	= BIT(1),	/* PSNs assigned */
	SFAB_WQE_DONE		= BIT(2),	/* ready to complete */
	SFAB_WQE_REREAD		= BIT(3),	/* asked again after a gap */
};

struct sfab_send_wqe {
	u64 wr_id;
	enum ib_wr_opcode opcode;
	int send_flags;
	u32 flags;
	u32 status;		/* enum ib_wc_status when DONE */
	union {
		__be32 imm_data;
		u32 invalidate_rkey;
	} ex;
	u64 remote_addr;
	u32 rkey;
	u64 compare_add;
	u64 swap;
	/* UD */
	struct sfab_av av;
	u32 remote_qpn;
	u32 remote_qkey;
	u16 pkey_index;
	/* REG_MR */
	struct sfab_mr *reg_mr;
	u32 reg_key;
	int reg_access;
	/* progress */
	u32 length;
	u32 num_sge;
	u32 first_psn;
	u32 last_psn;
	u32 npkts;
	u32 resp_offset;	/* READ: response bytes received */
	u32 reread_psn;		/* SFAB_WQE_REREAD: asked from this PSN */
	/* num_sge struct ib_sge, or SFAB_WQE_INLINE data */
	u8 data[] __aligned(8);
};

static inline struct ib_sge *sfab_wqe_sge(struct sfab_send_wqe *wqe)
{
	return (struct ib_sge *)wqe->data;
}

/* Where a message's data is in a work request's SGE list. */
struct sfab_sge_cursor {
	const struct ib_sge *sge;
	u32 num_sge;
	u32 index;
	u32 offset;
};

/* Responder resource: a READ or atomic request kept for duplicates. */
struct sfab_resp_res {
	u8 opcode;
	u32 first_psn;
	u32 last_psn;
	u32 msn;
	/* READ */
	u64 req_va;		/* the request's, which a duplicate must fit */
	u32 req_length;
	u64 va;			/* what is being answered now */
	u32 rkey;
	u32 length;
	u32 sent;		/* bytes of responses generated */
	u32 next_psn;
	/* atomic */
	u64 orig;
};

struct sfab_cq {
	struct ib_cq ibcq;
	spinlock_t lock;	/* the ring and notify */
	struct ib_wc *queue;
	u32 entries;
	u32 head;
	u32 tail;
	u8 notify;		/* IB_CQ_SOLICITED or IB_CQ_NEXT_COMP, armed */
	bool overflow;
	int cpu;
	struct work_struct notify_work;
};

/*
 * Queue pair. @lock covers everything not set at create: post takes only
 * the ring locks, modify and query take @lock, and all transport
 * processing of the QP (received packets in @rxq, sending, timers) runs
 * under it, in the poster's or the receive softirq's context or in
 * @work. Lookups from the receive path hold references (@ref, @done).
 */
struct sfab_qp {
	struct ib_qp ibqp;
	struct sfab_dev *sdev;
	refcount_t ref;
	struct completion done;
	spinlock_t lock;	/* see above */
	bool is_user;
	enum ib_qp_state state;
	struct sfab_cq *scq;
	struct sfab_cq *rcq;
	struct sfab_srq *srq;
	struct sfab_wq sq;
	struct sfab_wq rq;
	u32 max_inline;
	bool sq_sig_all;
	bool sqd_notify;
	bool destroying;
	spinlock_t sq_lock;	/* SQ producer (post_send) */
	spinlock_t rq_lock;	/* RQ producer (post_recv) */

	/* attributes */
	int access;
	u32 dest_qpn;
	u32 qkey;
	u16 pkey_index;
	enum ib_mtu path_mtu;
	u32 mtu;
	struct sfab_av av;
	__be16 sport;
	u8 timeout;
	u8 retry_cnt;
	u8 rnr_retry;
	u8 min_rnr_timer;
	u8 max_rd_atomic;
	u8 max_dest_rd_atomic;

	/* requester and completer */
	struct {
		u32 psn;		/* next new PSN */
		u32 cur;		/* SQ index of the WQE being sent */
		u32 offset;		/* bytes of it sent */
		u32 una_psn;		/* oldest unacknowledged PSN */
		u32 acked_psn;		/* newest PSN acknowledged */
		u32 since_ackreq;
		u32 rd_atomic;		/* READ/atomic WQEs sent, not completed */
		u8 retry_left;
		u8 rnr_left;
		u32 rnr_psn;		/* RNR NAK: resend from this PSN */
		bool rnr_wait;
		bool rnr_expired;
		bool timed_out;
		bool drained;
	} req;
	struct timer_list retry_timer;
	struct timer_list rnr_timer;

	/* responder */
	struct {
		u32 epsn;		/* expected PSN */
		u32 msn;
		bool nak_sent;		/* PSN sequence NAK, until epsn comes */
		bool ack_pending;
		u32 ack_psn;
		u32 in_msg;		/* SFAB_M_SEND/WRITE of a message begun */
		struct sfab_recv_wqe *wqe;	/* receive WQE being filled */
		u32 offset;
		u64 va;			/* WRITE being received */
		u32 rkey;
		u32 resid;
		u32 wlen;
		struct sfab_resp_res *res;	/* max_dest_rd_atomic */
		u32 res_next;
		struct sfab_resp_res *active;	/* READ being answered */
	} resp;
	u8 *resp_wqe_buf;	/* receive WQE copied out of the RQ/SRQ */

	struct sk_buff_head rxq;
	struct work_struct work;

	/* this QP's share of the device's counters */
	atomic64_t stats[SFAB_NUM_COUNTERS];
};

/* Parsed packet: kept in skb->cb while it waits on a QP. */
struct sfab_pkt {
	struct sfab_dev *sdev;
	u8 *hdr;		/* BTH */
	u32 mask;
	u32 psn;
	u32 qpn;
	u32 paylen;		/* payload without pad and ICRC */
	u8 opcode;
	u8 family;
	u8 hdr_len;		/* BTH and extension headers */
};

static inline struct sfab_pkt *sfab_pkt(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct sfab_pkt) > sizeof(skb->cb));
	return (struct sfab_pkt *)skb->cb;
}

static inline struct sfab_bth *sfab_bth(struct sfab_pkt *pkt)
{
	return (struct sfab_bth *)pkt->hdr;
}

static inline void *sfab_ext(struct sfab_pkt *pkt, u32 which)
{
	return pkt->hdr + sfab_ext_offset(pkt->mask, which);
}

static inline u8 *sfab_payload(struct sfab_pkt *pkt)
{
	return pkt->hdr + pkt->hdr_len;
}

/* A create request's flags and reserved field must be ones sfab knows. */
static inline int sfab_check_create(u32 flags, u32 reserved)
{
	return flags & ~SFAB_CREATE_FLAGS_SUPPORTED || reserved ? -EOPNOTSUPP : 0;
}

static inline struct sfab_dev *to_sdev(struct ib_device *ibdev)
{
	return container_of(ibdev, struct sfab_dev, ibdev);
}

static inline struct sfab_pd *to_spd(struct ib_pd *ibpd)
{
	return container_of(ibpd, struct sfab_pd, ibpd);
}

static inline struct sfab_ah *to_sah(struct ib_ah *ibah)
{
	return container_of(ibah, struct sfab_ah, ibah);
}

static inline struct sfab_cq *to_scq(struct ib_cq *ibcq)
{
	return ibcq ? container_of(ibcq, struct sfab_cq, ibcq) : NULL;
}

static inline struct sfab_srq *to_ssrq(struct ib_srq *ibsrq)
{
	return ibsrq ? container_of(ibsrq, struct sfab_srq, ibsrq) : NULL;
}

static inline struct sfab_qp *to_sqp(struct ib_qp *ibqp)
{
	return container_of(ibqp, struct sfab_qp, ibqp);
}

static inline struct sfab_mr *to_smr(struct ib_mr *ibmr)
{
	return container_of(ibmr, struct sfab_mr, ibmr);
}

static inline void sfab_count(struct sfab_dev *sdev, enum sfab_counter c)
{
	atomic64_inc(&sdev->stats[c]);
}

static inline void sfab_count_add(struct sfab_dev *sdev, enum sfab_counter c,
				  u64 n)
{
	atomic64_add(n, &sdev->stats[c]);
}

/* Counts an event of @qp, for the QP and for its device. */
static inline void sfab_qp_count_add(struct sfab_qp *qp, enum sfab_counter c,
				     u64 n)
{
	atomic64_add(n, &qp->stats[c]);
	sfab_count_add(qp->sdev, c, n);
}

static inline void sfab_qp_count(struct sfab_qp *qp, enum sfab_counter c)
{
	sfab_qp_count_add(qp, c, 1);
}

static inline void *sfab_wq_entry(struct sfab_wq *wq, u32 index)
{
	return wq->buf + (size_t)(index & (wq->entries - 1)) * wq->wqe_size;
}

static inline u32 sfab_wq_count(struct sfab_wq *wq)
{
	return wq->head - wq->tail;
}

/* sfab_main.c */
extern struct workqueue_struct *sfab_wq;
enum ib_port_state sfab_netdev_port_state(struct net_device *ndev);
enum ib_mtu sfab_port_active_mtu(struct sfab_dev *sdev);
u32 sfab_port_mtu(struct sfab_dev *sdev);

/* sfab_net.c */
int sfab_net_init(void);
void sfab_net_exit(void);
int sfab_net_get(struct sfab_dev *sdev);
void sfab_net_put(struct sfab_dev *sdev);
struct sk_buff *sfab_pkt_alloc(struct sfab_dev *sdev, const struct sfab_av *av,
			       u8 opcode, u32 paylen, struct sfab_pkt **pktp);
int sfab_xmit(struct sfab_qp *qp, const struct sfab_av *av, __be16 sport,
	      struct sk_buff *skb);

/* sfab_verbs.c */
extern const struct ib_device_ops sfab_dev_ops;
int sfab_av_from_attr(struct sfab_av *av, const struct rdma_ah_attr *attr);
bool sfab_pkt_from_av(const struct sfab_av *av, const struct sk_buff *skb);

/* sfab_cq.c */
int sfab_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
		   struct uverbs_attr_bundle *attrs);
int sfab_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata);
int sfab_poll_cq(struct ib_cq *ibcq, int num_entries, struct ib_wc *wc);
int sfab_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags);
void sfab_cq_post(struct sfab_cq *cq, const struct ib_wc *wc, bool solicited);
void sfab_cq_clean(struct sfab_cq *cq, struct sfab_qp *qp);

/* sfab_mr.c */
struct ib_mr *sfab_get_dma_mr(struct ib_pd *ibpd, int access);
struct ib_mr *sfab_reg_user_mr(struct ib_pd *ibpd, u64 start, u64 length,
			       u64 iova, int access, struct ib_dmah *dmah,
			       struct ib_udata *udata);
struct ib_mr *sfab_alloc_mr(struct ib_pd *ibpd, enum ib_mr_type type,
			    u32 max_num_sg);
int sfab_map_mr_sg(struct ib_mr *ibmr, struct scatterlist *sg, int sg_nents,
		   unsigned int *sg_offset);
int sfab_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata);
struct sfab_mr *sfab_mr_get(struct sfab_dev *sdev, u32 key, bool remote);
void sfab_mr_put(struct sfab_mr *mr);
int sfab_mr_check(struct sfab_mr *mr, struct ib_pd *pd, int access, u64 iova,
		  u64 len);
void *sfab_mr_addr(struct sfab_mr *mr, u64 iova, u32 *contig);
void sfab_cursor_init(struct sfab_sge_cursor *cur, const struct ib_sge *sge,
		      u32 num_sge, u32 off);
enum ib_wc_status sfab_copy_sges(struct sfab_dev *sdev, struct ib_pd *pd,
				 struct sfab_sge_cursor *cur, void *buf,
				 u32 len, bool to_sge);
int sfab_reg_mr_wqe(struct sfab_qp *qp, struct sfab_send_wqe *wqe);
int sfab_invalidate(struct sfab_dev *sdev, struct ib_pd *pd, u32 rkey);

/* sfab_qp.c */
int sfab_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		   struct ib_udata *udata);
int sfab_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		   struct ib_udata *udata);
int sfab_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_qp_init_attr *init);
int sfab_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata);
int sfab_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		   const struct ib_send_wr **bad_wr);
int sfab_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		   const struct ib_recv_wr **bad_wr);
int sfab_create_srq(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		    struct ib_udata *udata);
int sfab_modify_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		    enum ib_srq_attr_mask mask, struct ib_udata *udata);
int sfab_query_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr);
int sfab_destroy_srq(struct ib_srq *ibsrq, struct ib_udata *udata);
int sfab_post_srq_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		       const struct ib_recv_wr **bad_wr);
struct sfab_qp *sfab_qp_get(struct sfab_dev *sdev, u32 qpn);
void sfab_qp_put(struct sfab_qp *qp);
void sfab_qp_schedule(struct sfab_qp *qp);
void sfab_qp_run(struct sfab_qp *qp);
void sfab_qp_error(struct sfab_qp *qp);
void sfab_qp_set_state(struct sfab_qp *qp, enum ib_qp_state state);
void sfab_qp_rcv(struct sfab_qp *qp, struct sk_buff *skb, bool direct);
struct sfab_recv_wqe *sfab_get_recv_wqe(struct sfab_qp *qp);
void sfab_send_cqe(struct sfab_qp *qp, struct sfab_send_wqe *wqe,
		   enum ib_wc_status status);
void sfab_recv_cqe(struct sfab_qp *qp, struct ib_wc *wc, bool solicited);

/* sfab_req.c */
void sfab_req_run(struct sfab_qp *qp, int *budget);
void sfab_comp_rcv(struct sfab_qp *qp, struct sk_buff *skb);
void sfab_req_flush(struct sfab_qp *qp);
void sfab_retry_timer(struct timer_list *t);
void sfab_rnr_timer(struct timer_list *t);

/* sfab_resp.c */
void sfab_resp_rcv(struct sfab_qp *qp, struct sk_buff *skb);
void sfab_resp_run(struct sfab_qp *qp, int *budget);
void sfab_resp_ack(struct sfab_qp *qp);
void sfab_resp_flush(struct sfab_qp *qp);

/* sfab_stats.c */
struct rdma_hw_stats *sfab_alloc_hw_port_stats(struct ib_device *ibdev,
					       u32 port_num);
int sfab_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats,
		      u32 port_num, int index);
int sfab_fill_res_qp_entry(struct sk_buff *msg, struct ib_qp *ibqp);

#endif /* SFAB_H */
