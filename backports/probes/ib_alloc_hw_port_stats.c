// SPDX-License-Identifier: GPL-2.0
/*
 * ib_device_ops.alloc_hw_port_stats (after v5.10); before, one
 * alloc_hw_stats op served the device (port 0) and its ports.
 */
#include <rdma/ib_verbs.h>

static struct rdma_hw_stats *sfab_probe_alloc(struct ib_device *dev,
					      u32 port_num)
{
	return NULL;
}

const struct ib_device_ops sfab_probe_ops = {
	.alloc_hw_port_stats = sfab_probe_alloc,
};
