// SPDX-License-Identifier: GPL-2.0
/*
 * struct rdma_stat_desc and rdma_alloc_hw_stats_struct() taking it (after
 * v5.10); before, the helper took an array of names.
 */
#include <rdma/ib_verbs.h>

static const struct rdma_stat_desc sfab_probe_descs[] = {
	{ .name = "sfab_probe" },
};

struct rdma_hw_stats *sfab_probe(void);
struct rdma_hw_stats *sfab_probe(void)
{
	return rdma_alloc_hw_stats_struct(sfab_probe_descs, 1,
					  RDMA_HW_STATS_DEFAULT_LIFESPAN);
}
