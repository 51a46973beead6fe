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

/*
 * Work queues and completion queues.
 *
 * Work requests are posted, and completions polled, through the kernel
 * (the ib_uverbs POST_SEND, POST_RECV, POST_SRQ_RECV, POLL_CQ and
 * REQ_NOTIFY_CQ commands). A later version may map a queue's ring into
 * the process instead: a provider asks for it with a flag in the create
 * request, and the response says whether the kernel did. A kernel that
 * does not know a flag fails the create with EOPNOTSUPP, and a ring of
 * size 0 in a response means "no ring: go through the kernel", so old
 * providers and old kernels keep working with new ones.
 */

/* Flags of sfab_create_{cq,qp,srq}.flags. None is defined yet. */
#define SFAB_CREATE_FLAGS_SUPPORTED 0

/**
 * struct sfab_ring - where a mapped ring is, in a create response
 * @mmap_offset: offset to pass to mmap() on the device file
 * @size: bytes to map; 0 when the queue has no mapped ring
 * @entries: entries in the ring
 */
struct sfab_ring {
	__aligned_u64 mmap_offset;
	__u32 size;
	__u32 entries;
};

struct sfab_create_cq {
	__u32 flags;
	__u32 reserved;
};

struct sfab_create_cq_resp {
	struct sfab_ring cq;
};

struct sfab_create_qp {
	__u32 flags;
	__u32 reserved;
};

struct sfab_create_qp_resp {
	struct sfab_ring sq;
	struct sfab_ring rq;
};

struct sfab_create_srq {
	__u32 flags;
	__u32 reserved;
};

struct sfab_create_srq_resp {
	struct sfab_ring rq;
};

#endif /* SFAB_ABI_USER_H */
