// SPDX-License-Identifier: GPL-2.0
/* ib_umem_get_va(), which took the place of ib_umem_get() (v7.2). */
#include <rdma/ib_umem.h>

struct ib_umem *sfab_probe(struct ib_device *dev, unsigned long addr,
			   size_t size, int access);
struct ib_umem *sfab_probe(struct ib_device *dev, unsigned long addr,
			   size_t size, int access)
{
	return ib_umem_get_va(dev, addr, size, access);
}
