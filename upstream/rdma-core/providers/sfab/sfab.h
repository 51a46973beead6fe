/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * Provider for sfab, the soft RoCEv2 driver for any Ethernet netdevice.
 */
#ifndef __SFAB_H__
#define __SFAB_H__

#include <infiniband/driver.h>

struct sfab_device {
	struct verbs_device vdev;
};

struct sfab_context {
	struct verbs_context vctx;
};

static inline struct sfab_context *to_sctx(struct ibv_context *ibctx)
{
	return container_of(ibctx, struct sfab_context, vctx.context);
}

#endif /* __SFAB_H__ */
