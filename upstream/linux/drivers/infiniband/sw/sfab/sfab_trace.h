/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * sfab tracepoints: packets sent and received, QP state changes.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM sfab

#if !defined(_SFAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SFAB_TRACE_H

#include <linux/tracepoint.h>

#include "sfab.h"

DECLARE_EVENT_CLASS(sfab_packet,
		    TP_PROTO(struct sfab_dev *sdev, struct sfab_pkt *pkt),
		    TP_ARGS(sdev, pkt),
		    TP_STRUCT__entry(__field(u32, dev)
				     __field(u32, qpn)
				     __field(u32, psn)
				     __field(u32, paylen)
				     __field(u8, opcode)
				     __field(bool, ackreq)),
		    TP_fast_assign(__entry->dev = sdev->ibdev.index;
				   __entry->qpn = be32_to_cpu(sfab_bth(pkt)->qpn) &
						  SFAB_QPN_MASK;
				   __entry->psn = be32_to_cpu(sfab_bth(pkt)->apsn) &
						  SFAB_PSN_MASK;
				   __entry->paylen = pkt->paylen;
				   __entry->opcode = pkt->opcode;
				   __entry->ackreq =
					!!(be32_to_cpu(sfab_bth(pkt)->apsn) &
					   SFAB_BTH_ACKREQ);),
		    TP_printk("dev %u qpn 0x%x opcode 0x%02x psn %u%s len %u",
			      __entry->dev, __entry->qpn, __entry->opcode,
			      __entry->psn, __entry->ackreq ? " ackreq" : "",
			      __entry->paylen)
);

DEFINE_EVENT(sfab_packet, sfab_tx,
	     TP_PROTO(struct sfab_dev *sdev, struct sfab_pkt *pkt),
	     TP_ARGS(sdev, pkt));

DEFINE_EVENT(sfab_packet, sfab_rx,
	     TP_PROTO(struct sfab_dev *sdev, struct sfab_pkt *pkt),
	     TP_ARGS(sdev, pkt));

TRACE_EVENT(sfab_qp_state,
	    TP_PROTO(struct sfab_qp *qp, enum ib_qp_state from,
		     enum ib_qp_state to),
	    TP_ARGS(qp, from, to),
	    TP_STRUCT__entry(__field(u32, dev)
			     __field(u32, qpn)
			     __field(u8, from)
			     __field(u8, to)),
	    TP_fast_assign(__entry->dev = qp->sdev->ibdev.index;
			   __entry->qpn = qp->ibqp.qp_num;
			   __entry->from = from;
			   __entry->to = to;),
	    TP_printk("dev %u qpn 0x%x %s -> %s", __entry->dev, __entry->qpn,
		      __print_symbolic(__entry->from,
				       { IB_QPS_RESET, "RESET" },
				       { IB_QPS_INIT, "INIT" },
				       { IB_QPS_RTR, "RTR" },
				       { IB_QPS_RTS, "RTS" },
				       { IB_QPS_SQD, "SQD" },
				       { IB_QPS_SQE, "SQE" },
				       { IB_QPS_ERR, "ERR" }),
		      __print_symbolic(__entry->to,
				       { IB_QPS_RESET, "RESET" },
				       { IB_QPS_INIT, "INIT" },
				       { IB_QPS_RTR, "RTR" },
				       { IB_QPS_RTS, "RTS" },
				       { IB_QPS_SQD, "SQD" },
				       { IB_QPS_SQE, "SQE" },
				       { IB_QPS_ERR, "ERR" }))
);

#endif /* _SFAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE sfab_trace
#include <trace/define_trace.h>
