// SPDX-License-Identifier: GPL-2.0
/* rdma_get_udp_sport(): the RoCEv2 UDP source port of a flow or QP pair. */
#include <rdma/ib_verbs.h>

u16 sfab_probe(u32 fl, u32 lqpn, u32 rqpn);
u16 sfab_probe(u32 fl, u32 lqpn, u32 rqpn)
{
	return rdma_get_udp_sport(fl, lqpn, rqpn);
}
