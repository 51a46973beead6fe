// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: the responder side of a QP. Executes incoming requests in PSN
 * order, acknowledges them (coalesced: one ACK per run of the QP's work),
 * NAKs sequence errors, missing receive WQEs (RNR), invalid requests and
 * access errors, answers READ and atomic requests and replays them for
 * duplicates from its responder resources. Also receives UD and GSI.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>

#include "sfab.h"

static void sfab_resp_send_ack(struct sfab_qp *qp, u8 syndrome, u32 psn)
{
	struct sfab_aeth *aeth;
	struct sfab_pkt *pkt;
	struct sfab_bth *bth;
	struct sk_buff *skb;

	skb = sfab_pkt_alloc(qp->sdev, &qp->av, SFAB_ACKNOWLEDGE, 0, &pkt);
	if (!skb)
		return;
	bth = sfab_bth(pkt);
	bth->pkey = htons(SFAB_DEFAULT_PKEY);
	bth->qpn = cpu_to_be32(qp->dest_qpn);
	bth->apsn = cpu_to_be32(psn);
	aeth = sfab_ext(pkt, SFAB_M_AETH);
	aeth->smsn = cpu_to_be32((u32)syndrome << 24 |
				 (qp->resp.msn & SFAB_AETH_MSN_MASK));
	sfab_xmit(qp, &qp->av, qp->sport, skb);
}

/* Sends the ACK the requests of this run asked for, if any. */
void sfab_resp_ack(struct sfab_qp *qp)
{
	if (!qp->resp.ack_pending)
		return;
	qp->resp.ack_pending = false;
	sfab_resp_send_ack(qp, SFAB_AETH_ACK | SFAB_AETH_NO_CREDIT,
			   qp->resp.ack_psn);
}

/* A NAK that ends the connection: the QP goes to the error state. */
static void sfab_resp_fatal(struct sfab_qp *qp, u8 code)
{
	sfab_qp_count(qp, SFAB_CNT_OTHER_NAKS_SENT);
	qp->resp.ack_pending = false;
	sfab_resp_send_ack(qp, SFAB_AETH_NAK | code, qp->resp.epsn);
	sfab_qp_error(qp);
}

static void sfab_resp_rnr(struct sfab_qp *qp)
{
	sfab_qp_count(qp, SFAB_CNT_RNR_NAKS_SENT);
	qp->resp.ack_pending = false;
	sfab_resp_send_ack(qp, SFAB_AETH_RNR_NAK | qp->min_rnr_timer,
			   qp->resp.epsn);
}

/* The packet at the expected PSN was executed. */
static void sfab_resp_advance(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	qp->resp.epsn = sfab_psn_add(qp->resp.epsn, 1);
	if (pkt->mask & SFAB_M_LAST) {
		qp->resp.msn++;
		qp->resp.in_msg = 0;
	} else {
		qp->resp.in_msg = pkt->mask & (SFAB_M_SEND | SFAB_M_WRITE);
	}
	if (be32_to_cpu(sfab_bth(pkt)->apsn) & SFAB_BTH_ACKREQ) {
		qp->resp.ack_pending = true;
		qp->resp.ack_psn = pkt->psn;
	}
}

/*
 * Copies to or from the memory behind an rkey, checking the access
 * rights and bounds. Returns 0 or -EACCES.
 */
static int sfab_resp_mr_copy(struct sfab_qp *qp, u32 rkey, u64 va, void *buf,
			     u32 len, int access, bool to_mr)
{
	struct sfab_mr *mr;
	u32 contig, chunk;
	void *addr;

	if (!len)
		return 0;
	mr = sfab_mr_get(qp->sdev, rkey, true);
	if (!mr)
		return -EACCES;
	if (sfab_mr_check(mr, qp->ibqp.pd, access, va, len)) {
		sfab_mr_put(mr);
		return -EACCES;
	}
	while (len) {
		addr = sfab_mr_addr(mr, va, &contig);
		chunk = min(len, contig);
		if (to_mr)
			memcpy(addr, buf, chunk);
		else
			memcpy(buf, addr, chunk);
		buf += chunk;
		va += chunk;
		len -= chunk;
	}
	sfab_mr_put(mr);
	return 0;
}

static int sfab_resp_check_rkey(struct sfab_qp *qp, u32 rkey, u64 va, u32 len,
				int access)
{
	struct sfab_mr *mr;
	int err;

	if (!len)
		return 0;
	mr = sfab_mr_get(qp->sdev, rkey, true);
	if (!mr)
		return -EACCES;
	err = sfab_mr_check(mr, qp->ibqp.pd, access, va, len);
	sfab_mr_put(mr);
	return err;
}

/* The opcode may come now, the QP allows it, its payload size is right. */
static bool sfab_resp_valid(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	u32 kind = pkt->mask & (SFAB_M_SEND | SFAB_M_WRITE | SFAB_M_READ |
				SFAB_M_ATOMIC);

	if (qp->resp.in_msg) {
		if (kind != qp->resp.in_msg || (pkt->mask & SFAB_M_FIRST))
			return false;
	} else if (!(pkt->mask & SFAB_M_FIRST)) {
		return false;
	}
	if ((kind == SFAB_M_WRITE && !(qp->access & IB_ACCESS_REMOTE_WRITE)) ||
	    (kind == SFAB_M_READ && !(qp->access & IB_ACCESS_REMOTE_READ)) ||
	    (kind == SFAB_M_ATOMIC &&
	     !(qp->access & IB_ACCESS_REMOTE_ATOMIC)))
		return false;
	/* FIRST and MIDDLE packets are full; a LAST one carries data too. */
	if ((pkt->mask & SFAB_M_ONLY) == SFAB_M_LAST)
		return pkt->paylen && pkt->paylen <= qp->mtu;
	if (pkt->mask & SFAB_M_LAST)
		return pkt->paylen <= qp->mtu;
	return pkt->paylen == qp->mtu;
}

static void sfab_resp_send(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	struct sfab_sge_cursor cur;
	struct sfab_recv_wqe *wqe;
	enum ib_wc_status status;
	struct ib_wc wc = {};

	if (pkt->mask & SFAB_M_FIRST) {
		wqe = sfab_get_recv_wqe(qp);
		if (!wqe) {
			sfab_resp_rnr(qp);
			return;
		}
		qp->resp.wqe = wqe;
		qp->resp.offset = 0;
	}
	wqe = qp->resp.wqe;
	sfab_cursor_init(&cur, wqe->sge, wqe->num_sge, qp->resp.offset);
	status = sfab_copy_sges(qp->sdev, qp->ibqp.pd, &cur,
				sfab_payload(pkt), pkt->paylen, true);
	qp->resp.offset += pkt->paylen;

	wc.wr_id = wqe->wr_id;
	wc.opcode = IB_WC_RECV;
	wc.src_qp = qp->dest_qpn;
	if (status != IB_WC_SUCCESS) {
		wc.status = status;
		qp->resp.wqe = NULL;
		sfab_recv_cqe(qp, &wc, false);
		sfab_resp_fatal(qp, status == IB_WC_LOC_LEN_ERR ?
				    SFAB_NAK_INVALID_REQ : SFAB_NAK_REMOTE_OP);
		return;
	}
	if (pkt->mask & SFAB_M_LAST) {
		wc.byte_len = qp->resp.offset;
		if (pkt->mask & SFAB_M_IMMDT) {
			wc.ex.imm_data = *(__be32 *)sfab_ext(pkt, SFAB_M_IMMDT);
			wc.wc_flags |= IB_WC_WITH_IMM;
		}
		if (pkt->mask & SFAB_M_IETH) {
			u32 rkey = be32_to_cpu(*(__be32 *)sfab_ext(pkt,
								    SFAB_M_IETH));

			/* The requester's error, not ours: class J. */
			if (sfab_invalidate(qp->sdev, qp->ibqp.pd, rkey)) {
				wc.status = IB_WC_REM_INV_REQ_ERR;
				qp->resp.wqe = NULL;
				sfab_recv_cqe(qp, &wc, false);
				sfab_resp_fatal(qp, SFAB_NAK_INVALID_REQ);
				return;
			}
			wc.ex.invalidate_rkey = rkey;
			wc.wc_flags |= IB_WC_WITH_INVALIDATE;
		}
		qp->resp.wqe = NULL;
		sfab_recv_cqe(qp, &wc,
			      sfab_bth(pkt)->flags & SFAB_BTH_SE);
	}
	sfab_resp_advance(qp, pkt);
}

static void sfab_resp_write(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	struct ib_wc wc = {};

	if (pkt->mask & SFAB_M_RETH) {
		struct sfab_reth *reth = sfab_ext(pkt, SFAB_M_RETH);
		u32 len = be32_to_cpu(reth->len);

		if (len > SFAB_MAX_MSG_SIZE ||
		    ((pkt->mask & SFAB_M_LAST) ? pkt->paylen != len :
						 pkt->paylen >= len)) {
			sfab_resp_fatal(qp, SFAB_NAK_INVALID_REQ);
			return;
		}
		qp->resp.va = be64_to_cpu(reth->va);
		qp->resp.rkey = be32_to_cpu(reth->rkey);
		qp->resp.resid = len;
		qp->resp.wlen = len;
		if (sfab_resp_check_rkey(qp, qp->resp.rkey, qp->resp.va, len,
					 IB_ACCESS_REMOTE_WRITE)) {
			sfab_resp_fatal(qp, SFAB_NAK_REMOTE_ACCESS);
			return;
		}
	}
	if (pkt->paylen > qp->resp.resid ||
	    ((pkt->mask & SFAB_M_LAST) && pkt->paylen != qp->resp.resid)) {
		sfab_resp_fatal(qp, SFAB_NAK_INVALID_REQ);
		return;
	}
	if ((pkt->mask & SFAB_M_IMMDT) && !qp->resp.wqe) {
		qp->resp.wqe = sfab_get_recv_wqe(qp);
		if (!qp->resp.wqe) {
			sfab_resp_rnr(qp);
			return;
		}
	}
	if (sfab_resp_mr_copy(qp, qp->resp.rkey, qp->resp.va,
			      sfab_payload(pkt), pkt->paylen,
			      IB_ACCESS_REMOTE_WRITE, true)) {
		sfab_resp_fatal(qp, SFAB_NAK_REMOTE_ACCESS);
		return;
	}
	qp->resp.va += pkt->paylen;
	qp->resp.resid -= pkt->paylen;

	if (pkt->mask & SFAB_M_IMMDT) {
		wc.wr_id = qp->resp.wqe->wr_id;
		wc.opcode = IB_WC_RECV_RDMA_WITH_IMM;
		wc.byte_len = qp->resp.wlen;
		wc.src_qp = qp->dest_qpn;
		wc.ex.imm_data = *(__be32 *)sfab_ext(pkt, SFAB_M_IMMDT);
		wc.wc_flags = IB_WC_WITH_IMM;
		qp->resp.wqe = NULL;
		sfab_recv_cqe(qp, &wc, sfab_bth(pkt)->flags & SFAB_BTH_SE);
	}
	sfab_resp_advance(qp, pkt);
}

static struct sfab_resp_res *sfab_resp_new_res(struct sfab_qp *qp)
{
	struct sfab_resp_res *res = &qp->resp.res[qp->resp.res_next];

	qp->resp.res_next = (qp->resp.res_next + 1) % qp->max_dest_rd_atomic;
	if (qp->resp.active == res)
		qp->resp.active = NULL;
	memset(res, 0, sizeof(*res));
	return res;
}

static void sfab_resp_read(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	struct sfab_reth *reth = sfab_ext(pkt, SFAB_M_RETH);
	u32 len = be32_to_cpu(reth->len);
	struct sfab_resp_res *res;
	u32 npkts;

	if (!qp->max_dest_rd_atomic || len > SFAB_MAX_MSG_SIZE) {
		sfab_resp_fatal(qp, SFAB_NAK_INVALID_REQ);
		return;
	}
	if (sfab_resp_check_rkey(qp, be32_to_cpu(reth->rkey),
				 be64_to_cpu(reth->va), len,
				 IB_ACCESS_REMOTE_READ)) {
		sfab_resp_fatal(qp, SFAB_NAK_REMOTE_ACCESS);
		return;
	}
	npkts = max(DIV_ROUND_UP(len, qp->mtu), 1U);
	res = sfab_resp_new_res(qp);
	res->opcode = SFAB_READ_REQUEST;
	res->first_psn = pkt->psn;
	res->last_psn = sfab_psn_add(pkt->psn, npkts - 1);
	res->req_va = be64_to_cpu(reth->va);
	res->req_length = len;
	res->va = res->req_va;
	res->rkey = be32_to_cpu(reth->rkey);
	res->length = len;
	res->next_psn = pkt->psn;
	res->msn = ++qp->resp.msn;
	qp->resp.epsn = sfab_psn_add(res->last_psn, 1);
	/* The responses acknowledge everything before them. */
	qp->resp.ack_pending = false;
	qp->resp.active = res;
}

static void sfab_resp_atomic_ack(struct sfab_qp *qp, struct sfab_resp_res *res)
{
	struct sfab_atmack *atmack;
	struct sfab_aeth *aeth;
	struct sfab_pkt *pkt;
	struct sfab_bth *bth;
	struct sk_buff *skb;

	skb = sfab_pkt_alloc(qp->sdev, &qp->av, SFAB_ATOMIC_ACKNOWLEDGE, 0,
			     &pkt);
	if (!skb)
		return;
	bth = sfab_bth(pkt);
	bth->pkey = htons(SFAB_DEFAULT_PKEY);
	bth->qpn = cpu_to_be32(qp->dest_qpn);
	bth->apsn = cpu_to_be32(res->first_psn);
	aeth = sfab_ext(pkt, SFAB_M_AETH);
	aeth->smsn = cpu_to_be32((SFAB_AETH_ACK | SFAB_AETH_NO_CREDIT) << 24 |
				 (res->msn & SFAB_AETH_MSN_MASK));
	atmack = sfab_ext(pkt, SFAB_M_ATMACK);
	atmack->orig = cpu_to_be64(res->orig);
	sfab_xmit(qp, &qp->av, qp->sport, skb);
}

/*
 * The target is ordinary memory that the CPUs, and other QPs on other
 * CPUs, use at the same time: the operation is one atomic instruction
 * on it, not a read and a write under a lock of the driver's.
 */
static u64 sfab_fetch_add64(u64 *addr, u64 add)
{
	u64 old, prev = READ_ONCE(*addr);

	do {
		old = prev;
		prev = cmpxchg64(addr, old, old + add);
	} while (prev != old);
	return old;
}

static void sfab_resp_atomic(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	struct sfab_atmeth *ath = sfab_ext(pkt, SFAB_M_ATMETH);
	u64 va = be64_to_cpu(ath->va);
	struct sfab_resp_res *res;
	struct sfab_mr *mr;
	u32 contig;
	u64 *addr;
	u64 orig;

	if (!qp->max_dest_rd_atomic || (va & 7)) {
		sfab_resp_fatal(qp, SFAB_NAK_INVALID_REQ);
		return;
	}
	mr = sfab_mr_get(qp->sdev, be32_to_cpu(ath->rkey), true);
	if (!mr || sfab_mr_check(mr, qp->ibqp.pd, IB_ACCESS_REMOTE_ATOMIC, va,
				 sizeof(u64))) {
		if (mr)
			sfab_mr_put(mr);
		sfab_resp_fatal(qp, SFAB_NAK_REMOTE_ACCESS);
		return;
	}
	addr = sfab_mr_addr(mr, va, &contig);
	if (!IS_ALIGNED((uintptr_t)addr, sizeof(u64))) {
		/* An iova aligned where the pages it maps are not. */
		sfab_mr_put(mr);
		sfab_resp_fatal(qp, SFAB_NAK_INVALID_REQ);
		return;
	}
	if (pkt->opcode == SFAB_CMP_SWAP)
		orig = cmpxchg64(addr, be64_to_cpu(ath->compare),
				 be64_to_cpu(ath->swap_add));
	else
		orig = sfab_fetch_add64(addr, be64_to_cpu(ath->swap_add));
	sfab_mr_put(mr);

	res = sfab_resp_new_res(qp);
	res->opcode = pkt->opcode;
	res->first_psn = pkt->psn;
	res->last_psn = pkt->psn;
	res->orig = orig;
	res->msn = ++qp->resp.msn;
	qp->resp.epsn = sfab_psn_add(pkt->psn, 1);
	qp->resp.ack_pending = false;
	sfab_resp_atomic_ack(qp, res);
}

/*
 * A repeated READ asks again for the rest of the original request from
 * its PSN on: the same rkey, the address at that PSN's offset and no more
 * than the rest. Anything else would send responses into the PSNs of
 * later requests, or data the original did not ask for.
 */
static bool sfab_resp_dup_read_fits(struct sfab_qp *qp,
				    const struct sfab_resp_res *res,
				    struct sfab_pkt *pkt)
{
	struct sfab_reth *reth = sfab_ext(pkt, SFAB_M_RETH);
	/* The caller found @pkt's PSN within the request's PSNs. */
	u64 off = (u64)((pkt->psn - res->first_psn) & SFAB_PSN_MASK) * qp->mtu;

	return be32_to_cpu(reth->rkey) == res->rkey &&
	       off <= res->req_length &&
	       be64_to_cpu(reth->va) == res->req_va + off &&
	       be32_to_cpu(reth->len) <= res->req_length - off;
}

/* A request the responder has executed before: answer it again. */
static void sfab_resp_dup(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	u32 i;

	sfab_qp_count(qp, SFAB_CNT_DUP_REQUESTS);
	if (pkt->mask & (SFAB_M_SEND | SFAB_M_WRITE)) {
		qp->resp.ack_pending = true;
		qp->resp.ack_psn = sfab_psn_add(qp->resp.epsn, SFAB_PSN_MASK);
		return;
	}
	for (i = 0; i < qp->max_dest_rd_atomic; i++) {
		struct sfab_resp_res *res = &qp->resp.res[i];

		if (!res->opcode || sfab_psn_cmp(pkt->psn, res->first_psn) < 0 ||
		    sfab_psn_cmp(pkt->psn, res->last_psn) > 0)
			continue;
		if (pkt->opcode == SFAB_READ_REQUEST &&
		    res->opcode == SFAB_READ_REQUEST) {
			struct sfab_reth *reth = sfab_ext(pkt, SFAB_M_RETH);

			if (!sfab_resp_dup_read_fits(qp, res, pkt)) {
				sfab_qp_count(qp, SFAB_CNT_MALFORMED);
				return;
			}
			/* Possibly the rest of a READ, from this PSN on. */
			res->va = be64_to_cpu(reth->va);
			res->length = be32_to_cpu(reth->len);
			res->sent = 0;
			res->next_psn = pkt->psn;
			qp->resp.active = res;
		} else if (pkt->opcode == res->opcode &&
			   pkt->psn == res->first_psn) {
			sfab_resp_atomic_ack(qp, res);
		}
		return;
	}
}

static void sfab_resp_ud(struct sfab_qp *qp, struct sk_buff *skb)
{
	struct sfab_pkt *pkt = sfab_pkt(skb);
	struct sfab_deth *deth = sfab_ext(pkt, SFAB_M_DETH);
	struct sfab_sge_cursor cur = {};
	struct sfab_recv_wqe *wqe;
	enum ib_wc_status status;
	u8 grh[SFAB_GRH_LEN] = {};
	struct ib_wc wc = {};

	if (be32_to_cpu(deth->qkey) != qp->qkey) {
		sfab_qp_count(qp, SFAB_CNT_RX_DROPPED);
		return;
	}
	wqe = sfab_get_recv_wqe(qp);
	if (!wqe) {
		sfab_qp_count(qp, SFAB_CNT_UD_NO_RECV);
		return;
	}
	/* RoCEv2: the IP header stands in for the GRH, IPv4 in its tail. */
	if (pkt->family == AF_INET)
		memcpy(grh + SFAB_GRH_LEN - sizeof(struct iphdr), ip_hdr(skb),
		       sizeof(struct iphdr));
	else
		memcpy(grh, ipv6_hdr(skb), sizeof(struct ipv6hdr));
	cur.sge = wqe->sge;
	cur.num_sge = wqe->num_sge;
	status = sfab_copy_sges(qp->sdev, qp->ibqp.pd, &cur, grh, sizeof(grh),
				true);
	if (status == IB_WC_SUCCESS)
		status = sfab_copy_sges(qp->sdev, qp->ibqp.pd, &cur,
					sfab_payload(pkt), pkt->paylen, true);

	wc.wr_id = wqe->wr_id;
	wc.status = status;
	wc.opcode = IB_WC_RECV;
	wc.byte_len = SFAB_GRH_LEN + pkt->paylen;
	wc.src_qp = be32_to_cpu(deth->sqp) & SFAB_QPN_MASK;
	wc.wc_flags = IB_WC_GRH | IB_WC_WITH_NETWORK_HDR_TYPE;
	wc.network_hdr_type = pkt->family == AF_INET ? RDMA_NETWORK_IPV4 :
						       RDMA_NETWORK_IPV6;
	if (pkt->mask & SFAB_M_IMMDT) {
		wc.ex.imm_data = *(__be32 *)sfab_ext(pkt, SFAB_M_IMMDT);
		wc.wc_flags |= IB_WC_WITH_IMM;
	}
	sfab_recv_cqe(qp, &wc, sfab_bth(pkt)->flags & SFAB_BTH_SE);
}

/**
 * sfab_resp_rcv - a request packet for this QP
 * @qp: the QP, locked, in RTR or a later working state
 * @skb: the packet, consumed
 */
void sfab_resp_rcv(struct sfab_qp *qp, struct sk_buff *skb)
{
	struct sfab_pkt *pkt = sfab_pkt(skb);
	int cmp;

	if (qp->ibqp.qp_type != IB_QPT_RC) {
		sfab_resp_ud(qp, skb);
		goto out;
	}
	cmp = sfab_psn_cmp(pkt->psn, qp->resp.epsn);
	if (cmp > 0) {
		sfab_qp_count(qp, SFAB_CNT_OUT_OF_SEQ);
		if (!qp->resp.nak_sent) {
			qp->resp.nak_sent = true;
			qp->resp.ack_pending = false;
			sfab_qp_count(qp, SFAB_CNT_SEQ_NAKS_SENT);
			sfab_resp_send_ack(qp, SFAB_AETH_NAK | SFAB_NAK_PSN_SEQ,
					   qp->resp.epsn);
		}
		goto out;
	}
	if (cmp < 0) {
		sfab_resp_dup(qp, pkt);
		goto out;
	}
	qp->resp.nak_sent = false;
	if (!sfab_resp_valid(qp, pkt)) {
		sfab_resp_fatal(qp, SFAB_NAK_INVALID_REQ);
		goto out;
	}
	if (pkt->mask & SFAB_M_SEND)
		sfab_resp_send(qp, pkt);
	else if (pkt->mask & SFAB_M_WRITE)
		sfab_resp_write(qp, pkt);
	else if (pkt->mask & SFAB_M_READ)
		sfab_resp_read(qp, pkt);
	else
		sfab_resp_atomic(qp, pkt);
out:
	kfree_skb(skb);
}

/* Sends READ responses of the active responder resource. */
void sfab_resp_run(struct sfab_qp *qp, int *budget)
{
	struct sfab_resp_res *res = qp->resp.active;

	while (res && *budget > 0) {
		u32 paylen = min(qp->mtu, res->length - res->sent);
		bool first = !res->sent;
		bool last = res->sent + paylen == res->length;
		struct sfab_aeth *aeth;
		struct sfab_pkt *pkt;
		struct sfab_bth *bth;
		struct sk_buff *skb;
		u8 opcode;

		opcode = first && last ? SFAB_READ_RESPONSE_ONLY :
			 first ? SFAB_READ_RESPONSE_FIRST :
			 last ? SFAB_READ_RESPONSE_LAST :
				SFAB_READ_RESPONSE_MIDDLE;
		skb = sfab_pkt_alloc(qp->sdev, &qp->av, opcode, paylen, &pkt);
		if (!skb)
			return;
		if (sfab_resp_mr_copy(qp, res->rkey, res->va + res->sent,
				      sfab_payload(pkt), paylen,
				      IB_ACCESS_REMOTE_READ, false)) {
			kfree_skb(skb);
			qp->resp.active = NULL;
			qp->resp.epsn = res->next_psn;
			sfab_resp_fatal(qp, SFAB_NAK_REMOTE_ACCESS);
			return;
		}
		bth = sfab_bth(pkt);
		bth->pkey = htons(SFAB_DEFAULT_PKEY);
		bth->qpn = cpu_to_be32(qp->dest_qpn);
		bth->apsn = cpu_to_be32(res->next_psn);
		if (pkt->mask & SFAB_M_AETH) {
			aeth = sfab_ext(pkt, SFAB_M_AETH);
			aeth->smsn = cpu_to_be32((SFAB_AETH_ACK |
						  SFAB_AETH_NO_CREDIT) << 24 |
						 (res->msn &
						  SFAB_AETH_MSN_MASK));
		}
		sfab_xmit(qp, &qp->av, qp->sport, skb);
		res->sent += paylen;
		res->next_psn = sfab_psn_add(res->next_psn, 1);
		(*budget)--;
		if (last) {
			qp->resp.active = NULL;
			res = NULL;
		}
	}
}

void sfab_resp_flush(struct sfab_qp *qp)
{
	qp->resp.active = NULL;
	qp->resp.in_msg = 0;
	qp->resp.ack_pending = false;
}
