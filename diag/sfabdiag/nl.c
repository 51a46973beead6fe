// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: a small client of the kernel's rdma netlink (NETLINK_RDMA).
 *
 * Requests are dumps (NLM_F_REQUEST | NLM_F_DUMP) of one RDMA_NL_NLDEV
 * command. The kernel answers with any number of datagrams, each with
 * one or more messages flagged NLM_F_MULTI, and ends the dump with
 * NLMSG_DONE; a failure is an NLMSG_ERROR, or (once the dump has
 * started) an NLMSG_DONE whose payload is a negative errno. rdma netlink
 * messages carry no family header: the attributes follow the nlmsghdr.
 *
 * Nothing in a reply is trusted: every message and attribute length is
 * checked against the bytes that are left before it is used, and
 * values are copied out rather than read in place.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sfabdiag.h"
#include "nl.h"

/* First receive buffer; grown when the kernel sends a larger datagram. */
#define NL_BUF_SIZE	32768

void nl_walk_init(struct nl_walk *w, const void *data, size_t len)
{
	w->pos = data;
	w->left = data ? len : 0;
	w->bad = false;
}

void nl_walk_nested(struct nl_walk *w, const struct nl_attr *nest)
{
	nl_walk_init(w, nest->data, nest->len);
}

/**
 * nl_walk_next - the next attribute of a walk
 * @w: the walk
 * @a: receives the attribute
 *
 * An attribute whose length is shorter than its header or runs past its
 * parent ends the walk and sets w->bad. Fewer bytes than a header at
 * the end are padding and end the walk quietly, as they do in the
 * kernel's own parser.
 *
 * Return: true when @a holds an attribute.
 */
bool nl_walk_next(struct nl_walk *w, struct nl_attr *a)
{
	struct nlattr hdr;
	size_t step;

	if (w->left < NLA_HDRLEN)
		return false;
	memcpy(&hdr, w->pos, sizeof(hdr));
	if (hdr.nla_len < NLA_HDRLEN || hdr.nla_len > w->left) {
		w->bad = true;
		w->left = 0;
		return false;
	}
	a->type = hdr.nla_type & NLA_TYPE_MASK;
	a->data = w->pos + NLA_HDRLEN;
	a->len = hdr.nla_len - NLA_HDRLEN;
	step = NLA_ALIGN(hdr.nla_len);
	if (step > w->left)
		step = w->left;
	w->pos += step;
	w->left -= step;
	return true;
}

/* The getters fail on a payload of the wrong size: no guessing. */
bool nl_attr_u8(const struct nl_attr *a, uint8_t *v)
{
	if (a->len != sizeof(*v))
		return false;
	*v = a->data[0];
	return true;
}

bool nl_attr_u32(const struct nl_attr *a, uint32_t *v)
{
	if (a->len != sizeof(*v))
		return false;
	memcpy(v, a->data, sizeof(*v));
	return true;
}

/* u64 attributes need not be 8-byte aligned (nla_put_64bit pads only
 * where the architecture wants it): memcpy takes care of that. */
bool nl_attr_u64(const struct nl_attr *a, uint64_t *v)
{
	if (a->len != sizeof(*v))
		return false;
	memcpy(v, a->data, sizeof(*v));
	return true;
}

/* A string attribute as a C string: up to its first NUL, or its end. */
char *nl_attr_strdup(const struct nl_attr *a)
{
	size_t n = strnlen((const char *)a->data, a->len);
	char *s = xcalloc(n + 1, 1);

	memcpy(s, a->data, n);
	return s;
}

/**
 * rdma_nl_open - open a NETLINK_RDMA socket
 * @nl: the client to set up
 *
 * Return: 0, or a negative errno: -EPROTONOSUPPORT when the kernel has
 * no rdma netlink (ib_core is not loaded).
 */
int rdma_nl_open(struct rdma_nl *nl)
{
	struct sockaddr_nl sa;
	struct timeval tv = { .tv_sec = RDMA_NL_TIMEOUT };
	socklen_t salen = sizeof(sa);
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_RDMA);
	if (nl->fd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &salen)) {
		err = -errno;
		close(nl->fd);
		nl->fd = -1;
		return err;
	}
	nl->portid = sa.nl_pid;
	nl->seq = (uint32_t)time(NULL);
	nl->size = NL_BUF_SIZE;
	nl->buf = xcalloc(nl->size, 1);
	return 0;
}

void rdma_nl_close(struct rdma_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
	nl->fd = -1;
}

/*
 * Receives one datagram from the kernel into nl->buf, first growing the
 * buffer to its size (MSG_PEEK | MSG_TRUNC gives the full length), so
 * that nothing is ever cut. Datagrams from anyone but the kernel (port
 * id 0) are dropped.
 *
 * Return: its length, or a negative errno (-ETIMEDOUT: no answer).
 */
static ssize_t nl_recv(struct rdma_nl *nl)
{
	struct sockaddr_nl sa;
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;

	for (;;) {
		n = recv(nl->fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ?
			       -ETIMEDOUT : -errno;
		if ((size_t)n > nl->size) {
			nl->buf = xreallocarray(nl->buf, n, 1);
			nl->size = n;
		}
		iov.iov_base = nl->buf;
		iov.iov_len = nl->size;
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(nl->fd, &mh, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ?
			       -ETIMEDOUT : -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (mh.msg_namelen < sizeof(sa) || sa.nl_family != AF_NETLINK ||
		    sa.nl_pid != 0)
			continue;
		return n;
	}
}

static int nl_send_dump(struct rdma_nl *nl, unsigned int cmd,
			const struct nl_req_attr *attrs, size_t nattrs)
{
	union {
		struct nlmsghdr h;
		unsigned char b[256];
	} req;
	struct sockaddr_nl kernel;
	struct nlattr na;
	size_t len = NLMSG_HDRLEN, i;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	for (i = 0; i < nattrs; i++) {
		if (attrs[i].size != 1 && attrs[i].size != 4)
			return -EINVAL;
		if (len + NLA_HDRLEN + NLA_ALIGN(attrs[i].size) > sizeof(req))
			return -EMSGSIZE;
		na.nla_len = NLA_HDRLEN + attrs[i].size;
		na.nla_type = attrs[i].type;
		memcpy(req.b + len, &na, sizeof(na));
		if (attrs[i].size == 1)
			req.b[len + NLA_HDRLEN] = (unsigned char)attrs[i].value;
		else
			memcpy(req.b + len + NLA_HDRLEN, &attrs[i].value, 4);
		len += NLA_ALIGN(na.nla_len);
	}
	req.h.nlmsg_len = len;
	req.h.nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, cmd);
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ++nl->seq;
	req.h.nlmsg_pid = nl->portid;

	memset(&kernel, 0, sizeof(kernel));
	kernel.nl_family = AF_NETLINK;
	do {
		n = sendto(nl->fd, req.b, len, 0, (struct sockaddr *)&kernel,
			   sizeof(kernel));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* The errno an NLMSG_ERROR or NLMSG_DONE carries; 0 for none. */
static int nl_msg_errno(const struct nlmsghdr *h)
{
	int err;

	if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(err))
		return h->nlmsg_type == NLMSG_ERROR ? -EBADMSG : 0;
	memcpy(&err, (const unsigned char *)h + NLMSG_HDRLEN, sizeof(err));
	return err < 0 ? err : 0;
}

/**
 * rdma_nl_dump - dump one RDMA_NL_NLDEV command
 * @nl: an open client
 * @cmd: RDMA_NLDEV_CMD_*
 * @attrs: the request's attributes (the device index, flags)
 * @nattrs: how many
 * @fn: called for each reply message
 * @arg: passed to @fn
 *
 * Reads the replies up to the end of the dump, even after @fn failed,
 * so that the socket is clean for the next request.
 *
 * Return: 0; the kernel's negative errno (-EPERM, -EINVAL...); -EBADMSG
 * for a malformed reply; -ETIMEDOUT when the kernel stopped answering;
 * or the first error of @fn.
 */
int rdma_nl_dump(struct rdma_nl *nl, unsigned int cmd,
		 const struct nl_req_attr *attrs, size_t nattrs,
		 rdma_nl_reply_fn fn, void *arg)
{
	unsigned int type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, cmd);
	const struct nlmsghdr *h;
	struct nl_walk w;
	int err, fn_err = 0;
	size_t off, step;
	ssize_t n;

	err = nl_send_dump(nl, cmd, attrs, nattrs);
	if (err)
		return err;
	for (;;) {
		n = nl_recv(nl);
		if (n < 0)
			return (int)n;
		/* Messages start at 4-byte aligned offsets of nl->buf. */
		for (off = 0; off + NLMSG_HDRLEN <= (size_t)n; off += step) {
			h = (const struct nlmsghdr *)(nl->buf + off);
			if (h->nlmsg_len < NLMSG_HDRLEN ||
			    h->nlmsg_len > (size_t)n - off)
				return -EBADMSG;
			step = NLMSG_ALIGN(h->nlmsg_len);
			if (step > (size_t)n - off)
				step = (size_t)n - off;
			if (h->nlmsg_seq != nl->seq)
				continue;	/* left over from an earlier request */
			switch (h->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
				err = nl_msg_errno(h);
				return err ? err : fn_err;	/* 0: an ack */
			case NLMSG_DONE:
				err = nl_msg_errno(h);
				return err ? err : fn_err;
			}
			if (h->nlmsg_type != type)
				continue;
			if (!fn_err) {
				nl_walk_init(&w, (const unsigned char *)h +
					     NLMSG_HDRLEN,
					     h->nlmsg_len - NLMSG_HDRLEN);
				fn_err = fn(&w, arg);
			}
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return fn_err;	/* a single answer, no dump */
		}
	}
}
