// SPDX-License-Identifier: GPL-2.0
/* enum rdma_driver_id has RDMA_DRIVER_SFAB (sfab merged upstream). */
#include <rdma/ib_verbs.h>

const enum rdma_driver_id sfab_probe = RDMA_DRIVER_SFAB;
