// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: completion queues. Completions are kept as struct ib_wc in a
 * ring; notifications run the CQ's handler from a work item on the CPU
 * of the CQ's completion vector, never under a QP's lock.
 */

#include <rdma/uverbs_ioctl.h>
#include <rdma/sfab-abi.h>

#include "sfab.h"

static void sfab_cq_notify_work(struct work_struct *work)
{
	struct sfab_cq *cq = container_of(work, struct sfab_cq, notify_work);

	if (cq->ibcq.comp_handler)
		cq->ibcq.comp_handler(&cq->ibcq, cq->ibcq.cq_context);
}

int sfab_create_cq(struct ib_cq *ibcq, const struct ib_cq_init_attr *attr,
		   struct uverbs_attr_bundle *attrs)
{
	struct ib_udata *udata = attrs ? &attrs->driver_udata : NULL;
	struct sfab_dev *sdev = to_sdev(ibcq->device);
	struct sfab_cq *cq = to_scq(ibcq);
	struct sfab_create_cq_resp resp = {};
	struct sfab_create_cq req = {};
	int err;

	if (attr->flags)
		return -EOPNOTSUPP;
	if (!attr->cqe || attr->cqe > SFAB_MAX_CQE ||
	    attr->comp_vector >= ibcq->device->num_comp_vectors)
		return -EINVAL;
	if (udata) {
		err = ib_copy_validate_udata_in(udata, req, reserved) ?:
		      sfab_check_create(req.flags, req.reserved);
		if (err)
			return err;
	}
	if (atomic_inc_return(&sdev->num_cq) > SFAB_MAX_CQ) {
		err = -ENOMEM;
		goto err_count;
	}

	/* One slot stays free to tell a full ring from an empty one. */
	cq->entries = roundup_pow_of_two(attr->cqe + 1);
	cq->queue = kvzalloc_objs(*cq->queue, cq->entries, GFP_KERNEL_ACCOUNT);
	if (!cq->queue) {
		err = -ENOMEM;
		goto err_count;
	}
	spin_lock_init(&cq->lock);
	INIT_WORK(&cq->notify_work, sfab_cq_notify_work);
	cq->cpu = cpumask_local_spread(attr->comp_vector, NUMA_NO_NODE);
	ibcq->cqe = cq->entries - 1;

	if (udata) {
		err = ib_respond_udata(udata, resp);
		if (err)
			goto err_free;
	}
	return 0;

err_free:
	kvfree(cq->queue);
err_count:
	atomic_dec(&sdev->num_cq);
	return err;
}

int sfab_destroy_cq(struct ib_cq *ibcq, struct ib_udata *udata)
{
	struct sfab_cq *cq = to_scq(ibcq);

	cancel_work_sync(&cq->notify_work);
	kvfree(cq->queue);
	atomic_dec(&to_sdev(ibcq->device)->num_cq);
	return 0;
}

/**
 * sfab_cq_post - add a completion
 * @cq: the CQ
 * @wc: the completion
 * @solicited: it is for a solicited event (fires IB_CQ_SOLICITED)
 *
 * A full CQ is an overrun: the completion is lost and the CQ's owner gets
 * IB_EVENT_CQ_ERR, once.
 */
void sfab_cq_post(struct sfab_cq *cq, const struct ib_wc *wc, bool solicited)
{
	unsigned long flags;
	bool notify = false;

	spin_lock_irqsave(&cq->lock, flags);
	if (cq->head - cq->tail >= cq->entries - 1) {
		bool first = !cq->overflow;

		cq->overflow = true;
		spin_unlock_irqrestore(&cq->lock, flags);
		if (first && cq->ibcq.event_handler) {
			struct ib_event ev = {
				.device = cq->ibcq.device,
				.element.cq = &cq->ibcq,
				.event = IB_EVENT_CQ_ERR,
			};

			cq->ibcq.event_handler(&ev, cq->ibcq.cq_context);
		}
		return;
	}
	cq->queue[cq->head & (cq->entries - 1)] = *wc;
	cq->head++;
	if (cq->notify == IB_CQ_NEXT_COMP ||
	    (cq->notify == IB_CQ_SOLICITED && solicited)) {
		cq->notify = 0;
		notify = true;
	}
	spin_unlock_irqrestore(&cq->lock, flags);

	if (notify)
		queue_work_on(cq->cpu, sfab_wq, &cq->notify_work);
}

int sfab_poll_cq(struct ib_cq *ibcq, int num_entries, struct ib_wc *wc)
{
	struct sfab_cq *cq = to_scq(ibcq);
	unsigned long flags;
	int n = 0;

	spin_lock_irqsave(&cq->lock, flags);
	while (n < num_entries && cq->tail != cq->head) {
		wc[n++] = cq->queue[cq->tail & (cq->entries - 1)];
		cq->tail++;
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	return n;
}

int sfab_req_notify_cq(struct ib_cq *ibcq, enum ib_cq_notify_flags flags)
{
	struct sfab_cq *cq = to_scq(ibcq);
	unsigned long irqflags;
	int ret = 0;

	spin_lock_irqsave(&cq->lock, irqflags);
	/* IB_CQ_NEXT_COMP wins over IB_CQ_SOLICITED when both are armed. */
	if (cq->notify != IB_CQ_NEXT_COMP)
		cq->notify = flags & IB_CQ_SOLICITED_MASK;
	if ((flags & IB_CQ_REPORT_MISSED_EVENTS) && cq->head != cq->tail)
		ret = 1;
	spin_unlock_irqrestore(&cq->lock, irqflags);
	return ret;
}

/*
 * Removes the completions of a QP being destroyed: they point at it, and
 * ib_uverbs reads the QP number through that pointer when it polls.
 */
void sfab_cq_clean(struct sfab_cq *cq, struct sfab_qp *qp)
{
	unsigned long flags;
	u32 i, keep;

	spin_lock_irqsave(&cq->lock, flags);
	keep = cq->head;
	for (i = cq->head; i != cq->tail; i--) {
		struct ib_wc *wc = &cq->queue[(i - 1) & (cq->entries - 1)];

		if (wc->qp == &qp->ibqp)
			continue;
		keep--;
		if (keep != i - 1)
			cq->queue[keep & (cq->entries - 1)] = *wc;
	}
	cq->tail = keep;
	spin_unlock_irqrestore(&cq->lock, flags);
}
