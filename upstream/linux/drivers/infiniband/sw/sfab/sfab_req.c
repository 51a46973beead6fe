// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: the requester side of a QP. Turns send WQEs into packets within
 * a window of unacknowledged PSNs, handles ACKs, NAKs and READ and atomic
 * responses (the completer), retransmits on timeout, sequence NAK or RNR
 * NAK, and completes WQEs in order.
 */

#include "sfab.h"

/* RNR timer codes (IBA vol. 1 table 45), in microseconds. */
static const u32 sfab_rnr_usecs[32] = {
	655360, 10, 20, 30, 40, 60, 80, 120, 160, 240, 320, 480, 640, 960,
	1280, 1920, 2560, 3840, 5120, 7680, 10240, 15360, 20480, 30720,
	40960, 61440, 81920, 122880, 163840, 245760, 327680, 491520,
};

static bool sfab_wqe_rd_atomic(const struct sfab_send_wqe *wqe)
{
	return wqe->opcode == IB_WR_RDMA_READ ||
	       wqe->opcode == IB_WR_ATOMIC_CMP_AND_SWP ||
	       wqe->opcode == IB_WR_ATOMIC_FETCH_AND_ADD;
}

static bool sfab_wqe_local(const struct sfab_send_wqe *wqe)
{
	return wqe->opcode == IB_WR_REG_MR || wqe->opcode == IB_WR_LOCAL_INV;
}

static struct sfab_send_wqe *sfab_sq_wqe(struct sfab_qp *qp, u32 index)
{
	return sfab_wq_entry(&qp->sq, index);
}

static u8 sfab_req_opcode(const struct sfab_send_wqe *wqe, bool first,
			  bool last)
{
	bool imm = wqe->opcode == IB_WR_SEND_WITH_IMM ||
		   wqe->opcode == IB_WR_RDMA_WRITE_WITH_IMM;
	bool inv = wqe->opcode == IB_WR_SEND_WITH_INV;

	switch (wqe->opcode) {
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
		if (first && last)
			return imm ? SFAB_WRITE_ONLY_IMM : SFAB_WRITE_ONLY;
		if (first)
			return SFAB_WRITE_FIRST;
		if (last)
			return imm ? SFAB_WRITE_LAST_IMM : SFAB_WRITE_LAST;
		return SFAB_WRITE_MIDDLE;
	case IB_WR_RDMA_READ:
		return SFAB_READ_REQUEST;
	case IB_WR_ATOMIC_CMP_AND_SWP:
		return SFAB_CMP_SWAP;
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		return SFAB_FETCH_ADD;
	default:
		if (first && last)
			return imm ? SFAB_SEND_ONLY_IMM :
			       inv ? SFAB_SEND_ONLY_INV : SFAB_SEND_ONLY;
		if (first)
			return SFAB_SEND_FIRST;
		if (last)
			return imm ? SFAB_SEND_LAST_IMM :
			       inv ? SFAB_SEND_LAST_INV : SFAB_SEND_LAST;
		return SFAB_SEND_MIDDLE;
	}
}

static enum ib_wc_status sfab_wqe_payload(struct sfab_qp *qp,
					  struct sfab_send_wqe *wqe, u32 off,
					  void *buf, u32 len)
{
	struct sfab_sge_cursor cur;

	if (wqe->flags & SFAB_WQE_INLINE) {
		memcpy(buf, wqe->data + off, len);
		return IB_WC_SUCCESS;
	}
	sfab_cursor_init(&cur, sfab_wqe_sge(wqe), wqe->num_sge, off);
	return sfab_copy_sges(qp->sdev, qp->ibqp.pd, &cur, buf, len, false);
}

/* The payload of @wqe's packet from @off on; sets @last for its last. */
static u32 sfab_req_paylen(struct sfab_qp *qp, const struct sfab_send_wqe *wqe,
			   u32 off, bool *last)
{
	u32 paylen = 0;

	*last = true;
	if (!sfab_wqe_rd_atomic(wqe)) {
		paylen = min(qp->mtu, wqe->length - off);
		*last = off + paylen == wqe->length;
	}
	return paylen;
}

/* Builds and sends the packet of @wqe at @psn with its bytes from @off. */
static enum ib_wc_status sfab_req_xmit(struct sfab_qp *qp,
				       struct sfab_send_wqe *wqe, u32 psn,
				       u32 off, bool ackreq)
{
	enum ib_wc_status status;
	struct sfab_pkt *pkt;
	struct sfab_bth *bth;
	struct sk_buff *skb;
	u32 paylen;
	bool last;
	u8 opcode;

	paylen = sfab_req_paylen(qp, wqe, off, &last);
	opcode = sfab_req_opcode(wqe, !off, last);
	skb = sfab_pkt_alloc(qp->sdev, &qp->av, opcode, paylen, &pkt);
	if (!skb)
		return IB_WC_GENERAL_ERR;

	if (paylen) {
		status = sfab_wqe_payload(qp, wqe, off, sfab_payload(pkt),
					  paylen);
		if (status != IB_WC_SUCCESS) {
			kfree_skb(skb);
			return status;
		}
	}
	bth = sfab_bth(pkt);
	if (last && (wqe->send_flags & IB_SEND_SOLICITED) &&
	    (pkt->mask & SFAB_M_SEND || pkt->mask & SFAB_M_IMMDT))
		bth->flags |= SFAB_BTH_SE;
	bth->pkey = htons(SFAB_DEFAULT_PKEY);
	bth->qpn = cpu_to_be32(qp->dest_qpn);
	bth->apsn = cpu_to_be32(psn | (ackreq ? SFAB_BTH_ACKREQ : 0));
	if (pkt->mask & SFAB_M_RETH) {
		struct sfab_reth *reth = sfab_ext(pkt, SFAB_M_RETH);

		reth->va = cpu_to_be64(wqe->remote_addr + off);
		reth->rkey = cpu_to_be32(wqe->rkey);
		reth->len = cpu_to_be32(wqe->length - off);
	}
	if (pkt->mask & SFAB_M_ATMETH) {
		struct sfab_atmeth *ath = sfab_ext(pkt, SFAB_M_ATMETH);
		bool cas = wqe->opcode == IB_WR_ATOMIC_CMP_AND_SWP;

		ath->va = cpu_to_be64(wqe->remote_addr);
		ath->rkey = cpu_to_be32(wqe->rkey);
		ath->swap_add = cpu_to_be64(cas ? wqe->swap : wqe->compare_add);
		ath->compare = cpu_to_be64(cas ? wqe->compare_add : 0);
	}
	if (pkt->mask & SFAB_M_IMMDT)
		*(__be32 *)sfab_ext(pkt, SFAB_M_IMMDT) = wqe->ex.imm_data;
	if (pkt->mask & SFAB_M_IETH)
		*(__be32 *)sfab_ext(pkt, SFAB_M_IETH) =
			cpu_to_be32(wqe->ex.invalidate_rkey);

	sfab_xmit(qp, &qp->av, qp->sport, skb);
	return IB_WC_SUCCESS;
}

static void sfab_req_timer_update(struct sfab_qp *qp)
{
	if (qp->req.una_psn == qp->req.psn || !qp->timeout ||
	    qp->req.rnr_wait) {
		timer_delete(&qp->retry_timer);
		return;
	}
	mod_timer(&qp->retry_timer,
		  jiffies + nsecs_to_jiffies(4096ULL << qp->timeout) + 1);
}

static void sfab_req_progress(struct sfab_qp *qp)
{
	qp->req.retry_left = qp->retry_cnt;
	qp->req.rnr_left = qp->rnr_retry;
	sfab_req_timer_update(qp);
}

/* The PSN of the next response a READ or atomic WQE waits for. */
static u32 sfab_wqe_resp_psn(struct sfab_qp *qp,
			     const struct sfab_send_wqe *wqe)
{
	return sfab_psn_add(wqe->first_psn, wqe->resp_offset / qp->mtu);
}

/*
 * The READ or atomic WQE, sent and not done, whose PSNs hold @psn: the
 * responses of each are taken in order, whichever WQE came first.
 */
static struct sfab_send_wqe *sfab_req_rd_wqe(struct sfab_qp *qp, u32 psn)
{
	/* Pairs with the release in sfab_post_send(): WQEs are written. */
	u32 i, head = smp_load_acquire(&qp->sq.head);

	for (i = qp->sq.tail; i != head; i++) {
		struct sfab_send_wqe *wqe = sfab_sq_wqe(qp, i);

		if (!(wqe->flags & SFAB_WQE_STARTED) ||
		    sfab_psn_cmp(psn, wqe->first_psn) < 0)
			break;
		if (sfab_wqe_local(wqe) || sfab_psn_cmp(psn, wqe->last_psn) > 0)
			continue;
		if (!sfab_wqe_rd_atomic(wqe) || (wqe->flags & SFAB_WQE_DONE))
			break;
		return wqe;
	}
	return NULL;
}

static void sfab_wqe_done(struct sfab_qp *qp, struct sfab_send_wqe *wqe,
			  enum ib_wc_status status)
{
	wqe->flags |= SFAB_WQE_DONE;
	wqe->status = status;
}

/*
 * Completes, in order, the WQEs at the SQ's tail that are done or, for
 * SEND and WRITE, acknowledged up to @ack_psn, and moves the oldest
 * unacknowledged PSN to the oldest WQE left (READs and atomics complete
 * out of order). Returns the READ or atomic WQE that an ACK passed while
 * its responses are missing, or NULL.
 */
static struct sfab_send_wqe *sfab_req_retire(struct sfab_qp *qp, u32 ack_psn,
					     bool acked)
{
	struct sfab_send_wqe *wqe;
	u32 psn;

	while (qp->sq.tail != qp->req.cur) {
		enum ib_wc_status status;

		wqe = sfab_sq_wqe(qp, qp->sq.tail);
		if (!(wqe->flags & SFAB_WQE_DONE)) {
			if (!acked || sfab_psn_cmp(wqe->last_psn, ack_psn) > 0)
				break;
			if (sfab_wqe_rd_atomic(wqe))
				return wqe;
			wqe->status = IB_WC_SUCCESS;
		}
		status = wqe->status;
		/* Its responder resource is free only now: they go in order. */
		if (sfab_wqe_rd_atomic(wqe))
			qp->req.rd_atomic--;
		sfab_send_cqe(qp, wqe, status);
		if (status != IB_WC_SUCCESS) {
			sfab_qp_error(qp);
			return NULL;
		}
	}
	wqe = sfab_sq_wqe(qp, qp->sq.tail);
	/* Pairs with the release in sfab_post_send(): WQEs are written. */
	if (qp->sq.tail == smp_load_acquire(&qp->sq.head) ||
	    !(wqe->flags & SFAB_WQE_STARTED) || sfab_wqe_local(wqe)) {
		/* Every packet sent is acknowledged. */
		if (qp->sq.tail == qp->req.cur)
			qp->req.una_psn = qp->req.psn;
		return NULL;
	}
	psn = sfab_wqe_rd_atomic(wqe) ? sfab_wqe_resp_psn(qp, wqe) :
					wqe->first_psn;
	if (sfab_psn_cmp(psn, qp->req.una_psn) > 0)
		qp->req.una_psn = psn;
	return NULL;
}

/* Resumes sending at @psn, which must be of a started WQE. */
static void sfab_req_rewind(struct sfab_qp *qp, u32 psn)
{
	u32 i, rd = 0;

	for (i = qp->sq.tail; i != qp->sq.head; i++) {
		struct sfab_send_wqe *wqe = sfab_sq_wqe(qp, i);

		if (!(wqe->flags & SFAB_WQE_STARTED))
			return;
		if (sfab_wqe_local(wqe) || (wqe->flags & SFAB_WQE_DONE) ||
		    sfab_psn_cmp(psn, wqe->last_psn) > 0) {
			if (sfab_wqe_rd_atomic(wqe))
				rd++;
			continue;
		}
		if (sfab_psn_cmp(psn, wqe->first_psn) < 0)
			psn = wqe->first_psn;
		qp->req.cur = i;
		qp->req.offset = 0;
		/* A READ asks again for what it misses, wherever @psn is. */
		if (!sfab_wqe_rd_atomic(wqe))
			qp->req.offset = ((psn - wqe->first_psn) &
					  SFAB_PSN_MASK) * qp->mtu;
		qp->req.psn = psn;
		qp->req.rd_atomic = rd;
		qp->req.since_ackreq = 0;
		sfab_qp_count(qp, SFAB_CNT_RETRANSMITS);
		return;
	}
}

/* The oldest WQE not completed fails with @status; the QP errs. */
static void sfab_req_fail(struct sfab_qp *qp, enum ib_wc_status status)
{
	if (qp->sq.tail == qp->sq.head)
		return;
	sfab_send_cqe(qp, sfab_sq_wqe(qp, qp->sq.tail), status);
	sfab_qp_error(qp);
}

/*
 * Asks again, once per gap, for a READ's responses from the first one
 * missing, or for an atomic's: the responder answers from its responder
 * resources. A lost request is left to the retransmit timer.
 */
static void sfab_req_reread(struct sfab_qp *qp, struct sfab_send_wqe *wqe)
{
	u32 psn = sfab_wqe_resp_psn(qp, wqe);

	if ((wqe->flags & SFAB_WQE_REREAD) && wqe->reread_psn == psn)
		return;
	wqe->flags |= SFAB_WQE_REREAD;
	wqe->reread_psn = psn;
	if (sfab_req_xmit(qp, wqe, psn, wqe->resp_offset, true) ==
	    IB_WC_SUCCESS)
		sfab_qp_count(qp, SFAB_CNT_RETRANSMITS);
	sfab_req_timer_update(qp);
}

/*
 * An ACK, a NAK or a response acknowledged the requests up to @psn. It is
 * progress, which resets the retry counters, if WQEs complete or if the
 * responder had not acknowledged @psn before: a READ or atomic whose
 * response is missing holds back the WQEs after it, not the retry count,
 * or sequence NAKs for the requests after it would exhaust it.
 */
static void sfab_req_acked(struct sfab_qp *qp, u32 psn)
{
	struct sfab_send_wqe *wqe;
	bool newer;

	/* Only ACKs for PSNs sent and not yet acknowledged count. */
	if (sfab_psn_cmp(psn, qp->req.una_psn) < 0 ||
	    sfab_psn_cmp(psn, qp->req.psn) >= 0)
		return;
	newer = sfab_psn_cmp(psn, qp->req.acked_psn) > 0;
	if (newer)
		qp->req.acked_psn = psn;
	qp->req.una_psn = sfab_psn_add(psn, 1);
	wqe = sfab_req_retire(qp, psn, true);
	if (wqe) {
		/* Later requests were answered, some of this one's not. */
		qp->req.una_psn = sfab_wqe_resp_psn(qp, wqe);
		sfab_req_reread(qp, wqe);
		if (!newer)
			return;
	}
	sfab_req_progress(qp);
}

static enum ib_wc_status sfab_wqe_to_sges(struct sfab_qp *qp,
					  struct sfab_send_wqe *wqe, u32 off,
					  void *buf, u32 len)
{
	struct sfab_sge_cursor cur;

	sfab_cursor_init(&cur, sfab_wqe_sge(wqe), wqe->num_sge, off);
	return sfab_copy_sges(qp->sdev, qp->ibqp.pd, &cur, buf, len, true);
}

/*
 * A READ response. Each response carries the data at its PSN's offset,
 * whichever request (the first, or one asking again) it answers.
 */
static void sfab_comp_read(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	struct sfab_send_wqe *wqe = sfab_req_rd_wqe(qp, pkt->psn);
	enum ib_wc_status status;
	int cmp;

	if (!wqe || wqe->opcode != IB_WR_RDMA_READ)
		return;
	cmp = sfab_psn_cmp(pkt->psn, sfab_wqe_resp_psn(qp, wqe));
	if (cmp) {
		/* Taken before (< 0) or one before it is missing (> 0). */
		if (cmp > 0) {
			sfab_qp_count(qp, SFAB_CNT_OUT_OF_SEQ);
			sfab_req_reread(qp, wqe);
		}
		return;
	}
	if ((pkt->psn == wqe->first_psn && !(pkt->mask & SFAB_M_FIRST)) ||
	    (!(pkt->mask & SFAB_M_LAST) && pkt->paylen != qp->mtu) ||
	    pkt->paylen > wqe->length - wqe->resp_offset ||
	    ((pkt->mask & SFAB_M_LAST) &&
	     wqe->resp_offset + pkt->paylen != wqe->length)) {
		sfab_qp_count(qp, SFAB_CNT_MALFORMED);
		return;
	}
	status = sfab_wqe_to_sges(qp, wqe, wqe->resp_offset,
				  sfab_payload(pkt), pkt->paylen);
	wqe->resp_offset += pkt->paylen;
	if (status != IB_WC_SUCCESS || (pkt->mask & SFAB_M_LAST))
		sfab_wqe_done(qp, wqe, status);
	/* A response also acknowledges every request before it. */
	sfab_req_acked(qp, pkt->psn);
}

static void sfab_comp_atomic(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	struct sfab_send_wqe *wqe = sfab_req_rd_wqe(qp, pkt->psn);
	struct sfab_atmack *ack = sfab_ext(pkt, SFAB_M_ATMACK);
	enum ib_wc_status status;
	u64 orig;

	if (!wqe || wqe->opcode == IB_WR_RDMA_READ)
		return;
	orig = be64_to_cpu(ack->orig);
	status = sfab_wqe_to_sges(qp, wqe, 0, &orig, sizeof(orig));
	sfab_wqe_done(qp, wqe, status);
	sfab_req_acked(qp, pkt->psn);
}

static enum ib_wc_status sfab_nak_status(u8 code)
{
	switch (code) {
	case SFAB_NAK_INVALID_REQ:
		return IB_WC_REM_INV_REQ_ERR;
	case SFAB_NAK_REMOTE_ACCESS:
		return IB_WC_REM_ACCESS_ERR;
	default:
		return IB_WC_REM_OP_ERR;
	}
}

static void sfab_comp_ack(struct sfab_qp *qp, struct sfab_pkt *pkt)
{
	struct sfab_aeth *aeth = sfab_ext(pkt, SFAB_M_AETH);
	u8 syn = be32_to_cpu(aeth->smsn) >> 24;
	u32 prev = sfab_psn_add(pkt->psn, SFAB_PSN_MASK);

	/*
	 * A NAK names the request it refuses: one sent and not yet
	 * acknowledged. One for an older PSN is stale (or forged); acting on
	 * it would spend retries, rewind or fail the QP for nothing.
	 */
	if ((syn & SFAB_AETH_TYPE_MASK) != SFAB_AETH_ACK &&
	    sfab_psn_cmp(pkt->psn, qp->req.una_psn) < 0) {
		sfab_qp_count(qp, SFAB_CNT_OUT_OF_SEQ);
		return;
	}

	switch (syn & SFAB_AETH_TYPE_MASK) {
	case SFAB_AETH_ACK:
		sfab_req_acked(qp, pkt->psn);
		break;
	case SFAB_AETH_RNR_NAK:
		sfab_qp_count(qp, SFAB_CNT_RNR_NAKS_RCVD);
		sfab_req_acked(qp, prev);
		if (qp->state == IB_QPS_ERR)
			break;
		if (!qp->req.rnr_left) {
			sfab_req_fail(qp, IB_WC_RNR_RETRY_EXC_ERR);
			break;
		}
		if (qp->rnr_retry != 7)
			qp->req.rnr_left--;
		qp->req.rnr_wait = true;
		qp->req.rnr_psn = pkt->psn;
		timer_delete(&qp->retry_timer);
		mod_timer(&qp->rnr_timer, jiffies + 1 +
			  usecs_to_jiffies(sfab_rnr_usecs[syn & 0x1f]));
		break;
	case SFAB_AETH_NAK:
		sfab_req_acked(qp, prev);
		if (qp->state == IB_QPS_ERR)
			break;
		if ((syn & 0x1f) == SFAB_NAK_PSN_SEQ) {
			sfab_qp_count(qp, SFAB_CNT_SEQ_NAKS_RCVD);
			if (!qp->req.retry_left) {
				sfab_req_fail(qp, IB_WC_RETRY_EXC_ERR);
				break;
			}
			qp->req.retry_left--;
			sfab_req_rewind(qp, pkt->psn);
			break;
		}
		sfab_qp_count(qp, SFAB_CNT_OTHER_NAKS_RCVD);
		sfab_req_fail(qp, sfab_nak_status(syn & 0x1f));
		break;
	default:
		sfab_qp_count(qp, SFAB_CNT_MALFORMED);
		break;
	}
}

/* A response to this QP's requests: ACK, NAK, READ or atomic response. */
void sfab_comp_rcv(struct sfab_qp *qp, struct sk_buff *skb)
{
	struct sfab_pkt *pkt = sfab_pkt(skb);

	if (qp->ibqp.qp_type != IB_QPT_RC || qp->state == IB_QPS_RTR)
		goto out;
	if (sfab_psn_cmp(pkt->psn, qp->req.psn) >= 0) {
		sfab_qp_count(qp, SFAB_CNT_OUT_OF_SEQ);
		goto out;
	}
	if (pkt->opcode == SFAB_ACKNOWLEDGE)
		sfab_comp_ack(qp, pkt);
	else if (pkt->opcode == SFAB_ATOMIC_ACKNOWLEDGE)
		sfab_comp_atomic(qp, pkt);
	else
		sfab_comp_read(qp, pkt);
out:
	kfree_skb(skb);
}

/* Sends the next packet of an RC WQE. */
static enum ib_wc_status sfab_req_send_pkt(struct sfab_qp *qp,
					   struct sfab_send_wqe *wqe)
{
	u32 off = qp->req.offset, psn = qp->req.psn, paylen;
	enum ib_wc_status status;
	bool last, ackreq;

	if (sfab_wqe_rd_atomic(wqe)) {
		/* A READ asks only for the responses it has not had. */
		off = wqe->resp_offset;
		psn = sfab_wqe_resp_psn(qp, wqe);
		wqe->flags &= ~SFAB_WQE_REREAD;
	}
	paylen = sfab_req_paylen(qp, wqe, off, &last);
	ackreq = last || ++qp->req.since_ackreq >= SFAB_ACKREQ_EVERY;
	if (ackreq)
		qp->req.since_ackreq = 0;
	status = sfab_req_xmit(qp, wqe, psn, off, ackreq);
	if (status != IB_WC_SUCCESS)
		return status;

	if (last) {
		qp->req.psn = sfab_psn_add(wqe->last_psn, 1);
		qp->req.offset = 0;
		qp->req.cur++;
		if (sfab_wqe_rd_atomic(wqe))
			qp->req.rd_atomic++;
	} else {
		qp->req.psn = sfab_psn_add(psn, 1);
		qp->req.offset += paylen;
	}
	return IB_WC_SUCCESS;
}

/* Starts a WQE: local operations run now, others get their PSNs. */
static bool sfab_req_start(struct sfab_qp *qp, struct sfab_send_wqe *wqe)
{
	if ((wqe->send_flags & IB_SEND_FENCE) && qp->req.rd_atomic)
		return false;
	if (sfab_wqe_local(wqe)) {
		int err;

		if (wqe->opcode == IB_WR_REG_MR)
			err = sfab_reg_mr_wqe(qp, wqe);
		else
			err = sfab_invalidate(qp->sdev, qp->ibqp.pd,
					      wqe->ex.invalidate_rkey);
		wqe->flags |= SFAB_WQE_STARTED;
		sfab_wqe_done(qp, wqe, err ? IB_WC_LOC_PROT_ERR :
					      IB_WC_SUCCESS);
		return true;
	}
	if (sfab_wqe_rd_atomic(wqe) &&
	    qp->req.rd_atomic >= max_t(u8, qp->max_rd_atomic, 1))
		return false;
	if (wqe->opcode == IB_WR_ATOMIC_CMP_AND_SWP ||
	    wqe->opcode == IB_WR_ATOMIC_FETCH_AND_ADD)
		wqe->npkts = 1;
	else
		wqe->npkts = max(DIV_ROUND_UP(wqe->length, qp->mtu), 1U);
	wqe->first_psn = qp->req.psn;
	wqe->last_psn = sfab_psn_add(wqe->first_psn, wqe->npkts - 1);
	wqe->resp_offset = 0;
	wqe->flags |= SFAB_WQE_STARTED;
	qp->req.offset = 0;
	return true;
}

static void sfab_req_rc(struct sfab_qp *qp, int *budget)
{
	/* Pairs with the release in sfab_post_send(): WQEs are written. */
	u32 head = smp_load_acquire(&qp->sq.head);

	while (*budget > 0 && qp->req.cur != head) {
		struct sfab_send_wqe *wqe = sfab_sq_wqe(qp, qp->req.cur);
		enum ib_wc_status status;

		if (wqe->flags & SFAB_WQE_DONE) {
			/* Executed before a rewind: not again. */
			if (!sfab_wqe_local(wqe))
				qp->req.psn = sfab_psn_add(wqe->last_psn, 1);
			if (sfab_wqe_rd_atomic(wqe))
				qp->req.rd_atomic++;
			qp->req.cur++;
			continue;
		}
		if (!(wqe->flags & SFAB_WQE_STARTED)) {
			if (qp->state != IB_QPS_RTS)
				break;
			if (!sfab_req_start(qp, wqe))
				break;
			if (wqe->flags & SFAB_WQE_DONE)
				continue;
		}
		if (sfab_psn_cmp(qp->req.psn, qp->req.una_psn) >=
		    SFAB_MAX_INFLIGHT)
			break;
		status = sfab_req_send_pkt(qp, wqe);
		(*budget)--;
		if (status != IB_WC_SUCCESS) {
			sfab_wqe_done(qp, wqe, status);
			if (sfab_wqe_rd_atomic(wqe))
				qp->req.rd_atomic++;
			qp->req.cur++;
			break;
		}
		if (!timer_pending(&qp->retry_timer))
			sfab_req_timer_update(qp);
	}
	sfab_req_retire(qp, qp->req.una_psn, false);
}

static enum ib_wc_status sfab_ud_send(struct sfab_qp *qp,
				      struct sfab_send_wqe *wqe)
{
	u32 mtu = sfab_port_mtu(qp->sdev);
	bool imm = wqe->opcode == IB_WR_SEND_WITH_IMM;
	enum ib_wc_status status;
	struct sfab_deth *deth;
	struct sfab_pkt *pkt;
	struct sfab_bth *bth;
	struct sk_buff *skb;

	if (wqe->length > mtu)
		return IB_WC_LOC_LEN_ERR;
	skb = sfab_pkt_alloc(qp->sdev, &wqe->av, imm ? SFAB_UD_SEND_ONLY_IMM :
						       SFAB_UD_SEND_ONLY,
			     wqe->length, &pkt);
	if (!skb)
		return IB_WC_GENERAL_ERR;
	status = sfab_wqe_payload(qp, wqe, 0, sfab_payload(pkt), wqe->length);
	if (status != IB_WC_SUCCESS) {
		kfree_skb(skb);
		return status;
	}
	bth = sfab_bth(pkt);
	if (wqe->send_flags & IB_SEND_SOLICITED)
		bth->flags |= SFAB_BTH_SE;
	bth->pkey = htons(SFAB_DEFAULT_PKEY);
	bth->qpn = cpu_to_be32(wqe->remote_qpn);
	bth->apsn = cpu_to_be32(qp->req.psn);
	qp->req.psn = sfab_psn_add(qp->req.psn, 1);
	deth = sfab_ext(pkt, SFAB_M_DETH);
	/* A Q_Key with the top bit set means "use the QP's". */
	deth->qkey = cpu_to_be32(wqe->remote_qkey & BIT(31) ? qp->qkey :
							       wqe->remote_qkey);
	deth->sqp = cpu_to_be32(qp->ibqp.qp_num);
	if (imm)
		*(__be32 *)sfab_ext(pkt, SFAB_M_IMMDT) = wqe->ex.imm_data;
	sfab_xmit(qp, &wqe->av,
		  htons(rdma_get_udp_sport(wqe->av.flow_label, qp->ibqp.qp_num,
					   wqe->remote_qpn)), skb);
	return IB_WC_SUCCESS;
}

static void sfab_req_ud(struct sfab_qp *qp, int *budget)
{
	/* Pairs with the release in sfab_post_send(): WQEs are written. */
	u32 head = smp_load_acquire(&qp->sq.head);

	while (*budget > 0 && qp->sq.tail != head) {
		struct sfab_send_wqe *wqe = sfab_sq_wqe(qp, qp->sq.tail);
		enum ib_wc_status status;

		status = sfab_ud_send(qp, wqe);
		(*budget)--;
		sfab_send_cqe(qp, wqe, status);
		if (status != IB_WC_SUCCESS) {
			/* Send queue error: receives go on. */
			sfab_qp_set_state(qp, IB_QPS_SQE);
			sfab_req_flush(qp);
			break;
		}
	}
	qp->req.cur = qp->sq.tail;
}

/**
 * sfab_req_run - the requester's share of a run of the QP's work
 * @qp: the QP, locked
 * @budget: packets left for this run; decremented per packet sent
 */
void sfab_req_run(struct sfab_qp *qp, int *budget)
{
	switch (qp->state) {
	case IB_QPS_RTS:
	case IB_QPS_SQD:
		break;
	case IB_QPS_SQE:
		sfab_req_flush(qp);
		return;
	default:
		return;
	}
	if (qp->ibqp.qp_type != IB_QPT_RC) {
		sfab_req_ud(qp, budget);
		return;
	}

	if (READ_ONCE(qp->req.rnr_expired)) {
		WRITE_ONCE(qp->req.rnr_expired, false);
		if (qp->req.rnr_wait) {
			qp->req.rnr_wait = false;
			sfab_req_rewind(qp, qp->req.rnr_psn);
		}
	}
	if (READ_ONCE(qp->req.timed_out)) {
		WRITE_ONCE(qp->req.timed_out, false);
		if (qp->req.una_psn != qp->req.psn && !qp->req.rnr_wait) {
			sfab_qp_count(qp, SFAB_CNT_RETRY_TIMEOUTS);
			if (!qp->req.retry_left) {
				sfab_req_fail(qp, IB_WC_RETRY_EXC_ERR);
				return;
			}
			qp->req.retry_left--;
			sfab_req_rewind(qp, qp->req.una_psn);
			sfab_req_timer_update(qp);
		}
	}
	if (qp->req.rnr_wait)
		return;

	sfab_req_rc(qp, budget);
	if (qp->state == IB_QPS_SQD && !qp->req.drained &&
	    qp->sq.tail == qp->req.cur) {
		qp->req.drained = true;
		if (qp->sqd_notify && qp->ibqp.event_handler) {
			struct ib_event ev = {
				.device = qp->ibqp.device,
				.element.qp = &qp->ibqp,
				.event = IB_EVENT_SQ_DRAINED,
			};

			qp->ibqp.event_handler(&ev, qp->ibqp.qp_context);
		}
	}
}

/* Every WQE not completed completes with a flush error. */
void sfab_req_flush(struct sfab_qp *qp)
{
	/* Pairs with the release in sfab_post_send(): WQEs are written. */
	u32 head = smp_load_acquire(&qp->sq.head);

	while (qp->sq.tail != head)
		sfab_send_cqe(qp, sfab_sq_wqe(qp, qp->sq.tail),
			      IB_WC_WR_FLUSH_ERR);
	qp->req.cur = qp->sq.tail;
	qp->req.rd_atomic = 0;
	qp->req.una_psn = qp->req.psn;
	timer_delete(&qp->retry_timer);
	timer_delete(&qp->rnr_timer);
}

void sfab_retry_timer(struct timer_list *t)
{
	struct sfab_qp *qp = timer_container_of(qp, t, retry_timer);

	WRITE_ONCE(qp->req.timed_out, true);
	sfab_qp_schedule(qp);
}

void sfab_rnr_timer(struct timer_list *t)
{
	struct sfab_qp *qp = timer_container_of(qp, t, rnr_timer);

	WRITE_ONCE(qp->req.rnr_expired, true);
	sfab_qp_schedule(qp);
}
