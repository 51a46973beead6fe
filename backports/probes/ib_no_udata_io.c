// SPDX-License-Identifier: GPL-2.0
/*
 * ib_is_udata_in_empty(), ib_respond_empty_udata() and ib_no_udata_io()
 * in <rdma/uverbs_ioctl.h> (v7.2).
 */
#include <rdma/uverbs_ioctl.h>

int sfab_probe(struct ib_udata *udata);
int sfab_probe(struct ib_udata *udata)
{
	return ib_is_udata_in_empty(udata) ?: ib_no_udata_io(udata);
}
