// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: queue pairs and shared receive queues, the QP state machine and
 * the posting of work requests.
 *
 * All transport work of a QP (received packets, sending, timers, error
 * flushing) runs in its work item, under its lock; posting only appends
 * to a ring under the ring's own lock and schedules the work.
 */

#include <linux/uaccess.h>
#include <rdma/ib_addr.h>
#include <rdma/ib_mad.h>
#include <rdma/uverbs_ioctl.h>
#include <rdma/sfab-abi.h>

#include "sfab.h"
#include "sfab_trace.h"

static size_t sfab_recv_wqe_size(u32 max_sge)
{
	return ALIGN(struct_size_t(struct sfab_recv_wqe, sge, max_sge), 8);
}

static int sfab_wq_init(struct sfab_wq *wq, u32 max_wr, size_t wqe_size,
			u32 max_sge)
{
	wq->entries = roundup_pow_of_two(max(max_wr, 1U));
	wq->wqe_size = wqe_size;
	wq->max_sge = max_sge;
	wq->head = 0;
	wq->tail = 0;
	wq->buf = kvzalloc(wq->entries * wqe_size, GFP_KERNEL_ACCOUNT);
	return wq->buf ? 0 : -ENOMEM;
}

struct sfab_qp *sfab_qp_get(struct sfab_dev *sdev, u32 qpn)
{
	struct sfab_qp *qp;

	rcu_read_lock();
	qp = xa_load(&sdev->qps, qpn);
	if (qp && !refcount_inc_not_zero(&qp->ref))
		qp = NULL;
	rcu_read_unlock();
	return qp;
}

void sfab_qp_put(struct sfab_qp *qp)
{
	if (refcount_dec_and_test(&qp->ref))
		complete(&qp->done);
}

void sfab_qp_schedule(struct sfab_qp *qp)
{
	if (!READ_ONCE(qp->destroying))
		queue_work(sfab_wq, &qp->work);
}

/* A packet for the QP; @direct: the QP may run in the caller's context. */
void sfab_qp_rcv(struct sfab_qp *qp, struct sk_buff *skb, bool direct)
{
	if (skb_queue_len(&qp->rxq) >= SFAB_MAX_RXQ) {
		sfab_qp_count(qp, SFAB_CNT_RX_DROPPED);
		kfree_skb(skb);
		return;
	}
	skb_queue_tail(&qp->rxq, skb);
	if (direct)
		sfab_qp_run(qp);
	else
		sfab_qp_schedule(qp);
}

static void sfab_qp_event(struct sfab_qp *qp, enum ib_event_type type)
{
	struct ib_event ev = {
		.device = qp->ibqp.device,
		.element.qp = &qp->ibqp,
		.event = type,
	};

	if (qp->ibqp.event_handler)
		qp->ibqp.event_handler(&ev, qp->ibqp.qp_context);
}

void sfab_qp_set_state(struct sfab_qp *qp, enum ib_qp_state state)
{
	trace_sfab_qp_state(qp, qp->state, state);
	qp->state = state;
}

/* Moves the QP to the error state; its work flushes the queues. */
void sfab_qp_error(struct sfab_qp *qp)
{
	if (qp->state == IB_QPS_ERR)
		return;
	sfab_qp_set_state(qp, IB_QPS_ERR);
	timer_delete(&qp->retry_timer);
	timer_delete(&qp->rnr_timer);
	if (qp->srq)
		sfab_qp_event(qp, IB_EVENT_QP_LAST_WQE_REACHED);
	sfab_qp_schedule(qp);
}

static enum ib_wc_opcode sfab_wc_opcode(enum ib_wr_opcode op)
{
	switch (op) {
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
		return IB_WC_RDMA_WRITE;
	case IB_WR_RDMA_READ:
		return IB_WC_RDMA_READ;
	case IB_WR_ATOMIC_CMP_AND_SWP:
		return IB_WC_COMP_SWAP;
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		return IB_WC_FETCH_ADD;
	case IB_WR_LOCAL_INV:
		return IB_WC_LOCAL_INV;
	case IB_WR_REG_MR:
		return IB_WC_REG_MR;
	default:
		return IB_WC_SEND;
	}
}

/* Completes the SQ's oldest WQE, which must be @wqe. */
void sfab_send_cqe(struct sfab_qp *qp, struct sfab_send_wqe *wqe,
		   enum ib_wc_status status)
{
	if (status != IB_WC_SUCCESS || qp->sq_sig_all ||
	    (wqe->send_flags & IB_SEND_SIGNALED)) {
		struct ib_wc wc = {
			.wr_id = wqe->wr_id,
			.status = status,
			.opcode = sfab_wc_opcode(wqe->opcode),
			.byte_len = wqe->length,
			.qp = &qp->ibqp,
			.port_num = SFAB_PORT,
		};

		sfab_cq_post(qp->scq, &wc, false);
	}
	/* Pairs with the acquire in the producer's full check. */
	smp_store_release(&qp->sq.tail, qp->sq.tail + 1);
}

void sfab_recv_cqe(struct sfab_qp *qp, struct ib_wc *wc, bool solicited)
{
	wc->qp = &qp->ibqp;
	wc->port_num = SFAB_PORT;
	sfab_cq_post(qp->rcq, wc, solicited);
}

/* Copies the oldest WQE of @rq to @buf; false if @rq is empty. */
static bool sfab_rq_pop(struct sfab_wq *rq, void *buf)
{
	/* Pairs with the producer's release of head: the WQE is written. */
	if (smp_load_acquire(&rq->head) == rq->tail)
		return false;
	memcpy(buf, sfab_wq_entry(rq, rq->tail), rq->wqe_size);
	/* The producer may reuse the slot once it sees the new tail. */
	smp_store_release(&rq->tail, rq->tail + 1);
	return true;
}

static struct sfab_recv_wqe *sfab_srq_pop(struct sfab_qp *qp,
					  struct sfab_srq *srq)
{
	struct ib_event ev = {
		.device = srq->ibsrq.device,
		.element.srq = &srq->ibsrq,
		.event = IB_EVENT_SRQ_LIMIT_REACHED,
	};
	unsigned long flags;
	bool found, limit = false;

	spin_lock_irqsave(&srq->lock, flags);
	found = sfab_rq_pop(&srq->rq, qp->resp_wqe_buf);
	if (found && srq->limit && sfab_wq_count(&srq->rq) < srq->limit) {
		/* The limit event fires once; modify_srq arms it again. */
		srq->limit = 0;
		limit = true;
	}
	spin_unlock_irqrestore(&srq->lock, flags);
	if (limit && srq->ibsrq.event_handler)
		srq->ibsrq.event_handler(&ev, srq->ibsrq.srq_context);
	return found ? (struct sfab_recv_wqe *)qp->resp_wqe_buf : NULL;
}

/**
 * sfab_get_recv_wqe - take the next receive WQE of the QP's RQ or SRQ
 * @qp: the QP, locked
 *
 * The WQE is copied out of the ring (an SRQ is shared); it stays valid
 * until the next call.
 *
 * Return: the WQE, or NULL if the queue is empty.
 */
struct sfab_recv_wqe *sfab_get_recv_wqe(struct sfab_qp *qp)
{
	if (qp->srq)
		return sfab_srq_pop(qp, qp->srq);
	if (!sfab_rq_pop(&qp->rq, qp->resp_wqe_buf))
		return NULL;
	return (struct sfab_recv_wqe *)qp->resp_wqe_buf;
}

static void sfab_flush_recv(struct sfab_qp *qp, struct sfab_recv_wqe *wqe)
{
	struct ib_wc wc = {
		.wr_id = wqe->wr_id,
		.status = IB_WC_WR_FLUSH_ERR,
		.opcode = IB_WC_RECV,
	};

	sfab_recv_cqe(qp, &wc, false);
}

/* In the error state: every WQE completes with a flush error. */
static void sfab_qp_flush(struct sfab_qp *qp)
{
	struct sfab_recv_wqe *rwqe;

	sfab_req_flush(qp);
	sfab_resp_flush(qp);
	if (qp->resp.wqe) {
		sfab_flush_recv(qp, qp->resp.wqe);
		qp->resp.wqe = NULL;
	}
	if (qp->srq)
		return;
	while ((rwqe = sfab_get_recv_wqe(qp)))
		sfab_flush_recv(qp, rwqe);
}

/* One run of the QP's transport work; true if there is more to do. */
static bool __sfab_qp_run(struct sfab_qp *qp)
{
	int budget = SFAB_BUDGET;
	struct sk_buff *skb;
	bool more = false;

	spin_lock_bh(&qp->lock);
	if (qp->destroying)
		goto out;
	while (budget > 0) {
		/* READ responses go out before later requests are handled. */
		if (qp->resp.active) {
			sfab_resp_run(qp, &budget);
			if (qp->resp.active)
				break;
		}
		skb = skb_dequeue(&qp->rxq);
		if (!skb)
			break;
		budget--;
		if (qp->state == IB_QPS_RESET || qp->state == IB_QPS_INIT ||
		    qp->state == IB_QPS_ERR) {
			kfree_skb(skb);
			continue;
		}
		/* Checked under the lock: modify_qp sets the path. */
		if (qp->ibqp.qp_type == IB_QPT_RC &&
		    !sfab_pkt_from_av(&qp->av, skb)) {
			sfab_qp_count(qp, SFAB_CNT_WRONG_PEER);
			kfree_skb(skb);
			continue;
		}
		if (sfab_pkt(skb)->mask & SFAB_M_REQ)
			sfab_resp_rcv(qp, skb);
		else
			sfab_comp_rcv(qp, skb);
	}
	sfab_resp_ack(qp);
	if (qp->state == IB_QPS_ERR)
		sfab_qp_flush(qp);
	else
		sfab_req_run(qp, &budget);
	more = budget <= 0 || !skb_queue_empty(&qp->rxq);
out:
	spin_unlock_bh(&qp->lock);
	return more;
}

static void sfab_qp_work(struct work_struct *work)
{
	struct sfab_qp *qp = container_of(work, struct sfab_qp, work);

	if (__sfab_qp_run(qp))
		sfab_qp_schedule(qp);
}

/**
 * sfab_qp_run - do the QP's transport work now, in the caller's context
 * @qp: the QP
 *
 * Saves a hop to a worker (on a busy-polling CPU, the worker's CPU may
 * not get to run soon). What one run's budget leaves goes to the work
 * item; so does everything when called with interrupts off.
 */
void sfab_qp_run(struct sfab_qp *qp)
{
	if (in_hardirq() || irqs_disabled() || __sfab_qp_run(qp))
		sfab_qp_schedule(qp);
}

static int sfab_qp_check_cap(struct ib_qp_init_attr *init)
{
	struct ib_qp_cap *cap = &init->cap;

	if (cap->max_send_wr > SFAB_MAX_QP_WR ||
	    cap->max_send_sge > SFAB_MAX_SGE ||
	    cap->max_inline_data > SFAB_MAX_INLINE)
		return -EINVAL;
	if (!init->srq && (cap->max_recv_wr > SFAB_MAX_QP_WR ||
			   cap->max_recv_sge > SFAB_MAX_SGE))
		return -EINVAL;
	return 0;
}

int sfab_create_qp(struct ib_qp *ibqp, struct ib_qp_init_attr *init,
		   struct ib_udata *udata)
{
	struct sfab_dev *sdev = to_sdev(ibqp->device);
	struct sfab_qp *qp = to_sqp(ibqp);
	struct sfab_create_qp_resp resp = {};
	struct sfab_create_qp req = {};
	struct ib_qp_cap *cap = &init->cap;
	u32 send_data, recv_sge;
	u32 qpn;
	int err;

	switch (init->qp_type) {
	case IB_QPT_RC:
	case IB_QPT_UD:
		break;
	case IB_QPT_GSI:
		if (udata || init->port_num != SFAB_PORT)
			return -EINVAL;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (init->create_flags)
		return -EOPNOTSUPP;
	err = sfab_qp_check_cap(init);
	if (err)
		return err;
	if (udata) {
		err = ib_copy_validate_udata_in(udata, req, reserved) ?:
		      sfab_check_create(req.flags, req.reserved);
		if (err)
			return err;
	}
	if (atomic_inc_return(&sdev->num_qp) > SFAB_MAX_QP) {
		err = -ENOMEM;
		goto err_count;
	}

	qp->sdev = sdev;
	qp->is_user = !!udata;
	qp->state = IB_QPS_RESET;
	qp->scq = to_scq(init->send_cq);
	qp->rcq = to_scq(init->recv_cq);
	qp->srq = to_ssrq(init->srq);
	qp->sq_sig_all = init->sq_sig_type == IB_SIGNAL_ALL_WR;
	refcount_set(&qp->ref, 1);
	init_completion(&qp->done);
	spin_lock_init(&qp->lock);
	spin_lock_init(&qp->sq_lock);
	spin_lock_init(&qp->rq_lock);
	skb_queue_head_init(&qp->rxq);
	INIT_WORK(&qp->work, sfab_qp_work);
	timer_setup(&qp->retry_timer, sfab_retry_timer, 0);
	timer_setup(&qp->rnr_timer, sfab_rnr_timer, 0);
	qp->pkey_index = 0;
	qp->mtu = ib_mtu_enum_to_int(IB_MTU_256);
	qp->path_mtu = IB_MTU_256;

	/* A WQE holds its SGEs or its inline data in the same space. */
	send_data = max_t(u32, cap->max_send_sge * sizeof(struct ib_sge),
			  cap->max_inline_data);
	send_data = ALIGN(max_t(u32, send_data, sizeof(struct ib_sge)), 8);
	err = sfab_wq_init(&qp->sq, cap->max_send_wr,
			   sizeof(struct sfab_send_wqe) + send_data,
			   send_data / sizeof(struct ib_sge));
	if (err)
		goto err_count;
	qp->max_inline = min_t(u32, send_data, SFAB_MAX_INLINE);
	if (qp->srq) {
		recv_sge = qp->srq->rq.max_sge;
	} else {
		recv_sge = max(cap->max_recv_sge, 1U);
		err = sfab_wq_init(&qp->rq, cap->max_recv_wr,
				   sfab_recv_wqe_size(recv_sge), recv_sge);
		if (err)
			goto err_sq;
	}
	qp->resp_wqe_buf = kmalloc(sfab_recv_wqe_size(recv_sge),
				   GFP_KERNEL_ACCOUNT);
	/* Responder resources for READ and atomics: RC only. */
	if (init->qp_type == IB_QPT_RC)
		qp->resp.res = kzalloc_objs(*qp->resp.res, SFAB_MAX_RD_ATOMIC,
					    GFP_KERNEL_ACCOUNT);
	if (!qp->resp_wqe_buf ||
	    (init->qp_type == IB_QPT_RC && !qp->resp.res)) {
		err = -ENOMEM;
		goto err_rq;
	}

	cap->max_send_wr = qp->sq.entries;
	cap->max_send_sge = qp->sq.max_sge;
	cap->max_inline_data = qp->max_inline;
	if (!qp->srq) {
		cap->max_recv_wr = qp->rq.entries;
		cap->max_recv_sge = qp->rq.max_sge;
	}

	if (init->qp_type == IB_QPT_GSI) {
		qpn = 1;
		err = xa_insert(&sdev->qps, qpn, qp, GFP_KERNEL);
	} else {
		/*
		 * 0xffffff is the multicast QPN (IBA 9.8.1): never a QP's.
		 * 1 when the numbers wrapped: not an error.
		 */
		err = xa_alloc_cyclic(&sdev->qps, &qpn, qp,
				      XA_LIMIT(2, IB_MULTICAST_QPN - 1),
				      &sdev->next_qpn, GFP_KERNEL);
		if (err > 0)
			err = 0;
	}
	if (err)
		goto err_rq;
	ibqp->qp_num = qpn;

	if (udata) {
		err = ib_respond_udata(udata, resp);
		if (err)
			goto err_xa;
	}
	return 0;

err_xa:
	xa_erase(&sdev->qps, qpn);
err_rq:
	kfree(qp->resp.res);
	kfree(qp->resp_wqe_buf);
	kvfree(qp->rq.buf);
err_sq:
	kvfree(qp->sq.buf);
err_count:
	atomic_dec(&sdev->num_qp);
	return err;
}

int sfab_destroy_qp(struct ib_qp *ibqp, struct ib_udata *udata)
{
	struct sfab_qp *qp = to_sqp(ibqp);
	struct sfab_dev *sdev = qp->sdev;

	xa_erase(&sdev->qps, ibqp->qp_num);
	sfab_qp_put(qp);
	wait_for_completion(&qp->done);

	spin_lock_bh(&qp->lock);
	qp->destroying = true;
	spin_unlock_bh(&qp->lock);
	timer_shutdown_sync(&qp->retry_timer);
	timer_shutdown_sync(&qp->rnr_timer);
	cancel_work_sync(&qp->work);
	skb_queue_purge(&qp->rxq);

	sfab_cq_clean(qp->scq, qp);
	if (qp->rcq != qp->scq)
		sfab_cq_clean(qp->rcq, qp);
	kfree(qp->resp.res);
	kfree(qp->resp_wqe_buf);
	kvfree(qp->rq.buf);
	kvfree(qp->sq.buf);
	atomic_dec(&sdev->num_qp);
	return 0;
}

/* Back to RESET: queues emptied, transport state forgotten. */
static void sfab_qp_reset(struct sfab_qp *qp)
{
	timer_delete(&qp->retry_timer);
	timer_delete(&qp->rnr_timer);
	skb_queue_purge(&qp->rxq);
	spin_lock_irq(&qp->sq_lock);
	qp->sq.head = 0;
	qp->sq.tail = 0;
	spin_unlock_irq(&qp->sq_lock);
	spin_lock_irq(&qp->rq_lock);
	qp->rq.head = 0;
	qp->rq.tail = 0;
	spin_unlock_irq(&qp->rq_lock);
	memset(&qp->req, 0, sizeof(qp->req));
	memset(&qp->resp, 0, offsetof(typeof(qp->resp), res));
	if (qp->resp.res)
		memset(qp->resp.res, 0,
		       SFAB_MAX_RD_ATOMIC * sizeof(*qp->resp.res));
	qp->resp.res_next = 0;
	qp->resp.active = NULL;
}

#define SFAB_QP_ATTR_MASK						\
	(IB_QP_STATE | IB_QP_CUR_STATE | IB_QP_EN_SQD_ASYNC_NOTIFY |	\
	 IB_QP_ACCESS_FLAGS | IB_QP_PKEY_INDEX | IB_QP_PORT |		\
	 IB_QP_QKEY | IB_QP_AV | IB_QP_PATH_MTU | IB_QP_TIMEOUT |	\
	 IB_QP_RETRY_CNT | IB_QP_RNR_RETRY | IB_QP_RQ_PSN |		\
	 IB_QP_MAX_QP_RD_ATOMIC | IB_QP_MIN_RNR_TIMER | IB_QP_SQ_PSN |	\
	 IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_DEST_QPN | IB_QP_PATH_MIG_STATE)

static int sfab_qp_check_attr(struct sfab_qp *qp, struct ib_qp_attr *attr,
			      int mask)
{
	if ((mask & IB_QP_PORT) && attr->port_num != SFAB_PORT)
		return -EINVAL;
	if ((mask & IB_QP_PKEY_INDEX) && attr->pkey_index >= SFAB_PKEY_TBL_LEN)
		return -EINVAL;
	if ((mask & IB_QP_PATH_MTU) &&
	    (attr->path_mtu < IB_MTU_256 || attr->path_mtu > IB_MTU_4096))
		return -EINVAL;
	if ((mask & IB_QP_MAX_QP_RD_ATOMIC) &&
	    attr->max_rd_atomic > SFAB_MAX_RD_ATOMIC)
		return -EINVAL;
	if ((mask & IB_QP_MAX_DEST_RD_ATOMIC) &&
	    attr->max_dest_rd_atomic > SFAB_MAX_RD_ATOMIC)
		return -EINVAL;
	if ((mask & IB_QP_TIMEOUT) && attr->timeout > 31)
		return -EINVAL;
	if ((mask & IB_QP_RETRY_CNT) && attr->retry_cnt > 7)
		return -EINVAL;
	if ((mask & IB_QP_RNR_RETRY) && attr->rnr_retry > 7)
		return -EINVAL;
	if ((mask & IB_QP_MIN_RNR_TIMER) && attr->min_rnr_timer > 31)
		return -EINVAL;
	if ((mask & IB_QP_ACCESS_FLAGS) &&
	    (attr->qp_access_flags & ~(IB_ACCESS_REMOTE_WRITE |
				       IB_ACCESS_REMOTE_READ |
				       IB_ACCESS_REMOTE_ATOMIC |
				       IB_ACCESS_LOCAL_WRITE)))
		return -EINVAL;
	return 0;
}

int sfab_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		   struct ib_udata *udata)
{
	struct sfab_qp *qp = to_sqp(ibqp);
	enum ib_qp_state cur, new;
	struct sfab_av av = {};
	int err;

	if (mask & ~SFAB_QP_ATTR_MASK)
		return -EOPNOTSUPP;
	err = ib_no_udata_io(udata);
	if (err)
		return err;
	if (mask & IB_QP_AV) {
		err = sfab_av_from_attr(&av, &attr->ah_attr);
		if (err)
			return err;
	}

	spin_lock_bh(&qp->lock);
	cur = (mask & IB_QP_CUR_STATE) ? attr->cur_qp_state : qp->state;
	new = (mask & IB_QP_STATE) ? attr->qp_state : cur;
	if (cur != qp->state && !(cur == IB_QPS_SQE && qp->state == IB_QPS_RTS)) {
		err = -EINVAL;
		goto out;
	}
	if (!ib_modify_qp_is_ok(cur, new, ibqp->qp_type, mask)) {
		err = -EINVAL;
		goto out;
	}
	err = sfab_qp_check_attr(qp, attr, mask);
	if (err)
		goto out;

	if (mask & IB_QP_ACCESS_FLAGS)
		qp->access = attr->qp_access_flags;
	if (mask & IB_QP_QKEY)
		qp->qkey = attr->qkey;
	if (mask & IB_QP_AV)
		qp->av = av;
	if (mask & IB_QP_PATH_MTU) {
		qp->path_mtu = min_t(enum ib_mtu, attr->path_mtu,
				     sfab_port_active_mtu(qp->sdev));
		qp->mtu = ib_mtu_enum_to_int(qp->path_mtu);
	}
	if (mask & IB_QP_TIMEOUT)
		qp->timeout = attr->timeout;
	if (mask & IB_QP_RETRY_CNT)
		qp->retry_cnt = attr->retry_cnt;
	if (mask & IB_QP_RNR_RETRY)
		qp->rnr_retry = attr->rnr_retry;
	if (mask & IB_QP_MIN_RNR_TIMER)
		qp->min_rnr_timer = attr->min_rnr_timer;
	if (mask & IB_QP_MAX_QP_RD_ATOMIC)
		qp->max_rd_atomic = attr->max_rd_atomic;
	if (mask & IB_QP_MAX_DEST_RD_ATOMIC)
		qp->max_dest_rd_atomic = attr->max_dest_rd_atomic;
	if (mask & IB_QP_DEST_QPN)
		qp->dest_qpn = attr->dest_qp_num & SFAB_QPN_MASK;
	if (mask & IB_QP_EN_SQD_ASYNC_NOTIFY)
		qp->sqd_notify = attr->en_sqd_async_notify;
	if (mask & IB_QP_RQ_PSN)
		qp->resp.epsn = attr->rq_psn & SFAB_PSN_MASK;
	if (mask & IB_QP_SQ_PSN) {
		qp->req.psn = attr->sq_psn & SFAB_PSN_MASK;
		qp->req.una_psn = qp->req.psn;
		qp->req.acked_psn = sfab_psn_add(qp->req.psn, SFAB_PSN_MASK);
	}
	if (mask & (IB_QP_AV | IB_QP_DEST_QPN))
		qp->sport = htons(rdma_get_udp_sport(qp->av.flow_label,
						     ibqp->qp_num,
						     qp->dest_qpn));

	if (new != qp->state) {
		switch (new) {
		case IB_QPS_RESET:
			sfab_qp_reset(qp);
			break;
		case IB_QPS_RTS:
			qp->req.retry_left = qp->retry_cnt;
			qp->req.rnr_left = qp->rnr_retry;
			break;
		case IB_QPS_SQD:
			qp->req.drained = false;
			break;
		default:
			break;
		}
		if (new == IB_QPS_ERR)
			sfab_qp_error(qp);
		else
			sfab_qp_set_state(qp, new);
	}
out:
	spin_unlock_bh(&qp->lock);
	if (!err && (new == IB_QPS_RTS || new == IB_QPS_ERR))
		sfab_qp_run(qp);
	return err;
}

static void sfab_av_to_attr(struct sfab_qp *qp, struct rdma_ah_attr *ah)
{
	ah->type = RDMA_AH_ATTR_TYPE_ROCE;
	rdma_ah_set_port_num(ah, SFAB_PORT);
	rdma_ah_set_ah_flags(ah, IB_AH_GRH);
	if (qp->av.family == AF_INET)
		ipv6_addr_set_v4mapped(qp->av.daddr.v4,
				       (struct in6_addr *)ah->grh.dgid.raw);
	else
		memcpy(ah->grh.dgid.raw, &qp->av.daddr.v6, 16);
	ah->grh.flow_label = qp->av.flow_label;
	ah->grh.hop_limit = qp->av.ttl;
	ah->grh.traffic_class = qp->av.tos;
}

int sfab_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int mask,
		  struct ib_qp_init_attr *init)
{
	struct sfab_qp *qp = to_sqp(ibqp);

	memset(attr, 0, sizeof(*attr));
	memset(init, 0, sizeof(*init));
	spin_lock_bh(&qp->lock);
	attr->qp_state = qp->state;
	attr->cur_qp_state = qp->state;
	attr->path_mtu = qp->path_mtu;
	attr->path_mig_state = IB_MIG_MIGRATED;
	attr->qkey = qp->qkey;
	attr->rq_psn = qp->resp.epsn;
	attr->sq_psn = qp->req.psn;
	attr->dest_qp_num = qp->dest_qpn;
	attr->qp_access_flags = qp->access;
	attr->cap.max_send_wr = qp->sq.entries;
	attr->cap.max_send_sge = qp->sq.max_sge;
	attr->cap.max_inline_data = qp->max_inline;
	if (!qp->srq) {
		attr->cap.max_recv_wr = qp->rq.entries;
		attr->cap.max_recv_sge = qp->rq.max_sge;
	}
	if (ibqp->qp_type == IB_QPT_RC)
		sfab_av_to_attr(qp, &attr->ah_attr);
	attr->pkey_index = qp->pkey_index;
	attr->en_sqd_async_notify = qp->sqd_notify;
	attr->sq_draining = qp->state == IB_QPS_SQD && !qp->req.drained;
	attr->max_rd_atomic = qp->max_rd_atomic;
	attr->max_dest_rd_atomic = qp->max_dest_rd_atomic;
	attr->min_rnr_timer = qp->min_rnr_timer;
	attr->port_num = SFAB_PORT;
	attr->timeout = qp->timeout;
	attr->retry_cnt = qp->retry_cnt;
	attr->rnr_retry = qp->rnr_retry;
	spin_unlock_bh(&qp->lock);

	init->qp_type = ibqp->qp_type;
	init->send_cq = ibqp->send_cq;
	init->recv_cq = ibqp->recv_cq;
	init->srq = ibqp->srq;
	init->cap = attr->cap;
	init->sq_sig_type = qp->sq_sig_all ? IB_SIGNAL_ALL_WR :
					     IB_SIGNAL_REQ_WR;
	return 0;
}

/* Checks a send work request against the QP before it is queued. */
static int sfab_check_send_wr(struct sfab_qp *qp, const struct ib_send_wr *wr,
			      u32 *length)
{
	bool ud = qp->ibqp.qp_type != IB_QPT_RC;
	u64 len = 0;
	int i;

	switch (wr->opcode) {
	case IB_WR_SEND:
	case IB_WR_SEND_WITH_IMM:
		break;
	case IB_WR_SEND_WITH_INV:
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
	case IB_WR_RDMA_READ:
	case IB_WR_LOCAL_INV:
	case IB_WR_REG_MR:
		if (ud)
			return -EINVAL;
		break;
	case IB_WR_ATOMIC_CMP_AND_SWP:
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		if (ud || wr->num_sge != 1 || wr->sg_list[0].length < 8)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if ((wr->opcode == IB_WR_REG_MR || wr->opcode == IB_WR_LOCAL_INV) &&
	    qp->is_user)
		return -EINVAL;
	if (wr->num_sge < 0)
		return -EINVAL;
	for (i = 0; i < wr->num_sge; i++)
		len += wr->sg_list[i].length;
	if (wr->send_flags & IB_SEND_INLINE) {
		if (len > qp->max_inline || wr->opcode == IB_WR_RDMA_READ ||
		    wr->opcode == IB_WR_ATOMIC_CMP_AND_SWP ||
		    wr->opcode == IB_WR_ATOMIC_FETCH_AND_ADD)
			return -EINVAL;
	} else if (wr->num_sge > qp->sq.max_sge) {
		return -EINVAL;
	}
	if (len > SFAB_MAX_MSG_SIZE)
		return -EINVAL;
	if (wr->opcode == IB_WR_ATOMIC_CMP_AND_SWP ||
	    wr->opcode == IB_WR_ATOMIC_FETCH_AND_ADD)
		len = 8;
	if (ud && (!ud_wr(wr)->ah || len > sfab_port_mtu(qp->sdev)))
		return -EINVAL;
	*length = len;
	return 0;
}

/* Gathers inline data, from user memory for user QPs. May sleep then. */
static int sfab_gather_inline(struct sfab_qp *qp, const struct ib_send_wr *wr,
			      u8 *buf)
{
	int i;

	for (i = 0; i < wr->num_sge; i++) {
		const struct ib_sge *sge = &wr->sg_list[i];

		if (qp->is_user) {
			if (copy_from_user(buf, u64_to_user_ptr(sge->addr),
					   sge->length))
				return -EFAULT;
		} else {
			memcpy(buf, ib_virt_dma_to_ptr(sge->addr), sge->length);
		}
		buf += sge->length;
	}
	return 0;
}

static void sfab_fill_send_wqe(struct sfab_qp *qp, struct sfab_send_wqe *wqe,
			       const struct ib_send_wr *wr, u32 length,
			       const u8 *inline_buf)
{
	memset(wqe, 0, sizeof(*wqe));
	wqe->wr_id = wr->wr_id;
	wqe->opcode = wr->opcode;
	wqe->send_flags = wr->send_flags;
	wqe->length = length;
	if (wr->opcode == IB_WR_SEND_WITH_INV || wr->opcode == IB_WR_LOCAL_INV)
		wqe->ex.invalidate_rkey = wr->ex.invalidate_rkey;
	else
		wqe->ex.imm_data = wr->ex.imm_data;

	switch (wr->opcode) {
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
	case IB_WR_RDMA_READ:
		wqe->remote_addr = rdma_wr(wr)->remote_addr;
		wqe->rkey = rdma_wr(wr)->rkey;
		break;
	case IB_WR_ATOMIC_CMP_AND_SWP:
	case IB_WR_ATOMIC_FETCH_AND_ADD:
		wqe->remote_addr = atomic_wr(wr)->remote_addr;
		wqe->rkey = atomic_wr(wr)->rkey;
		wqe->compare_add = atomic_wr(wr)->compare_add;
		wqe->swap = atomic_wr(wr)->swap;
		break;
	case IB_WR_REG_MR:
		wqe->reg_mr = to_smr(reg_wr(wr)->mr);
		wqe->reg_key = reg_wr(wr)->key;
		wqe->reg_access = reg_wr(wr)->access;
		break;
	default:
		break;
	}
	if (qp->ibqp.qp_type != IB_QPT_RC) {
		const struct ib_ud_wr *ud = ud_wr(wr);

		wqe->av = to_sah(ud->ah)->av;
		wqe->remote_qpn = ud->remote_qpn & SFAB_QPN_MASK;
		wqe->remote_qkey = ud->remote_qkey;
		wqe->pkey_index = ud->pkey_index;
	}
	if (inline_buf) {
		wqe->flags |= SFAB_WQE_INLINE;
		memcpy(wqe->data, inline_buf, length);
	} else {
		wqe->num_sge = wr->num_sge;
		memcpy(wqe->data, wr->sg_list,
		       wr->num_sge * sizeof(struct ib_sge));
	}
}

int sfab_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		   const struct ib_send_wr **bad_wr)
{
	struct sfab_qp *qp = to_sqp(ibqp);
	u8 inline_buf[SFAB_MAX_INLINE];
	enum ib_qp_state state;
	unsigned long flags;
	int err = 0;

	state = READ_ONCE(qp->state);
	if (state == IB_QPS_RESET || state == IB_QPS_INIT ||
	    state == IB_QPS_RTR) {
		*bad_wr = wr;
		return -EINVAL;
	}
	for (; wr; wr = wr->next) {
		bool inl = wr->send_flags & IB_SEND_INLINE;
		u32 length;

		err = sfab_check_send_wr(qp, wr, &length);
		if (!err && inl)
			err = sfab_gather_inline(qp, wr, inline_buf);
		if (err)
			break;
		spin_lock_irqsave(&qp->sq_lock, flags);
		/* Pairs with the release in sfab_send_cqe(): slot is free. */
		if (qp->sq.head - smp_load_acquire(&qp->sq.tail) >=
		    qp->sq.entries) {
			spin_unlock_irqrestore(&qp->sq_lock, flags);
			err = -ENOMEM;
			break;
		}
		sfab_fill_send_wqe(qp, sfab_wq_entry(&qp->sq, qp->sq.head), wr,
				   length, inl ? inline_buf : NULL);
		/* The QP's work reads head with acquire. */
		smp_store_release(&qp->sq.head, qp->sq.head + 1);
		spin_unlock_irqrestore(&qp->sq_lock, flags);
	}
	if (err)
		*bad_wr = wr;
	sfab_qp_run(qp);
	return err;
}

static int sfab_post_recv_wq(struct sfab_wq *wq, spinlock_t *lock,
			     const struct ib_recv_wr *wr,
			     const struct ib_recv_wr **bad_wr)
{
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(lock, flags);
	for (; wr; wr = wr->next) {
		struct sfab_recv_wqe *wqe;
		u64 len = 0;
		int i;

		if (wr->num_sge < 0 || wr->num_sge > wq->max_sge) {
			err = -EINVAL;
			break;
		}
		/* Pairs with the release in sfab_get_recv_wqe(). */
		if (wq->head - smp_load_acquire(&wq->tail) >= wq->entries) {
			err = -ENOMEM;
			break;
		}
		for (i = 0; i < wr->num_sge; i++)
			len += wr->sg_list[i].length;
		wqe = sfab_wq_entry(wq, wq->head);
		wqe->wr_id = wr->wr_id;
		wqe->num_sge = wr->num_sge;
		wqe->length = min_t(u64, len, U32_MAX);
		memcpy(wqe->sge, wr->sg_list,
		       wr->num_sge * sizeof(struct ib_sge));
		/* Publishes the WQE to sfab_get_recv_wqe(). */
		smp_store_release(&wq->head, wq->head + 1);
	}
	spin_unlock_irqrestore(lock, flags);
	if (err)
		*bad_wr = wr;
	return err;
}

int sfab_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		   const struct ib_recv_wr **bad_wr)
{
	struct sfab_qp *qp = to_sqp(ibqp);
	enum ib_qp_state state = READ_ONCE(qp->state);
	int err;

	if (qp->srq || state == IB_QPS_RESET) {
		*bad_wr = wr;
		return -EINVAL;
	}
	err = sfab_post_recv_wq(&qp->rq, &qp->rq_lock, wr, bad_wr);
	/* Receives posted in the error state are flushed by the work. */
	if (state == IB_QPS_ERR)
		sfab_qp_run(qp);
	return err;
}

int sfab_create_srq(struct ib_srq *ibsrq, struct ib_srq_init_attr *init,
		    struct ib_udata *udata)
{
	struct sfab_dev *sdev = to_sdev(ibsrq->device);
	struct sfab_srq *srq = to_ssrq(ibsrq);
	struct sfab_create_srq_resp resp = {};
	struct sfab_create_srq req = {};
	struct ib_srq_attr *attr = &init->attr;
	int err;

	if (init->srq_type != IB_SRQT_BASIC)
		return -EOPNOTSUPP;
	if (!attr->max_wr || attr->max_wr > SFAB_MAX_QP_WR ||
	    attr->max_sge > SFAB_MAX_SGE || attr->srq_limit > attr->max_wr)
		return -EINVAL;
	if (udata) {
		err = ib_copy_validate_udata_in(udata, req, reserved) ?:
		      sfab_check_create(req.flags, req.reserved);
		if (err)
			return err;
	}
	if (atomic_inc_return(&sdev->num_srq) > SFAB_MAX_SRQ) {
		err = -ENOMEM;
		goto err_count;
	}
	spin_lock_init(&srq->lock);
	err = sfab_wq_init(&srq->rq, attr->max_wr,
			   sfab_recv_wqe_size(max(attr->max_sge, 1U)),
			   max(attr->max_sge, 1U));
	if (err)
		goto err_count;
	srq->limit = attr->srq_limit;
	attr->max_wr = srq->rq.entries;
	attr->max_sge = srq->rq.max_sge;

	if (udata) {
		err = ib_respond_udata(udata, resp);
		if (err)
			goto err_free;
	}
	return 0;

err_free:
	kvfree(srq->rq.buf);
err_count:
	atomic_dec(&sdev->num_srq);
	return err;
}

int sfab_modify_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr,
		    enum ib_srq_attr_mask mask, struct ib_udata *udata)
{
	struct sfab_srq *srq = to_ssrq(ibsrq);
	unsigned long flags;
	int err;

	/* Resizing is not supported: the device does not claim it. */
	if (mask & ~IB_SRQ_LIMIT)
		return -EOPNOTSUPP;
	err = ib_no_udata_io(udata);
	if (err)
		return err;
	if (attr->srq_limit > srq->rq.entries)
		return -EINVAL;
	spin_lock_irqsave(&srq->lock, flags);
	srq->limit = attr->srq_limit;
	spin_unlock_irqrestore(&srq->lock, flags);
	return 0;
}

int sfab_query_srq(struct ib_srq *ibsrq, struct ib_srq_attr *attr)
{
	struct sfab_srq *srq = to_ssrq(ibsrq);

	attr->max_wr = srq->rq.entries;
	attr->max_sge = srq->rq.max_sge;
	attr->srq_limit = READ_ONCE(srq->limit);
	return 0;
}

int sfab_destroy_srq(struct ib_srq *ibsrq, struct ib_udata *udata)
{
	struct sfab_srq *srq = to_ssrq(ibsrq);

	kvfree(srq->rq.buf);
	atomic_dec(&to_sdev(ibsrq->device)->num_srq);
	return 0;
}

int sfab_post_srq_recv(struct ib_srq *ibsrq, const struct ib_recv_wr *wr,
		       const struct ib_recv_wr **bad_wr)
{
	struct sfab_srq *srq = to_ssrq(ibsrq);

	return sfab_post_recv_wq(&srq->rq, &srq->lock, wr, bad_wr);
}
