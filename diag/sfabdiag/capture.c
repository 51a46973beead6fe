// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: capture sfab's RoCEv2 packets on its netdevice into a pcapng
 * file.
 *
 * An AF_PACKET socket (SOCK_RAW, ETH_P_ALL) bound to the netdevice sees
 * what it receives and, marked PACKET_OUTGOING, what it sends. A classic
 * BPF filter in the kernel drops other traffic early; roce_frame_parse()
 * decides in userspace what is kept. VLAN tags that the netdevice took
 * off in hardware come back from PACKET_AUXDATA and are put back into
 * the frame, as libpcap does.
 *
 * The file is written under a temporary name in its directory, synced,
 * then renamed: it is complete whenever the capture stops, after -c
 * packets, --duration, or SIGINT, SIGTERM or SIGHUP.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "sfabdiag.h"

#define VLAN_TAG_LEN	4
#define RCVBUF_BYTES	(8 << 20)
#define DRAIN_BATCH	256	/* frames read before the stop conditions */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * capture_socket - open the packet socket, before anything else
 *
 * It receives nothing until capture_run() binds it. Opening it is what
 * needs CAP_NET_RAW.
 *
 * Return: the socket, or a negative errno (-EPERM: no CAP_NET_RAW).
 */
int capture_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	return fd < 0 ? -errno : fd;
}

static void set_error(struct capture_result *res, const char *fmt, ...)
	__printf(2, 3);

static void set_error(struct capture_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
}

/*
 * Filter in the kernel, ask for timestamps and VLAN tags, make room for
 * bursts, then bind: the filter is in place before the first packet.
 */
static int setup_socket(int fd, int ifindex, const char *netdev,
			struct capture_result *res)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	struct sock_fprog prog;
	int one = 1, size = RCVBUF_BYTES, err;

	roce_frame_bpf(&prog);
	res->bpf = !setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			       sizeof(prog));
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one))) {
		err = -errno;
		set_error(res, "cannot set up the packet socket: %s",
			  strerror(-err));
		return err;
	}
	/* Past net.core.rmem_max needs CAP_NET_ADMIN; the default will do. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		set_error(res, "cannot capture on %s: %s", netdev,
			  strerror(-err));
		return err;
	}
	return 0;
}

/* Creates DIR/.BASE.XXXXXX next to @path: the rename stays in one fs. */
static FILE *open_temp(const char *path, char **tmp, struct capture_result *res)
{
	char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
	mode_t mask;
	FILE *f;
	int fd;

	*tmp = xasprintf("%s/.%s.XXXXXX", dirname(dcopy), basename(bcopy));
	free(dcopy);
	free(bcopy);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		set_error(res, "cannot create a file next to %s: %s", path,
			  strerror(errno));
		res->output_failed = true;
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	/* As any new file: the umask decides, not mkstemp's 0600. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	f = fdopen(fd, "w");
	if (!f)
		die("out of memory");
	return f;
}

static void fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Flushes, syncs and renames the file into place; -errno on failure. */
static int finish_file(FILE *f, const char *tmp, const char *path,
		       struct capture_result *res)
{
	int err = 0;

	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		set_error(res, "cannot write %s: %s", path, strerror(-err));
		res->output_failed = true;
		unlink(tmp);
		return err;
	}
	fsync_dir(path);
	return 0;
}

static void stats(int fd, struct capture_result *res)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	/* The kernel resets its counts on every read: add them up. */
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return;
	res->kernel_packets += st.tp_packets;
	res->kernel_drops += st.tp_drops;
}

struct frame_meta {
	uint64_t ts_ns;
	bool outgoing;
	bool vlan;
	uint16_t vlan_tpid;
	uint16_t vlan_tci;
};

static void read_cmsgs(struct msghdr *msg, struct frame_meta *m)
{
	struct tpacket_auxdata aux;
	struct timespec ts;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			m->ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL +
				   (uint64_t)ts.tv_nsec;
		} else if (c->cmsg_level == SOL_PACKET &&
			   c->cmsg_type == PACKET_AUXDATA &&
			   c->cmsg_len >= CMSG_LEN(sizeof(aux))) {
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			if (!(aux.tp_status & TP_STATUS_VLAN_VALID))
				continue;
			m->vlan = true;
			m->vlan_tci = aux.tp_vlan_tci;
			m->vlan_tpid = (aux.tp_status &
					TP_STATUS_VLAN_TPID_VALID) ?
				       aux.tp_vlan_tpid : ETH_P_8021Q;
		}
	}
}

/*
 * @buf has VLAN_TAG_LEN bytes of room before the frame: the tag the
 * hardware took off goes back after the MAC addresses.
 */
static uint8_t *put_vlan_back(uint8_t *buf, uint32_t *caplen,
			      uint32_t *origlen, const struct frame_meta *m)
{
	uint8_t *frame = buf + VLAN_TAG_LEN;

	if (!m->vlan || *caplen < 12)
		return frame;
	memmove(buf, frame, 12);
	buf[12] = m->vlan_tpid >> 8;
	buf[13] = m->vlan_tpid & 0xff;
	buf[14] = m->vlan_tci >> 8;
	buf[15] = m->vlan_tci & 0xff;
	*caplen += VLAN_TAG_LEN;
	*origlen += VLAN_TAG_LEN;
	return buf;
}

/*
 * Reads what the socket holds, DRAIN_BATCH frames at most, so that a
 * busy link does not keep the loop from its deadline and its signals.
 * Return: 1 when the capture is to stop (count reached), 0 to go on, a
 * negative errno when the socket or the file failed.
 */
static int drain(int fd, uint8_t *buf, struct pcapng_writer *w,
		 const struct capture_opts *o, struct capture_result *res)
{
	union {
		char space[CMSG_SPACE(sizeof(struct tpacket_auxdata)) +
			   CMSG_SPACE(sizeof(struct timespec)) + 64];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_ll from;
	struct roce_frame rf;
	struct frame_meta m;
	struct iovec iov;
	struct msghdr msg;
	uint32_t caplen, origlen;
	uint8_t *frame;
	unsigned int batch;
	ssize_t n;
	int err;

	for (batch = 0; batch < DRAIN_BATCH; batch++) {
		iov.iov_base = buf + VLAN_TAG_LEN;
		iov.iov_len = PCAPNG_SNAPLEN - VLAN_TAG_LEN;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.space;
		msg.msg_controllen = sizeof(ctl.space);
		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			err = -errno;
			set_error(res, "capture on %s failed: %s%s", o->netdev,
				  strerror(-err), err == -ENETDOWN ?
				  " (the netdevice went down)" : "");
			return err;
		}
		origlen = (uint32_t)n;
		caplen = n > (ssize_t)iov.iov_len ? (uint32_t)iov.iov_len :
		       (uint32_t)n;
		memset(&m, 0, sizeof(m));
		m.outgoing = from.sll_pkttype == PACKET_OUTGOING;
		read_cmsgs(&msg, &m);
		if (!m.ts_ns)
			m.ts_ns = now_ns(CLOCK_REALTIME);
		frame = put_vlan_back(buf, &caplen, &origlen, &m);
		if (!roce_frame_parse(frame, caplen, &rf))
			continue;
		res->roce_seen++;
		if (!roce_frame_match(&rf, o->qpns, o->nqpns))
			continue;
		err = pcapng_packet(w, m.ts_ns, frame, caplen, origlen,
				    m.outgoing ? PCAPNG_DIR_OUTBOUND :
						 PCAPNG_DIR_INBOUND);
		if (err) {
			set_error(res, "cannot write %s: %s", o->path,
				  strerror(-err));
			res->output_failed = true;
			return err;
		}
		res->packets++;
		if (o->max_packets && res->packets >= o->max_packets)
			return 1;
	}
	return 0;
}

static char *section_comment(const struct capture_opts *o)
{
	char *qps = xstrdup(""), *next, *text;
	size_t i;

	for (i = 0; i < o->nqpns; i++) {
		next = xasprintf("%s%s%u", qps, i ? ", " : "", o->qpns[i]);
		free(qps);
		qps = next;
	}
	text = xasprintf("sfabdiag capture: RoCEv2 packets (UDP destination port %d) of %s on netdevice %s, both directions%s%s",
			 ROCE_V2_UDP_PORT, o->device, o->netdev,
			 o->nqpns ? "; BTH destination QP " : "", qps);
	free(qps);
	return text;
}

static int write_header(struct pcapng_writer *w, FILE *f,
			const struct capture_opts *o)
{
	struct pcapng_info info = { .nsec = true };
	char *os = NULL, *comment = section_comment(o), *desc;
	struct utsname u;
	int err;

	if (!uname(&u)) {
		os = xasprintf("%s %s", u.sysname, u.release);
		info.hardware = u.machine;
	}
	desc = xasprintf("%s, the netdevice of sfab device %s", o->netdev,
			 o->device);
	info.os = os;
	info.appl = "sfabdiag " SFAB_VERSION;
	info.comment = comment;
	info.ifname = o->netdev;
	info.ifdesc = desc;
	info.snaplen = PCAPNG_SNAPLEN;
	err = pcapng_begin(w, f, &info);
	free(os);
	free(comment);
	free(desc);
	return err;
}

/* Milliseconds to wait for: until the deadline, -1 without one. */
static int wait_ms(uint64_t deadline)
{
	uint64_t now, ms;

	if (!deadline)
		return -1;
	now = now_ns(CLOCK_MONOTONIC);
	if (now >= deadline)
		return 0;
	ms = (deadline - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static int loop(int fd, uint8_t *buf, struct pcapng_writer *w,
		const struct capture_opts *o, struct capture_result *res,
		const sigset_t *waitmask)
{
	uint64_t deadline = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec ts;
	int ms, n, err;

	if (o->duration_ms)
		deadline = now_ns(CLOCK_MONOTONIC) + o->duration_ms * 1000000ULL;
	for (;;) {
		if (stop_signal) {
			res->stop = CAPTURE_STOP_SIGNAL;
			res->stop_signal = stop_signal;
			return 0;
		}
		ms = wait_ms(deadline);
		if (ms == 0) {
			res->stop = CAPTURE_STOP_TIME;
			return 0;
		}
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		/* Signals are blocked but while waiting: none is missed. */
		n = ppoll(&pfd, 1, ms < 0 ? NULL : &ts, waitmask);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			set_error(res, "poll: %s", strerror(-err));
			return err;
		}
		if (!n)
			continue;
		err = drain(fd, buf, w, o, res);
		if (err > 0) {
			res->stop = CAPTURE_STOP_COUNT;
			return 0;
		}
		if (err < 0)
			return err;
	}
}

struct saved_signals {
	struct sigaction old[ARRAY_SIZE(stop_signals)];
	sigset_t orig;		/* the mask before; ppoll() waits with it */
};

/*
 * Catches SIGINT, SIGTERM and SIGHUP from the start, before the
 * temporary file exists, and blocks them but while waiting for packets,
 * so that none is lost and none kills the capture with the file
 * unfinished.
 */
static void catch_signals(struct saved_signals *saved)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	stop_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;	/* no SA_RESTART: ppoll returns */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&block, stop_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &saved->orig);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &sa, &saved->old[i]);
}

/* A signal still pending (the capture ended otherwise) only sets the flag. */
static void restore_signals(const struct saved_signals *saved)
{
	size_t i;

	sigprocmask(SIG_SETMASK, &saved->orig, NULL);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &saved->old[i], NULL);
}

static int capture_to_file(int fd, int ifindex, const struct capture_opts *o,
			   struct capture_result *res, const sigset_t *waitmask)
{
	struct pcapng_writer w;
	uint64_t start, start_mono;
	char *tmp = NULL;
	uint8_t *buf;
	FILE *f;
	int err;

	f = open_temp(o->path, &tmp, res);
	if (!f)
		return -EIO;
	err = write_header(&w, f, o);
	if (err) {
		set_error(res, "cannot write %s: %s", o->path, strerror(-err));
		res->output_failed = true;
		goto fail;
	}
	err = setup_socket(fd, ifindex, o->netdev, res);
	if (err)
		goto fail;

	buf = xcalloc(1, PCAPNG_SNAPLEN);
	start = now_ns(CLOCK_REALTIME);
	start_mono = now_ns(CLOCK_MONOTONIC);
	err = loop(fd, buf, &w, o, res, waitmask);
	free(buf);
	if (err && !w.err && !ferror(f)) {
		/* The socket failed: keep what was captured. */
		res->stop = CAPTURE_STOP_ERROR;
		err = 0;
	}
	stats(fd, res);
	res->seconds = (double)(now_ns(CLOCK_MONOTONIC) - start_mono) / 1e9;
	if (err)
		goto fail;

	err = pcapng_stats(&w, start, now_ns(CLOCK_REALTIME), res->packets,
			   res->kernel_drops);
	if (err) {
		set_error(res, "cannot write %s: %s", o->path, strerror(-err));
		res->output_failed = true;
		goto fail;
	}
	err = finish_file(f, tmp, o->path, res);
	free(tmp);
	return err;

fail:
	fclose(f);
	unlink(tmp);
	free(tmp);
	return err;
}

/**
 * capture_run - capture until the count, the duration or a signal
 * @fd: the socket from capture_socket(); closed here
 * @o: what to capture and where to write it
 * @res: receives the counts and why it stopped
 *
 * The file is complete and in place whenever 0 is returned, and also
 * when the socket failed during the capture (res->stop says
 * CAPTURE_STOP_ERROR and res->error why): what was captured until then
 * is kept.
 *
 * Return: 0, or a negative errno with res->error set: nothing was
 * captured, or the file could not be written (it is then removed, and
 * res->output_failed set).
 */
int capture_run(int fd, const struct capture_opts *o,
		struct capture_result *res)
{
	struct saved_signals saved;
	int ifindex, err;

	memset(res, 0, sizeof(*res));
	ifindex = (int)if_nametoindex(o->netdev);
	if (!ifindex) {
		set_error(res, "netdevice %s: %s", o->netdev, strerror(errno));
		close(fd);
		return -ENODEV;
	}
	catch_signals(&saved);
	err = capture_to_file(fd, ifindex, o, res, &saved.orig);
	close(fd);
	restore_signals(&saved);
	return err;
}
