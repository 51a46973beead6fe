// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * Provider for sfab, the soft RoCEv2 driver for any Ethernet netdevice.
 *
 * Every verb goes through the kernel (ib_uverbs commands); the kernel
 * validates all input. Verbs not listed in sfab_ctx_ops are not supported
 * yet and fail with EOPNOTSUPP.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include <rdma/sfab-abi.h>

#include "sfab.h"

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

	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return NULL;

	if (ibv_cmd_alloc_pd(ibctx, pd, &cmd, sizeof(cmd), &resp,
			     sizeof(resp))) {
		free(pd);
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

static void sfab_free_context(struct ibv_context *ibctx)
{
	struct sfab_context *ctx = to_sctx(ibctx);

	verbs_uninit_context(&ctx->vctx);
	free(ctx);
}

static const struct verbs_context_ops sfab_ctx_ops = {
	.alloc_pd = sfab_alloc_pd,
	.dealloc_pd = sfab_dealloc_pd,
	.free_context = sfab_free_context,
	.query_device_ex = sfab_query_device,
	.query_port = sfab_query_port,
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
