// SPDX-License-Identifier: GPL-2.0
/*
 * ib_core allocates the driver's QP (INIT_RDMA_OBJ_SIZE(ib_qp, ...)) and
 * create_qp fills it in and returns int (after v5.10); before, the driver
 * allocated it, create_qp returned it and destroy_qp freed it.
 */
#include <rdma/ib_verbs.h>

struct sfab_probe_qp {
	struct ib_qp ibqp;
};

static int sfab_probe_create_qp(struct ib_qp *qp,
				struct ib_qp_init_attr *init,
				struct ib_udata *udata)
{
	return 0;
}

const struct ib_device_ops sfab_probe_ops = {
	.create_qp = sfab_probe_create_qp,
	INIT_RDMA_OBJ_SIZE(ib_qp, sfab_probe_qp, ibqp),
};
