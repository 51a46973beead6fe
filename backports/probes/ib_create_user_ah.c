// SPDX-License-Identifier: GPL-2.0
/*
 * ib_device_ops.create_user_ah: user AHs have their own op (after v5.10);
 * before, create_ah got both kernel and user AHs.
 */
#include <rdma/ib_verbs.h>

static int sfab_probe_create_ah(struct ib_ah *ah,
				struct rdma_ah_init_attr *init,
				struct ib_udata *udata)
{
	return 0;
}

const struct ib_device_ops sfab_probe_ops = {
	.create_ah = sfab_probe_create_ah,
	.create_user_ah = sfab_probe_create_ah,
};
