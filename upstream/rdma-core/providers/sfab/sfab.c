// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Provider for sfab, the soft RoCEv2 driver for any Ethernet netdevice.
 *
 * Every verb goes through the kernel (ib_uverbs commands), the data path
 * too: posting work requests and polling completions is one system call
 * each, and the kernel validates all input. This version maps no rings:
 * it asks for none when it creates a queue, and fails the create if the
 * kernel maps one anyway. Verbs not listed in sfab_ctx_ops are not
 * supported (memory windows, resize_cq, rereg_mr, the extended QP and CQ
 * API) and fail with EOPNOTSUPP.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include "sfab.h"
#include "sfab_abi.h"

static int sfab_query_device(struct ibv_context *ibctx,
			     const struct ibv_query_device_ex_input *input,
			     struct ibv_device_attr_ex *attr, size_t attr_size)
{
	struct ib_uverbs_ex_query_device_resp resp;
	size_t resp_size = sizeof(resp);

	return ibv_cmd_query_device_any(ibctx, input, attr, attr_size, &resp,
					&resp_size);
}

static int sfab_query_port(struct ibv_context *ibctx, uint8_t port,
			   struct ibv_port_attr *attr)
{
	struct ibv_query_port cmd;

	return ibv_cmd_query_port(ibctx, port, attr, &cmd, sizeof(cmd));
}

static struct ibv_pd *sfab_alloc_pd(struct ibv_context *ibctx)
{
	struct ib_uverbs_alloc_pd_resp resp;
	struct ibv_alloc_pd cmd;
	struct ibv_pd *pd;
	int ret;

	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return NULL;

	ret = ibv_cmd_alloc_pd(ibctx, pd, &cmd, sizeof(cmd), &resp,
			       sizeof(resp));
	if (ret) {
		free(pd);
		errno = ret;
		return NULL;
	}
	return pd;
}

static int sfab_dealloc_pd(struct ibv_pd *pd)
{
	int ret;

	ret = ibv_cmd_dealloc_pd(pd);
	if (ret)
		return ret;

	free(pd);
	return 0;
}

static struct ibv_mr *sfab_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
				  uint64_t hca_va, int access)
{
	struct ib_uverbs_reg_mr_resp resp;
	struct ibv_reg_mr cmd;
	struct verbs_mr *vmr;
	int ret;

	vmr = calloc(1, sizeof(*vmr));
	if (!vmr)
		return NULL;

	/*
	 * hca_va is the MR's iova: libibverbs passes addr for ibv_reg_mr() and
	 * the caller's iova for ibv_reg_mr_iova().
	 */
	ret = ibv_cmd_reg_mr(pd, addr, length, hca_va, access, vmr, &cmd,
			     sizeof(cmd), &resp, sizeof(resp));
	if (ret) {
		free(vmr);
		errno = ret;
		return NULL;
	}
	return &vmr->ibv_mr;
}

static int sfab_dereg_mr(struct verbs_mr *vmr)
{
	int ret;

	ret = ibv_cmd_dereg_mr(vmr);
	if (ret)
		return ret;

	free(vmr);
	return 0;
}

/*
 * The kernel keeps the address vector, and for RoCE resolves the
 * destination MAC itself (ib_core does it for every user AH).
 */
static struct ibv_ah *sfab_create_ah(struct ibv_pd *pd,
				     struct ibv_ah_attr *attr)
{
	struct ib_uverbs_create_ah_resp resp;
	struct ibv_ah *ah;
	int ret;

	ah = calloc(1, sizeof(*ah));
	if (!ah)
		return NULL;

	ret = ibv_cmd_create_ah(pd, ah, attr, &resp, sizeof(resp));
	if (ret) {
		free(ah);
		errno = ret;
		return NULL;
	}
	return ah;
}

static int sfab_destroy_ah(struct ibv_ah *ah)
{
	int ret;

	ret = ibv_cmd_destroy_ah(ah);
	if (ret)
		return ret;

	free(ah);
	return 0;
}

/*
 * The create requests below go out zeroed: flags 0 asks for no mapped
 * ring. A ring of non-zero size in a response means the kernel mapped one
 * anyway and expects it to be used, which this provider cannot do: such a
 * queue is destroyed again and the create fails with EOPNOTSUPP.
 */

static struct ibv_cq *sfab_create_cq(struct ibv_context *ibctx, int cqe,
				     struct ibv_comp_channel *channel,
				     int comp_vector)
{
	struct sfab_cmd_create_cq_resp resp = {};
	struct sfab_cmd_create_cq cmd = {};
	struct ibv_cq *cq;
	int ret;

	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return NULL;

	ret = ibv_cmd_create_cq(ibctx, cqe, channel, comp_vector, cq,
				&cmd.ibv_cmd, sizeof(cmd), &resp.ibv_resp,
				sizeof(resp));
	if (ret)
		goto err_free;

	if (resp.cq.size) {
		ibv_cmd_destroy_cq(cq);
		ret = EOPNOTSUPP;
		goto err_free;
	}
	return cq;

err_free:
	free(cq);
	errno = ret;
	return NULL;
}

static int sfab_destroy_cq(struct ibv_cq *cq)
{
	int ret;

	ret = ibv_cmd_destroy_cq(cq);
	if (ret)
		return ret;

	free(cq);
	return 0;
}

static struct ibv_srq *sfab_create_srq(struct ibv_pd *pd,
				       struct ibv_srq_init_attr *attr)
{
	struct sfab_cmd_create_srq_resp resp = {};
	struct sfab_cmd_create_srq cmd = {};
	struct ibv_srq *srq;
	int ret;

	srq = calloc(1, sizeof(*srq));
	if (!srq)
		return NULL;

	ret = ibv_cmd_create_srq(pd, srq, attr, &cmd.ibv_cmd, sizeof(cmd),
				 &resp.ibv_resp, sizeof(resp));
	if (ret)
		goto err_free;

	if (resp.rq.size) {
		ibv_cmd_destroy_srq(srq);
		ret = EOPNOTSUPP;
		goto err_free;
	}
	return srq;

err_free:
	free(srq);
	errno = ret;
	return NULL;
}

static int sfab_modify_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr,
			   int attr_mask)
{
	struct ibv_modify_srq cmd;

	return ibv_cmd_modify_srq(srq, attr, attr_mask, &cmd, sizeof(cmd));
}

static int sfab_query_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr)
{
	struct ibv_query_srq cmd;

	return ibv_cmd_query_srq(srq, attr, &cmd, sizeof(cmd));
}

static int sfab_destroy_srq(struct ibv_srq *srq)
{
	int ret;

	ret = ibv_cmd_destroy_srq(srq);
	if (ret)
		return ret;

	free(srq);
	return 0;
}

/*
 * A QP is allocated as a verbs_qp although it has no extended ops:
 * ibv_qp_to_qp_ex() reads verbs_qp.comp_mask of any QP, and 0 there tells
 * the application that there is no ibv_qp_ex.
 */
static struct ibv_qp *sfab_create_qp(struct ibv_pd *pd,
				     struct ibv_qp_init_attr *attr)
{
	struct sfab_cmd_create_qp_resp resp = {};
	struct sfab_cmd_create_qp cmd = {};
	struct verbs_qp *vqp;
	int ret;

	vqp = calloc(1, sizeof(*vqp));
	if (!vqp)
		return NULL;

	ret = ibv_cmd_create_qp(pd, &vqp->qp, attr, &cmd.ibv_cmd, sizeof(cmd),
				&resp.ibv_resp, sizeof(resp));
	if (ret)
		goto err_free;

	if (resp.sq.size || resp.rq.size) {
		ibv_cmd_destroy_qp(&vqp->qp);
		ret = EOPNOTSUPP;
		goto err_free;
	}
	return &vqp->qp;

err_free:
	free(vqp);
	errno = ret;
	return NULL;
}

static int sfab_query_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr,
			 int attr_mask, struct ibv_qp_init_attr *init_attr)
{
	struct ibv_query_qp cmd;

	return ibv_cmd_query_qp(qp, attr, attr_mask, init_attr, &cmd,
				sizeof(cmd));
}

static int sfab_modify_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr,
			  int attr_mask)
{
	struct ibv_modify_qp cmd;

	return ibv_cmd_modify_qp(qp, attr, attr_mask, &cmd, sizeof(cmd));
}

static int sfab_destroy_qp(struct ibv_qp *qp)
{
	int ret;

	ret = ibv_cmd_destroy_qp(qp);
	if (ret)
		return ret;

	free(container_of(qp, struct verbs_qp, qp));
	return 0;
}

static void sfab_free_context(struct ibv_context *ibctx)
{
	struct sfab_context *ctx = to_sctx(ibctx);

	verbs_uninit_context(&ctx->vctx);
	free(ctx);
}

/* Posting and polling are the plain uverbs commands. */
static const struct verbs_context_ops sfab_ctx_ops = {
	.alloc_pd = sfab_alloc_pd,
	.create_ah = sfab_create_ah,
	.create_cq = sfab_create_cq,
	.create_qp = sfab_create_qp,
	.create_srq = sfab_create_srq,
	.dealloc_pd = sfab_dealloc_pd,
	.dereg_mr = sfab_dereg_mr,
	.destroy_ah = sfab_destroy_ah,
	.destroy_cq = sfab_destroy_cq,
	.destroy_qp = sfab_destroy_qp,
	.destroy_srq = sfab_destroy_srq,
	.free_context = sfab_free_context,
	.modify_qp = sfab_modify_qp,
	.modify_srq = sfab_modify_srq,
	.poll_cq = ibv_cmd_poll_cq,
	.post_recv = ibv_cmd_post_recv,
	.post_send = ibv_cmd_post_send,
	.post_srq_recv = ibv_cmd_post_srq_recv,
	.query_device_ex = sfab_query_device,
	.query_port = sfab_query_port,
	.query_qp = sfab_query_qp,
	.query_srq = sfab_query_srq,
	.reg_mr = sfab_reg_mr,
	.req_notify_cq = ibv_cmd_req_notify_cq,
};

static struct verbs_context *sfab_alloc_context(struct ibv_device *ibdev,
						int cmd_fd, void *private_data)
{
	struct verbs_device *vdev = verbs_get_device(ibdev);
	struct ib_uverbs_get_context_resp resp;
	struct ibv_get_context cmd;
	struct sfab_context *ctx;

	/*
	 * The kernel checks the driver id of ioctl commands: use the one it
	 * reported for this device.
	 */
	ctx = verbs_init_and_alloc_context(ibdev, cmd_fd, ctx, vctx,
					   vdev->sysfs->driver_id);
	if (!ctx)
		return NULL;

	if (ibv_cmd_get_context(&ctx->vctx, &cmd, sizeof(cmd), NULL, &resp,
				sizeof(resp)))
		goto err;

	verbs_set_ops(&ctx->vctx, &sfab_ctx_ops);
	return &ctx->vctx;

err:
	verbs_uninit_context(&ctx->vctx);
	free(ctx);
	return NULL;
}

static struct verbs_device *sfab_device_alloc(struct verbs_sysfs_dev *sysfs_dev)
{
	struct sfab_device *dev;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	return &dev->vdev;
}

static void sfab_device_free(struct verbs_device *vdev)
{
	free(container_of(vdev, struct sfab_device, vdev));
}

static const struct verbs_match_ent sfab_match_table[] = {
	VERBS_DRIVER_ID(RDMA_DRIVER_SFAB),
	{},
};

static const struct verbs_device_ops sfab_dev_ops = {
	.name = "sfab",
	.match_min_abi_version = SFAB_UVERBS_ABI_VERSION,
	.match_max_abi_version = SFAB_UVERBS_ABI_VERSION,
	.match_table = sfab_match_table,
	.alloc_device = sfab_device_alloc,
	.uninit_device = sfab_device_free,
	.alloc_context = sfab_alloc_context,
};

PROVIDER_DRIVER(sfab, sfab_dev_ops);
