// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: the device's counters, as rdma netlink hw stats of its port
 * ("rdma statistic show link sfab0/1"), and each QP's transport state and
 * counters as restrack driver attributes ("rdma res show qp -dd").
 */

#include <net/ipv6.h>
#include <rdma/restrack.h>

#include "sfab.h"

static const struct rdma_stat_desc sfab_stat_descs[] = {
	[SFAB_CNT_SENT_PKTS].name = "sent_pkts",
	[SFAB_CNT_RCVD_PKTS].name = "rcvd_pkts",
	[SFAB_CNT_SENT_BYTES].name = "sent_bytes",
	[SFAB_CNT_RCVD_BYTES].name = "rcvd_bytes",
	[SFAB_CNT_RETRANSMITS].name = "retransmits",
	[SFAB_CNT_RETRY_TIMEOUTS].name = "retry_timeouts",
	[SFAB_CNT_SEQ_NAKS_SENT].name = "seq_naks_sent",
	[SFAB_CNT_SEQ_NAKS_RCVD].name = "seq_naks_rcvd",
	[SFAB_CNT_RNR_NAKS_SENT].name = "rnr_naks_sent",
	[SFAB_CNT_RNR_NAKS_RCVD].name = "rnr_naks_rcvd",
	[SFAB_CNT_OTHER_NAKS_SENT].name = "other_naks_sent",
	[SFAB_CNT_OTHER_NAKS_RCVD].name = "other_naks_rcvd",
	[SFAB_CNT_DUP_REQUESTS].name = "duplicate_requests",
	[SFAB_CNT_OUT_OF_SEQ].name = "out_of_sequence",
	[SFAB_CNT_ICRC_ERRORS].name = "icrc_errors",
	[SFAB_CNT_MALFORMED].name = "malformed_dropped",
	[SFAB_CNT_UNKNOWN_QP].name = "unknown_qp_dropped",
	[SFAB_CNT_RX_DROPPED].name = "rx_dropped",
	[SFAB_CNT_TX_ERRORS].name = "tx_errors",
	[SFAB_CNT_UD_NO_RECV].name = "ud_no_recv_dropped",
	[SFAB_CNT_WRONG_PEER].name = "wrong_peer_dropped",
};

static_assert(ARRAY_SIZE(sfab_stat_descs) == SFAB_NUM_COUNTERS);

struct rdma_hw_stats *sfab_alloc_hw_port_stats(struct ib_device *ibdev,
					       u32 port_num)
{
	return rdma_alloc_hw_stats_struct(sfab_stat_descs,
					  ARRAY_SIZE(sfab_stat_descs),
					  RDMA_HW_STATS_DEFAULT_LIFESPAN);
}

int sfab_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats,
		      u32 port_num, int index)
{
	struct sfab_dev *sdev = to_sdev(ibdev);
	int i;

	for (i = 0; i < SFAB_NUM_COUNTERS; i++)
		stats->value[i] = atomic64_read(&sdev->stats[i]);
	return SFAB_NUM_COUNTERS;
}

/* The counters that mean something for one QP, in restrack order. */
static const enum sfab_counter sfab_qp_counters[] = {
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
	SFAB_CNT_RX_DROPPED,
	SFAB_CNT_UD_NO_RECV,
};

struct sfab_qp_snapshot {
	u32 una_psn;
	u32 sq_posted;
	u32 rq_posted;
	u32 rd_atomic;
	u32 retry_left;
	u32 rnr_left;
	u32 timeout;
	u32 retry_cnt;
	u32 rnr_retry;
	u32 mtu;
	u32 udp_sport;
	bool connected;
	struct in6_addr dgid;
};

static void sfab_qp_snapshot(struct sfab_qp *qp, struct sfab_qp_snapshot *s)
{
	spin_lock_bh(&qp->lock);
	s->una_psn = qp->req.una_psn;
	s->sq_posted = READ_ONCE(qp->sq.head) - qp->sq.tail;
	s->rq_posted = qp->srq ? 0 : READ_ONCE(qp->rq.head) - qp->rq.tail;
	s->rd_atomic = qp->req.rd_atomic;
	s->retry_left = qp->req.retry_left;
	s->rnr_left = qp->req.rnr_left;
	s->timeout = qp->timeout;
	s->retry_cnt = qp->retry_cnt;
	s->rnr_retry = qp->rnr_retry;
	s->mtu = qp->mtu;
	s->udp_sport = be16_to_cpu(qp->sport);
	s->connected = qp->ibqp.qp_type == IB_QPT_RC &&
		       qp->state >= IB_QPS_RTR && qp->state <= IB_QPS_SQE;
	if (qp->av.family == AF_INET)
		ipv6_addr_set_v4mapped(qp->av.daddr.v4, &s->dgid);
	else
		s->dgid = qp->av.daddr.v6;
	spin_unlock_bh(&qp->lock);
}

/**
 * sfab_fill_res_qp_entry - a QP's transport state and counters for restrack
 * @msg: the netlink message being filled
 * @ibqp: the QP
 *
 * Return: 0, or -EMSGSIZE when @msg is full.
 */
int sfab_fill_res_qp_entry(struct sk_buff *msg, struct ib_qp *ibqp)
{
	char gid[sizeof("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")];
	struct sfab_qp *qp = to_sqp(ibqp);
	struct sfab_qp_snapshot s;
	struct nlattr *table;
	size_t i;

	sfab_qp_snapshot(qp, &s);
	table = nla_nest_start(msg, RDMA_NLDEV_ATTR_DRIVER);
	if (!table)
		return -EMSGSIZE;
	if (rdma_nl_put_driver_u32(msg, "una_psn", s.una_psn) ||
	    rdma_nl_put_driver_u32(msg, "sq_posted", s.sq_posted) ||
	    rdma_nl_put_driver_u32(msg, "rq_posted", s.rq_posted) ||
	    rdma_nl_put_driver_u32(msg, "rd_atomic", s.rd_atomic) ||
	    rdma_nl_put_driver_u32(msg, "retry_left", s.retry_left) ||
	    rdma_nl_put_driver_u32(msg, "rnr_left", s.rnr_left) ||
	    rdma_nl_put_driver_u32(msg, "timeout", s.timeout) ||
	    rdma_nl_put_driver_u32(msg, "retry_cnt", s.retry_cnt) ||
	    rdma_nl_put_driver_u32(msg, "rnr_retry", s.rnr_retry) ||
	    rdma_nl_put_driver_u32(msg, "mtu", s.mtu) ||
	    rdma_nl_put_driver_u32(msg, "udp_sport", s.udp_sport))
		goto full;
	if (s.connected) {
		snprintf(gid, sizeof(gid), "%pI6c", &s.dgid);
		if (rdma_nl_put_driver_string(msg, "dgid", gid))
			goto full;
	}
	for (i = 0; i < ARRAY_SIZE(sfab_qp_counters); i++) {
		enum sfab_counter c = sfab_qp_counters[i];

		if (rdma_nl_put_driver_u64(msg, sfab_stat_descs[c].name,
					   atomic64_read(&qp->stats[c])))
			goto full;
	}
	nla_nest_end(msg, table);
	return 0;

full:
	nla_nest_cancel(msg, table);
	return -EMSGSIZE;
}
