// SPDX-License-Identifier: GPL-2.0
/* ib_device_attr.kernel_cap_flags and the IBK_* flags (v6.0). */
#include <rdma/ib_verbs.h>

void sfab_probe(struct ib_device_attr *attr);
void sfab_probe(struct ib_device_attr *attr)
{
	attr->kernel_cap_flags = IBK_ALLOW_USER_UNREG;
}
