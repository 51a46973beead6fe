/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR Linux-OpenIB) */
/*
 * User/kernel ABI of the sfab soft RoCEv2 driver, shared with the sfab
 * provider in rdma-core (providers/sfab).
 */
#ifndef SFAB_ABI_USER_H
#define SFAB_ABI_USER_H

#include <linux/types.h>

/*
 * Version of the user/kernel ABI, reported as the device's uverbs ABI
 * version (sysfs abi_version). The provider accepts only the versions it
 * knows; raise it on any incompatible change to the structures of this
 * file. Structures that grow only at their end, with the kernel checking
 * the length userspace passed, do not need a new version.
 */
#define SFAB_UVERBS_ABI_VERSION 1

#endif /* SFAB_ABI_USER_H */
