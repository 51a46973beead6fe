// SPDX-License-Identifier: GPL-2.0
/*
 * struct ib_umem keeps its pages in sgt_append (after v5.10); before, in
 * sg_head, whose used entries were sg_nents.
 */
#include <rdma/ib_umem.h>

struct sg_table *sfab_probe(struct ib_umem *umem);
struct sg_table *sfab_probe(struct ib_umem *umem)
{
	return &umem->sgt_append.sgt;
}
