// SPDX-License-Identifier: GPL-2.0
// Backport: before v6.0, the kernel-only device flags (IBK_*) were part
// of ib_device_attr.device_cap_flags.
// sfab-unless: HAVE_IB_KERNEL_CAP_FLAGS
@@
struct ib_device_attr *attr;
expression flags;
@@
- attr->kernel_cap_flags = flags;
+ attr->device_cap_flags |= flags;
