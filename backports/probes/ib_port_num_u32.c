// SPDX-License-Identifier: GPL-2.0
/* ib_device_ops take the port number as u32, not u8 (v5.13). */
#include <rdma/ib_verbs.h>

static int sfab_probe_query_port(struct ib_device *dev, u32 port_num,
				 struct ib_port_attr *attr)
{
	return 0;
}

const struct ib_device_ops sfab_probe_ops = {
	.query_port = sfab_probe_query_port,
};
