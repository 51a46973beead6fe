// SPDX-License-Identifier: GPL-2.0
// Backport: up to 5.10 (changed between 5.10 and 6.1 in the kit's trees)
// a umem's pages were in sg_head, whose orig_nents counts allocated
// entries; the used ones are sg_nents.
// sfab-unless: HAVE_IB_UMEM_SGT_APPEND
@@
struct ib_umem *U;
expression it, off;
statement S;
iterator name for_each_sgtable_page, for_each_sg_page;
@@
- for_each_sgtable_page(&U->sgt_append.sgt, it, off)
+ for_each_sg_page(U->sg_head.sgl, it, U->sg_nents, off)
  S
