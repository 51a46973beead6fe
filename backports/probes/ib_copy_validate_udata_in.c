// SPDX-License-Identifier: GPL-2.0
/*
 * ib_copy_validate_udata_in() and ib_respond_udata() in
 * <rdma/uverbs_ioctl.h> (v7.2).
 */
#include <rdma/uverbs_ioctl.h>

struct sfab_probe_cmd {
	__u32 flags;
	__u32 reserved;
};

int sfab_probe(struct ib_udata *udata);
int sfab_probe(struct ib_udata *udata)
{
	struct sfab_probe_cmd cmd = {};

	return ib_copy_validate_udata_in(udata, cmd, reserved) ?:
	       ib_respond_udata(udata, cmd);
}
