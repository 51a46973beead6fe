/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * sfabdiag: a small client of the kernel's rdma netlink (NETLINK_RDMA),
 * the interface of "rdma dev", "rdma res" and "rdma statistic".
 *
 * Only what sfabdiag needs: dump requests with a few u8/u32 attributes,
 * the replies walked attribute by attribute with every length checked.
 * Kept apart from sfabdiag.h because it needs the kernel uapi headers.
 */
#ifndef SFABDIAG_NL_H
#define SFABDIAG_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>

/*
 * Attributes newer than the oldest uapi header the kit builds with
 * (linux-libc-dev 5.10, Debian bullseye). They are enum members, which
 * #ifdef cannot see, so they get names of their own with their ABI
 * values ("don't change the order or add anything between, this is
 * ABI!" says the header). A kernel that predates them ignores them in a
 * request (ib_core parses requests liberally).
 */
#define NLDEV_ATTR_DRIVER_DETAILS	97	/* u8, Linux 6.7 */
#define NLDEV_ATTR_RES_SUBTYPE		98	/* string, Linux 6.8 */

/* Seconds to wait for the kernel before giving up on a reply. */
#define RDMA_NL_TIMEOUT	10

/**
 * struct nl_attr - one netlink attribute, as found in a reply
 * @type: its type, without the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits
 * @data: its payload, inside the receive buffer
 * @len: the payload's length, checked to lie within its parent
 */
struct nl_attr {
	unsigned int type;
	const unsigned char *data;
	size_t len;
};

/**
 * struct nl_walk - walks a sequence of attributes
 * @pos: the next attribute
 * @left: bytes from @pos to the end of the parent
 * @bad: an attribute's length did not fit its parent: the walk stopped
 */
struct nl_walk {
	const unsigned char *pos;
	size_t left;
	bool bad;
};

void nl_walk_init(struct nl_walk *w, const void *data, size_t len);
void nl_walk_nested(struct nl_walk *w, const struct nl_attr *nest);
bool nl_walk_next(struct nl_walk *w, struct nl_attr *a);
bool nl_attr_u8(const struct nl_attr *a, uint8_t *v);
bool nl_attr_u32(const struct nl_attr *a, uint32_t *v);
bool nl_attr_u64(const struct nl_attr *a, uint64_t *v);
char *nl_attr_strdup(const struct nl_attr *a);

/* An attribute of a request: u8 or u32, in host byte order. */
struct nl_req_attr {
	uint16_t type;
	uint16_t size;		/* 1 or 4 */
	uint32_t value;
};

struct rdma_nl {
	int fd;
	uint32_t portid;	/* ours, as the kernel addresses replies */
	uint32_t seq;
	unsigned char *buf;	/* receive buffer, grown to the largest reply */
	size_t size;
};

/*
 * Called for each reply message of a dump with a walk over its
 * attributes; returns 0, or a negative errno that ends the dump (its
 * remaining replies are read and dropped).
 */
typedef int (*rdma_nl_reply_fn)(struct nl_walk *attrs, void *arg);

int rdma_nl_open(struct rdma_nl *nl);
void rdma_nl_close(struct rdma_nl *nl);
int rdma_nl_dump(struct rdma_nl *nl, unsigned int cmd,
		 const struct nl_req_attr *attrs, size_t nattrs,
		 rdma_nl_reply_fn fn, void *arg);

#endif /* SFABDIAG_NL_H */
