// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * frametest: tests of the parts of "sfabdiag capture" that need neither
 * privilege nor a network device, linked with pcapng.o and roce_frame.o
 * only. tests/run.sh runs it.
 *
 *   frametest filter            roce_frame_parse() and roce_frame_match()
 *                               on synthetic frames, and the kernel BPF
 *                               program on the same frames, run by the
 *                               kernel on an AF_UNIX socket pair
 *   frametest write FILE us|ns  a pcapng file of three synthetic RoCEv2
 *                               frames (IPv4 RC SEND Only to QP 0x11,
 *                               IPv6 RC ACK to QP 0x12, VLAN-tagged IPv4
 *                               UD SEND Only to QP 0x20), each with a
 *                               valid ICRC, for tshark and python3 to
 *                               read back
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/filter.h>

#include "sfabdiag.h"

/* Timestamps of the written frames: 1700000000.123456789 s, +1 s each. */
#define TS0_NS	1700000000123456789ULL

struct frame {
	unsigned char b[256];
	size_t len;
};

static unsigned int checks, failures;

static void check(bool ok, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL: %s\n", what);
	}
}

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put8(struct frame *f, unsigned int v)
{
	f->b[f->len++] = (unsigned char)v;
}

static void put16(struct frame *f, unsigned int v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void eth(struct frame *f, unsigned int type)
{
	static const unsigned char macs[12] = {
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56,	/* destination */
		0x52, 0x54, 0x00, 0x65, 0x43, 0x21,	/* source */
	};

	f->len = 0;
	put(f, macs, sizeof(macs));
	put16(f, type);
}

static void vlan(struct frame *f, unsigned int tci, unsigned int next)
{
	put16(f, tci);
	put16(f, next);
}

static uint16_t ip_checksum(const unsigned char *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4 header of @ihl words; @payload bytes follow it. */
static void ipv4(struct frame *f, unsigned int ihl, unsigned int proto,
		 unsigned int frag, size_t payload)
{
	size_t start = f->len, i;
	uint16_t sum;

	put8(f, 0x40 | ihl);
	put8(f, 0);			/* TOS */
	put16(f, ihl * 4 + payload);	/* total length */
	put16(f, 0x1234);		/* id */
	put16(f, frag);			/* flags, fragment offset */
	put8(f, 64);			/* TTL */
	put8(f, proto);
	put16(f, 0);			/* checksum, below */
	put32(f, 0x0a000001);
	put32(f, 0x0a000002);
	for (i = 5; i < ihl; i++)
		put32(f, 0x01010101);	/* NOP options */
	sum = ip_checksum(f->b + start, ihl * 4);
	f->b[start + 10] = sum >> 8;
	f->b[start + 11] = sum & 0xff;
}

static void ipv6(struct frame *f, unsigned int next, size_t payload)
{
	static const unsigned char a[16] = {
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	static const unsigned char b[16] = {
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	};

	put32(f, 0x60000000);
	put16(f, payload);
	put8(f, next);
	put8(f, 64);
	put(f, a, 16);
	put(f, b, 16);
}

static void udp(struct frame *f, unsigned int sport, unsigned int dport,
		size_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload);
	put16(f, 0);	/* no checksum: allowed over IPv4, as sfab sends */
}

static void bth(struct frame *f, unsigned int opcode, uint32_t dqpn,
		uint32_t psn)
{
	put8(f, opcode);
	put8(f, 0);		/* SE, M, PadCnt 0, TVer 0 */
	put16(f, 0xffff);	/* default P_Key */
	put8(f, 0);
	put8(f, dqpn >> 16);
	put16(f, dqpn & 0xffff);
	put32(f, 0x80000000 | (psn & 0xffffff));	/* AckReq */
}

static uint32_t crc32_ieee(uint32_t crc, const unsigned char *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320 & -(crc & 1));
	}
	return crc;
}

/*
 * Appends the ICRC over the packet from the IP header at @ip on: eight
 * bytes of ones for the LRH, then the headers with their variant fields
 * set to ones (IPv4 TOS, TTL, checksum; IPv6 traffic class, flow label,
 * hop limit; UDP checksum; BTH byte 4), then the rest. Stored little
 * endian, as sfab and rxe do.
 */
static void icrc(struct frame *f, size_t ip, bool v6)
{
	static const unsigned char ones[8] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	unsigned char m[256];
	size_t n = f->len - ip, ihl, udp;
	uint32_t crc;

	memcpy(m, f->b + ip, n);
	if (v6) {
		m[0] |= 0x0f;
		m[1] = m[2] = m[3] = 0xff;
		m[7] = 0xff;
		ihl = 40;
	} else {
		m[1] = 0xff;
		m[8] = 0xff;
		m[10] = m[11] = 0xff;
		ihl = (size_t)(m[0] & 0xf) * 4;
	}
	udp = ihl;
	m[udp + 6] = m[udp + 7] = 0xff;
	m[udp + 8 + 4] = 0xff;
	crc = crc32_ieee(0xffffffff, ones, sizeof(ones));
	crc = ~crc32_ieee(crc, m, n);
	put8(f, crc);
	put8(f, crc >> 8);
	put8(f, crc >> 16);
	put8(f, crc >> 24);
}

/*
 * IPv4 RC SEND Only to @dqpn, 16 bytes of payload, after @vlans tags.
 * The payload starts with zeros: Wireshark tries heuristic dissectors
 * (RPC-over-RDMA) on SEND payloads, and text may look like their header.
 */
static void rc_send_v4(struct frame *f, uint32_t dqpn, int vlans)
{
	size_t ip;

	eth(f, vlans == 2 ? 0x88a8 : vlans ? 0x8100 : 0x0800);
	if (vlans == 2)
		vlan(f, 100, 0x8100);
	if (vlans)
		vlan(f, 200, 0x0800);
	ip = f->len;
	ipv4(f, 5, 17, 0x4000, 8 + 12 + 16 + 4);
	udp(f, 0xc001, ROCE_V2_UDP_PORT, 12 + 16 + 4);
	bth(f, 0x04, dqpn, 1);
	put(f, "\0\0\0\0\0\0\0\0sfabdiag", 16);
	icrc(f, ip, false);
}

/*
 * The UDP checksum of an IPv6 packet at @ip, whose UDP header follows
 * the fixed header: sfab, as rxe, sends 0 (RoCEv2 has the ICRC), which
 * Wireshark flags over IPv6; the test frame carries a valid one.
 */
static void udp6_checksum(struct frame *f, size_t ip)
{
	unsigned char *p = f->b + ip, *u = p + 40;
	size_t len = f->len - ip - 40, i;
	uint32_t sum = 17 + (uint32_t)len;

	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(u[i] << 8 | (i + 1 < len ? u[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	if (!sum)
		sum = 0xffff;
	u[6] = sum >> 8;
	u[7] = sum & 0xff;
}

/* IPv6 RC Acknowledge to @dqpn: BTH, AETH, ICRC. */
static void rc_ack_v6(struct frame *f, uint32_t dqpn)
{
	size_t ip;

	eth(f, 0x86dd);
	ip = f->len;
	ipv6(f, 17, 8 + 12 + 4 + 4);
	udp(f, 0xc002, ROCE_V2_UDP_PORT, 12 + 4 + 4);
	bth(f, 0x11, dqpn, 1);
	put32(f, 0x1f000001);	/* AETH: ACK, no credit count, MSN 1 */
	icrc(f, ip, true);
	udp6_checksum(f, ip);
}

/* VLAN-tagged IPv4 UD SEND Only to @dqpn: BTH, DETH, 4 bytes, ICRC. */
static void ud_send_vlan(struct frame *f, uint32_t dqpn)
{
	size_t ip;

	eth(f, 0x8100);
	vlan(f, 0x2005, 0x0800);	/* priority 1, VLAN 5 */
	ip = f->len;
	ipv4(f, 5, 17, 0x4000, 8 + 12 + 8 + 4 + 4);
	udp(f, 0xc003, ROCE_V2_UDP_PORT, 12 + 8 + 4 + 4);
	bth(f, 0x64, dqpn, 7);
	put32(f, 0x11111111);		/* DETH: Q_Key */
	put32(f, 0x00000021);		/* source QP 0x21 */
	put32(f, 0xdeadbeef);
	icrc(f, ip, false);
}

/* ---- the filter ---------------------------------------------------- */

struct filter_case {
	const char *name;
	struct frame f;
	bool roce;		/* roce_frame_parse() keeps it */
	bool bpf;		/* the kernel program passes it */
	bool has_bth;
	uint32_t dest_qp;
	unsigned int vlan_tags;
	int ip_version;
};

static void add_case(struct filter_case *c, size_t *n, const char *name,
		     const struct frame *f, bool roce, bool bpf)
{
	c[*n].name = name;
	c[*n].f = *f;
	c[*n].roce = roce;
	c[*n].bpf = bpf;
	c[*n].has_bth = roce;	/* the builders put a whole BTH in */
	(*n)++;
}

static size_t build_cases(struct filter_case *c)
{
	struct frame f;
	size_t n = 0;

	rc_send_v4(&f, 0x11, 0);
	add_case(c, &n, "IPv4 RC SEND", &f, true, true);
	c[n - 1].dest_qp = 0x11;
	c[n - 1].ip_version = 4;
	rc_ack_v6(&f, 0x12);
	add_case(c, &n, "IPv6 RC ACK", &f, true, true);
	c[n - 1].dest_qp = 0x12;
	c[n - 1].ip_version = 6;
	ud_send_vlan(&f, 0x20);
	add_case(c, &n, "802.1Q IPv4 UD SEND", &f, true, true);
	c[n - 1].dest_qp = 0x20;
	c[n - 1].vlan_tags = 1;
	c[n - 1].ip_version = 4;
	rc_send_v4(&f, 0xabcdef, 2);
	add_case(c, &n, "802.1ad+802.1Q IPv4", &f, true, true);
	c[n - 1].dest_qp = 0xabcdef;
	c[n - 1].vlan_tags = 2;
	c[n - 1].ip_version = 4;

	/* IPv4 with options */
	eth(&f, 0x0800);
	ipv4(&f, 7, 17, 0, 8 + 12);
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	bth(&f, 0x04, 0x33, 0);
	add_case(c, &n, "IPv4 with options", &f, true, true);
	c[n - 1].dest_qp = 0x33;
	c[n - 1].ip_version = 4;

	/* IPv6 hop-by-hop options, then UDP */
	eth(&f, 0x86dd);
	ipv6(&f, 0, 8 + 8 + 12);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 0x0104);	/* PadN */
	put32(&f, 0);
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	bth(&f, 0x04, 0x44, 0);
	add_case(c, &n, "IPv6 hop-by-hop", &f, true, true);
	c[n - 1].dest_qp = 0x44;
	c[n - 1].ip_version = 6;

	/* UDP to 4791 cut after the UDP header: RoCEv2, BTH unknown */
	eth(&f, 0x0800);
	ipv4(&f, 5, 17, 0, 8 + 12);
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	put8(&f, 0x04);
	add_case(c, &n, "cut before the BTH", &f, true, true);
	c[n - 1].ip_version = 4;
	c[n - 1].has_bth = false;

	/* Not RoCEv2: the kernel program drops them already */
	eth(&f, 0x0800);
	ipv4(&f, 5, 17, 0, 8 + 12);
	udp(&f, 40000, 53, 12);
	bth(&f, 0x04, 0x11, 0);
	add_case(c, &n, "IPv4 UDP to port 53", &f, false, false);
	eth(&f, 0x0800);
	ipv4(&f, 5, 17, 0, 8 + 12);
	udp(&f, ROCE_V2_UDP_PORT, 5000, 12);
	bth(&f, 0x04, 0x11, 0);
	add_case(c, &n, "IPv4 UDP from 4791", &f, false, false);
	eth(&f, 0x0800);
	ipv4(&f, 5, 6, 0, 20);
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	put(&f, "0123456789ab", 12);
	add_case(c, &n, "IPv4 TCP to 4791", &f, false, false);
	eth(&f, 0x0806);
	put(&f, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	add_case(c, &n, "ARP", &f, false, false);
	eth(&f, 0x86dd);
	ipv6(&f, 58, 8);		/* ICMPv6 */
	put(&f, "\x01\x04\x00\x00\x00\x00\x00\x00", 8);
	add_case(c, &n, "ICMPv6", &f, false, false);
	eth(&f, 0x0800);
	ipv4(&f, 5, 17, 0x00b9, 8 + 12);	/* offset 185 * 8 */
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	add_case(c, &n, "IPv4 later fragment", &f, false, false);
	eth(&f, 0x0800);
	put(&f, "\x45\x00\x00\x30\x00\x00", 6);
	add_case(c, &n, "IPv4 cut in its header", &f, false, false);
	eth(&f, 0x0800);
	ipv4(&f, 15, 17, 0, 8);
	f.len -= 30;	/* the header says 60 bytes; 30 are there */
	add_case(c, &n, "IPv4 longer header than captured", &f, false, false);
	f.len = 10;
	add_case(c, &n, "10 bytes", &f, false, false);
	f.len = 0;
	add_case(c, &n, "empty", &f, false, false);

	eth(&f, 0x0800);
	ipv6(&f, 17, 8 + 12);
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	bth(&f, 0x04, 0x11, 0);
	add_case(c, &n, "IPv6 header under the IPv4 EtherType", &f, false,
		 false);

	/* Not RoCEv2, but only userspace tells */
	eth(&f, 0x86dd);
	ipv6(&f, 44, 8 + 8 + 12);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 0x0008);	/* offset 1 * 8: a later fragment */
	put32(&f, 1);
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	add_case(c, &n, "IPv6 later fragment", &f, false, true);
	eth(&f, 0x8100);
	vlan(&f, 1, 0x8100);
	vlan(&f, 2, 0x8100);
	vlan(&f, 3, 0x0800);
	ipv4(&f, 5, 17, 0, 8 + 12);
	udp(&f, 0xc000, ROCE_V2_UDP_PORT, 12);
	bth(&f, 0x04, 0x11, 0);
	add_case(c, &n, "three VLAN tags", &f, false, true);
	return n;
}

/* Runs the BPF program over @f in the kernel: an AF_UNIX socket pair. */
static int bpf_passes(int tx, int rx, const struct frame *f)
{
	unsigned char buf[512];
	ssize_t n;

	if (send(tx, f->b, f->len, 0) != (ssize_t)f->len)
		return -errno;
	n = recv(rx, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0)
		return -errno;
	return (size_t)n == f->len && !memcmp(buf, f->b, f->len);
}

static int test_filter(void)
{
	static struct filter_case c[32];
	struct roce_frame rf;
	struct sock_fprog prog;
	uint32_t qpns[2];
	char what[160];
	size_t n, i;
	int sv[2], r;
	bool ok;

	n = build_cases(c);
	for (i = 0; i < n; i++) {
		ok = roce_frame_parse(c[i].f.b, c[i].f.len, &rf);
		snprintf(what, sizeof(what), "%s: roce_frame_parse() says %s",
			 c[i].name, ok ? "RoCEv2" : "not RoCEv2");
		check(ok == c[i].roce, what);
		if (!ok || !c[i].roce)
			continue;
		snprintf(what, sizeof(what), "%s: BTH %d, destination QP %#x, IPv%d, %u VLAN tags; expected %d, %#x, IPv%d, %u",
			 c[i].name, rf.has_bth, rf.dest_qp, rf.ip_version,
			 rf.vlan_tags, c[i].has_bth, c[i].dest_qp,
			 c[i].ip_version, c[i].vlan_tags);
		check(rf.has_bth == c[i].has_bth &&
		      rf.dest_qp == c[i].dest_qp &&
		      rf.ip_version == c[i].ip_version &&
		      rf.vlan_tags == c[i].vlan_tags, what);
		snprintf(what, sizeof(what), "%s: --qp %#x keeps it",
			 c[i].name, c[i].dest_qp);
		qpns[0] = c[i].dest_qp;
		check(roce_frame_match(&rf, qpns, 1) == rf.has_bth, what);
		snprintf(what, sizeof(what), "%s: --qp 0x99 --qp %#x keeps it",
			 c[i].name, c[i].dest_qp);
		qpns[0] = 0x99;
		qpns[1] = c[i].dest_qp;
		check(roce_frame_match(&rf, qpns, 2) == rf.has_bth, what);
		snprintf(what, sizeof(what), "%s: --qp 0x99 drops it",
			 c[i].name);
		check(!roce_frame_match(&rf, qpns, 1), what);
		snprintf(what, sizeof(what), "%s: no --qp keeps it",
			 c[i].name);
		check(roce_frame_match(&rf, NULL, 0), what);
	}

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		printf("FAIL: socketpair: %s\n", strerror(errno));
		return 1;
	}
	roce_frame_bpf(&prog);
	if (setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog))) {
		printf("FAIL: the kernel refuses the BPF program: %s\n",
		       strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!c[i].f.len)
			continue;	/* an empty datagram tells nothing */
		r = bpf_passes(sv[0], sv[1], &c[i].f);
		snprintf(what, sizeof(what), "%s: the BPF program %s it (%s)",
			 c[i].name, r > 0 ? "passes" : "drops",
			 r < 0 ? strerror(-r) : "ok");
		check(r >= 0 && (r > 0) == c[i].bpf, what);
		snprintf(what, sizeof(what), "%s: userspace keeps what BPF drops",
			 c[i].name);
		check(!(c[i].roce && r == 0), what);
	}
	close(sv[0]);
	close(sv[1]);
	printf("frame filter: %u checks, %u failed\n", checks, failures);
	return failures ? 1 : 0;
}

/* ---- the writer ---------------------------------------------------- */

static int test_write(const char *path, bool nsec)
{
	struct pcapng_info info = {
		.hardware = "x86_64",
		.os = "Linux test",
		.appl = "sfabdiag frametest",
		.comment = "synthetic RoCEv2 frames",
		.ifname = "eth0",
		.ifdesc = "eth0, the netdevice of sfab device sfab0",
		.nsec = nsec,
	};
	static const enum pcapng_dir dirs[3] = {
		PCAPNG_DIR_OUTBOUND, PCAPNG_DIR_INBOUND, PCAPNG_DIR_UNKNOWN,
	};
	struct pcapng_writer w;
	struct frame f[3];
	FILE *out;
	int i, err;

	rc_send_v4(&f[0], 0x11, 0);
	rc_ack_v6(&f[1], 0x12);
	ud_send_vlan(&f[2], 0x20);
	out = fopen(path, "wb");
	if (!out) {
		fprintf(stderr, "frametest: %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = pcapng_begin(&w, out, &info);
	for (i = 0; i < 3 && !err; i++)
		err = pcapng_packet(&w, TS0_NS + i * 1000000000ULL, f[i].b,
				    f[i].len, f[i].len, dirs[i]);
	if (!err)
		err = pcapng_stats(&w, TS0_NS, TS0_NS + 3000000000ULL, 3, 2);
	if (fclose(out) && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "frametest: %s: %s\n", path, strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "filter"))
		return test_filter();
	if (argc == 4 && !strcmp(argv[1], "write") &&
	    (!strcmp(argv[3], "us") || !strcmp(argv[3], "ns")))
		return test_write(argv[2], argv[3][0] == 'n');
	fputs("usage: frametest filter | frametest write FILE us|ns\n", stderr);
	return 2;
}
