// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: memory regions. A key is the region's index in the device's key
 * table, shifted left by 8, plus an 8-bit key that fast registration
 * changes. Every access, local or remote, goes through a key lookup and
 * a check of protection domain, access rights and bounds.
 */

#include <linux/highmem.h>
#include <linux/random.h>
#include <linux/vmalloc.h>
#include <rdma/ib_umem.h>

#include "sfab.h"

#define SFAB_MR_ACCESS	(IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | \
			 IB_ACCESS_REMOTE_READ | IB_ACCESS_REMOTE_ATOMIC | \
			 IB_ACCESS_RELAXED_ORDERING)

static struct sfab_mr *sfab_mr_alloc(struct ib_pd *ibpd, enum sfab_mr_type type,
				     int access)
{
	struct sfab_dev *sdev = to_sdev(ibpd->device);
	struct sfab_mr *mr;
	int err;

	mr = kzalloc_obj(*mr);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	refcount_set(&mr->ref, 1);
	init_completion(&mr->done);
	mr->type = type;
	mr->access = access;
	mr->page_shift = PAGE_SHIFT;
	err = xa_alloc_cyclic(&sdev->mrs, &mr->index, mr,
			      XA_LIMIT(1, SFAB_MAX_MR), &sdev->next_mr,
			      GFP_KERNEL);
	if (err < 0) {
		kfree(mr);
		return ERR_PTR(err == -EBUSY ? -ENOMEM : err);
	}
	/* The key's low byte is random: a region's index is no guess. */
	mr->ibmr.lkey = mr->index << 8 | get_random_u8();
	mr->ibmr.rkey = mr->ibmr.lkey;
	return mr;
}

/* Removes the region from the key table and waits for its users. */
static void sfab_mr_free(struct sfab_dev *sdev, struct sfab_mr *mr)
{
	xa_erase(&sdev->mrs, mr->index);
	sfab_mr_put(mr);
	wait_for_completion(&mr->done);
	if (mr->umem)
		ib_umem_release(mr->umem);
	kvfree(mr->pages);
	kfree(mr);
}

struct ib_mr *sfab_get_dma_mr(struct ib_pd *ibpd, int access)
{
	struct sfab_mr *mr;

	if (access & ~SFAB_MR_ACCESS)
		return ERR_PTR(-EOPNOTSUPP);
	mr = sfab_mr_alloc(ibpd, SFAB_MR_DMA, access);
	if (IS_ERR(mr))
		return ERR_CAST(mr);
	mr->valid = true;
	return &mr->ibmr;
}

struct ib_mr *sfab_reg_user_mr(struct ib_pd *ibpd, u64 start, u64 length,
			       u64 iova, int access, struct ib_dmah *dmah,
			       struct ib_udata *udata)
{
	struct sfab_dev *sdev = to_sdev(ibpd->device);
	struct sg_page_iter iter;
	struct ib_umem *umem;
	struct sfab_mr *mr;
	u32 i = 0;
	int err;

	if (dmah)
		return ERR_PTR(-EOPNOTSUPP);
	if (access & ~SFAB_MR_ACCESS)
		return ERR_PTR(-EOPNOTSUPP);
	if (!length || length > U32_MAX * (u64)PAGE_SIZE)
		return ERR_PTR(-EINVAL);

	umem = ib_umem_get_va(&sdev->ibdev, start, length, access);
	if (IS_ERR(umem))
		return ERR_CAST(umem);
	mr = sfab_mr_alloc(ibpd, SFAB_MR_USER, access);
	if (IS_ERR(mr)) {
		ib_umem_release(umem);
		return ERR_CAST(mr);
	}
	mr->umem = umem;
	mr->max_pages = ib_umem_num_pages(umem);
	mr->pages = kvzalloc_objs(*mr->pages, mr->max_pages,
				  GFP_KERNEL_ACCOUNT);
	if (!mr->pages) {
		err = -ENOMEM;
		goto err_free;
	}
	for_each_sgtable_page(&umem->sgt_append.sgt, &iter, 0) {
		if (i == mr->max_pages)
			break;
		mr->pages[i++] = (uintptr_t)page_address(sg_page_iter_page(&iter));
	}
	mr->npages = i;
	mr->page_offset = ib_umem_offset(umem);
	mr->ibmr.iova = iova;
	mr->ibmr.length = length;
	mr->valid = true;
	return &mr->ibmr;

err_free:
	sfab_mr_free(sdev, mr);
	return ERR_PTR(err);
}

struct ib_mr *sfab_alloc_mr(struct ib_pd *ibpd, enum ib_mr_type type,
			    u32 max_num_sg)
{
	struct sfab_mr *mr;

	if (type != IB_MR_TYPE_MEM_REG)
		return ERR_PTR(-EOPNOTSUPP);
	if (!max_num_sg || max_num_sg > SFAB_MAX_FAST_REG_PAGES)
		return ERR_PTR(-EINVAL);

	mr = sfab_mr_alloc(ibpd, SFAB_MR_FAST, 0);
	if (IS_ERR(mr))
		return ERR_CAST(mr);
	mr->max_pages = max_num_sg;
	mr->pages = kvzalloc_objs(*mr->pages, max_num_sg, GFP_KERNEL_ACCOUNT);
	if (!mr->pages) {
		sfab_mr_free(to_sdev(ibpd->device), mr);
		return ERR_PTR(-ENOMEM);
	}
	return &mr->ibmr;
}

static int sfab_set_page(struct ib_mr *ibmr, u64 addr)
{
	struct sfab_mr *mr = to_smr(ibmr);

	if (mr->npages == mr->max_pages)
		return -ENOMEM;
	mr->pages[mr->npages++] = addr;
	return 0;
}

/* Pages for the next REG_MR work request; the region stays invalid. */
int sfab_map_mr_sg(struct ib_mr *ibmr, struct scatterlist *sg, int sg_nents,
		   unsigned int *sg_offset)
{
	struct sfab_mr *mr = to_smr(ibmr);
	int n;

	if (!is_power_of_2(ibmr->page_size) || ibmr->page_size < SZ_4K)
		return -EINVAL;
	mr->npages = 0;
	mr->page_shift = ilog2(ibmr->page_size);
	n = ib_sg_to_pages(ibmr, sg, sg_nents, sg_offset, sfab_set_page);
	mr->page_offset = ibmr->iova & (ibmr->page_size - 1);
	return n;
}

int sfab_dereg_mr(struct ib_mr *ibmr, struct ib_udata *udata)
{
	sfab_mr_free(to_sdev(ibmr->device), to_smr(ibmr));
	return 0;
}

/**
 * sfab_mr_get - look up a valid memory region by key, with a reference
 * @sdev: the device
 * @key: an lkey, or an rkey if @remote
 * @remote: which of the region's keys @key must be
 *
 * Callable from any context; release with sfab_mr_put().
 *
 * Return: the region, or NULL if no valid region has that key.
 */
struct sfab_mr *sfab_mr_get(struct sfab_dev *sdev, u32 key, bool remote)
{
	struct sfab_mr *mr;

	rcu_read_lock();
	mr = xa_load(&sdev->mrs, key >> 8);
	/* Pairs with the release in sfab_reg_mr_wqe(): keys, then valid. */
	if (mr && (!smp_load_acquire(&mr->valid) ||
		   (remote ? READ_ONCE(mr->ibmr.rkey) :
			     READ_ONCE(mr->ibmr.lkey)) != key ||
		   !refcount_inc_not_zero(&mr->ref)))
		mr = NULL;
	rcu_read_unlock();
	return mr;
}

void sfab_mr_put(struct sfab_mr *mr)
{
	if (refcount_dec_and_test(&mr->ref))
		complete(&mr->done);
}

/**
 * sfab_mr_check - may @len bytes at @iova of @mr be used so
 * @mr: the region
 * @pd: protection domain of the QP using it
 * @access: IB_ACCESS_* the use needs (0 for a local read)
 * @iova: start
 * @len: bytes
 *
 * Return: 0, -EACCES (protection domain, access rights) or -EFAULT
 * (bounds).
 */
int sfab_mr_check(struct sfab_mr *mr, struct ib_pd *pd, int access, u64 iova,
		  u64 len)
{
	u64 start = mr->ibmr.iova;

	if (mr->ibmr.pd != pd || (mr->access & access) != access)
		return -EACCES;
	if (mr->type == SFAB_MR_DMA)
		return 0;
	if (iova < start || len > mr->ibmr.length ||
	    iova - start > mr->ibmr.length - len)
		return -EFAULT;
	return 0;
}

/**
 * sfab_mr_addr - kernel address of @iova in @mr, checked by sfab_mr_check()
 * @mr: the region
 * @iova: the address in the region
 * @contig: set to the bytes that follow contiguously in kernel memory
 *
 * Return: the kernel address.
 */
void *sfab_mr_addr(struct sfab_mr *mr, u64 iova, u32 *contig)
{
	u64 off, psize;

	if (mr->type == SFAB_MR_DMA) {
		*contig = U32_MAX;
		return ib_virt_dma_to_ptr(iova);
	}
	psize = 1ULL << mr->page_shift;
	off = iova - mr->ibmr.iova + mr->page_offset;
	*contig = psize - (off & (psize - 1));
	return ib_virt_dma_to_ptr(mr->pages[off >> mr->page_shift] +
				  (off & (psize - 1)));
}

/* Positions @cur at byte @off of the WQE's SGE list. */
void sfab_cursor_init(struct sfab_sge_cursor *cur, const struct ib_sge *sge,
		      u32 num_sge, u32 off)
{
	cur->sge = sge;
	cur->num_sge = num_sge;
	cur->index = 0;
	while (cur->index < num_sge && off >= sge[cur->index].length) {
		off -= sge[cur->index].length;
		cur->index++;
	}
	cur->offset = off;
}

/**
 * sfab_copy_sges - copy between a buffer and a work request's SGEs
 * @sdev: the device
 * @pd: protection domain of the QP
 * @cur: where in the SGE list; advanced by @len
 * @buf: the buffer
 * @len: bytes to copy
 * @to_sge: copy into the SGEs' memory (needs local write access)
 *
 * Return: IB_WC_SUCCESS, IB_WC_LOC_PROT_ERR for a bad key, access or
 * bounds, or IB_WC_LOC_LEN_ERR if the SGEs are too short.
 */
enum ib_wc_status sfab_copy_sges(struct sfab_dev *sdev, struct ib_pd *pd,
				 struct sfab_sge_cursor *cur, void *buf,
				 u32 len, bool to_sge)
{
	while (len) {
		const struct ib_sge *sge;
		struct sfab_mr *mr;
		u32 n, contig;
		void *addr;

		if (cur->index >= cur->num_sge)
			return IB_WC_LOC_LEN_ERR;
		sge = &cur->sge[cur->index];
		if (cur->offset >= sge->length) {
			cur->index++;
			cur->offset = 0;
			continue;
		}
		mr = sfab_mr_get(sdev, sge->lkey, false);
		if (!mr)
			return IB_WC_LOC_PROT_ERR;
		if (sfab_mr_check(mr, pd, to_sge ? IB_ACCESS_LOCAL_WRITE : 0,
				  sge->addr, sge->length)) {
			sfab_mr_put(mr);
			return IB_WC_LOC_PROT_ERR;
		}
		n = min(len, sge->length - cur->offset);
		while (n) {
			u32 chunk;

			addr = sfab_mr_addr(mr, sge->addr + cur->offset,
					    &contig);
			chunk = min(n, contig);
			if (to_sge)
				memcpy(addr, buf, chunk);
			else
				memcpy(buf, addr, chunk);
			buf += chunk;
			cur->offset += chunk;
			len -= chunk;
			n -= chunk;
		}
		sfab_mr_put(mr);
	}
	return IB_WC_SUCCESS;
}

/* Executes a REG_MR work request: the region takes its new key. */
int sfab_reg_mr_wqe(struct sfab_qp *qp, struct sfab_send_wqe *wqe)
{
	struct sfab_mr *mr = wqe->reg_mr;

	if (mr->type != SFAB_MR_FAST || mr->ibmr.pd != qp->ibqp.pd ||
	    READ_ONCE(mr->valid) || (wqe->reg_key >> 8) != mr->index ||
	    (wqe->reg_access & ~SFAB_MR_ACCESS))
		return -EINVAL;
	mr->access = wqe->reg_access;
	WRITE_ONCE(mr->ibmr.lkey, wqe->reg_key);
	WRITE_ONCE(mr->ibmr.rkey, wqe->reg_key);
	/* Lookups that see the region valid see its new keys. */
	smp_store_release(&mr->valid, true);
	return 0;
}

/* LOCAL_INV and SEND_WITH_INV: only fast registration regions. */
int sfab_invalidate(struct sfab_dev *sdev, struct ib_pd *pd, u32 rkey)
{
	struct sfab_mr *mr;
	int err = 0;

	mr = sfab_mr_get(sdev, rkey, true);
	if (!mr)
		return -EINVAL;
	if (mr->type != SFAB_MR_FAST || mr->ibmr.pd != pd)
		err = -EINVAL;
	else
		WRITE_ONCE(mr->valid, false);
	sfab_mr_put(mr);
	return err;
}
