// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: the device's counters, as rdma netlink hw stats of its port
 * ("rdma statistic show link sfab0/1").
 */

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
