// SPDX-License-Identifier: GPL-2.0
/*
 * sfab-rc-peer: a hand-made RoCEv2 RC requester for bad-input tests.
 *
 * It plays the client side of ibv_rc_pingpong's TCP handshake, so that a
 * real ibv_rc_pingpong server connects its RC QP to a QP that exists only
 * here; then it sends the packets a script asks for, built byte by byte
 * (IPv4, UDP, BTH, extension headers, payload, ICRC) through a raw socket,
 * and reports the responder's answers, read from UDP port 4791.
 *
 * usage: sfab-rc-peer LOCAL_IP SERVER_IP [STEP...]
 * A step is "name:opcode:psn_delta[:flags]" where psn_delta is added to
 * the PSN the server expects (for an ACKNOWLEDGE, opcode 17, to the
 * server's own first PSN: it acknowledges the server's requests); flags:
 * c (corrupt the ICRC), q (unknown QPN), t (truncate to 8 bytes), a (set
 * AckReq), v (TVer 1), s (a forged source address: ours with the last
 * byte's top bit flipped), n (the ACKNOWLEDGE is a NAK, remote access
 * error), S (first wait up to 2 s for the server's SEND, so that the
 * server has a request outstanding), w (do not wait for an answer), p
 * (a pad count of 1 with one pad byte after the payload: payload and pad
 * then end off the 4-byte boundary). Payloads: SEND FIRST 1024 bytes (a
 * full packet at ibv_rc_pingpong's path MTU), SEND LAST none, SEND ONLY
 * 64, RDMA WRITE ONLY 16.
 * For each step it waits up to 2 s for an answer and prints one line:
 *   step NAME: ACK psn=N | NAK code=C psn=N | RNR psn=N | SEND psn=N |
 *   nothing | sent (w) | no server SEND (S)
 * and a "seen NAME: opcode=X psn=N" line for each other packet to us
 * (the server's own SENDs).
 * Exit status: 0 if the handshake and every send worked, 2 on usage or
 * system errors. Judging the answers is the caller's job.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROCE_PORT 4791
#define MY_QPN 0x00abcd
#define MY_PSN 0x000100

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_le(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* ibv_rc_pingpong's wire format of a GID: 32 hex digits of its bytes. */
static void gid_of(struct in_addr a, char *out)
{
	const uint8_t *b = (const uint8_t *)&a.s_addr;

	sprintf(out, "00000000000000000000ffff%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3]);
}

static void handshake(struct in_addr local, struct in_addr server,
		      uint32_t *srv_qpn, uint32_t *srv_psn, int *sockp)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(18515), .sin_addr = server };
	char msg[sizeof("0000:000000:000000:00000000000000000000000000000000")];
	char gid[33];
	unsigned int lid, qpn, psn;
	size_t got = 0;
	ssize_t n;
	int s, tries;

	for (tries = 0;; tries++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			die("socket");
		if (!connect(s, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(s);
		if (tries == 50)
			die("connect to the ibv_rc_pingpong server");
		usleep(100000);
	}
	gid_of(local, gid);
	snprintf(msg, sizeof(msg), "%04x:%06x:%06x:%s", 0, MY_QPN, MY_PSN, gid);
	if (write(s, msg, sizeof(msg)) != sizeof(msg))
		die("write");
	while (got < sizeof(msg)) {
		n = read(s, msg + got, sizeof(msg) - got);
		if (n <= 0)
			die("read");
		got += n;
	}
	if (sscanf(msg, "%x:%x:%x", &lid, &qpn, &psn) != 3) {
		fprintf(stderr, "sfab-rc-peer: bad server message '%s'\n", msg);
		exit(2);
	}
	if (write(s, "done", sizeof("done")) != sizeof("done"))
		die("write");
	*srv_qpn = qpn;
	*srv_psn = psn;
	*sockp = s;
}

struct step {
	const char *name;
	unsigned int opcode;
	int psn_delta;
	const char *flags;
};

static size_t build(uint8_t *pkt, struct in_addr src, struct in_addr dst,
		    uint32_t qpn, uint32_t psn, const struct step *st,
		    uint16_t ip_id)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	uint8_t *udp = pkt + sizeof(*ip);
	uint8_t *bth = udp + 8, *p = bth + 12;
	uint8_t masked[20 + 8 + 12];
	unsigned int op = st->opcode;
	size_t paylen = 0, len;
	uint32_t crc;
	uint8_t ff[8];

	/* An AETH for an ACKNOWLEDGE: ACK (no credit limit) or NAK. */
	if (op == 0x11) {
		p[0] = strchr(st->flags, 'n') ? 0x62 : 0x1f;
		p[1] = p[2] = p[3] = 0;
		p += 4;
	}
	/* Payload for SENDs and WRITEs; a RETH for WRITE ONLY and READ. */
	if (op == 0x0a || op == 0x0c) {
		uint64_t va = 0x1000;

		for (int i = 0; i < 8; i++)
			p[i] = va >> (56 - 8 * i);
		memcpy(p + 8, "\x00\xba\xd0\x00", 4);	/* an rkey nobody has */
		p[12] = 0;
		p[13] = 0;
		p[14] = 0;
		p[15] = op == 0x0c ? 64 : 16;
		p += 16;
	}
	if (op == 0x00)
		paylen = 1024;
	else if (op == 0x04)
		paylen = 64;
	else if (op == 0x0a)
		paylen = 16;
	memset(p, 'x', paylen);
	p += paylen;
	if (strchr(st->flags, 'p'))
		*p++ = 0;

	bth[0] = op;
	bth[1] = (strchr(st->flags, 'v') ? 1 : 0) |
		 (strchr(st->flags, 'p') ? 1 << 4 : 0);
	bth[2] = 0xff;
	bth[3] = 0xff;
	bth[4] = 0;
	if (strchr(st->flags, 'q'))
		qpn = 0xfffff0;
	bth[5] = qpn >> 16;
	bth[6] = qpn >> 8;
	bth[7] = qpn;
	bth[8] = strchr(st->flags, 'a') ? 0x80 : 0;
	bth[9] = psn >> 16;
	bth[10] = psn >> 8;
	bth[11] = psn;
	len = p - pkt + 4;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(len);
	ip->id = htons(ip_id);
	ip->frag_off = htons(IP_DF);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = src.s_addr;
	if (strchr(st->flags, 's'))
		ip->saddr ^= htonl(0x80);
	ip->daddr = dst.s_addr;
	udp[0] = 0xc0;
	udp[1] = 0x01;
	udp[2] = ROCE_PORT >> 8;
	udp[3] = ROCE_PORT & 0xff;
	udp[4] = (len - 20) >> 8;
	udp[5] = (len - 20) & 0xff;
	udp[6] = 0;
	udp[7] = 0;

	/* ICRC: masked LRH, masked IP/UDP/BTH, rest, inverted, LE. */
	memset(ff, 0xff, sizeof(ff));
	memcpy(masked, pkt, sizeof(masked));
	masked[1] = 0xff;			/* TOS */
	masked[8] = 0xff;			/* TTL */
	masked[10] = masked[11] = 0xff;		/* IP checksum */
	masked[26] = masked[27] = 0xff;		/* UDP checksum */
	masked[32] = 0xff;			/* BTH resv8a */
	crc = crc32_le(0xffffffff, ff, sizeof(ff));
	crc = crc32_le(crc, masked, sizeof(masked));
	crc = ~crc32_le(crc, bth + 12, p - bth - 12);
	if (strchr(st->flags, 'c'))
		crc ^= 0x5a5a5a5a;
	p[0] = crc;
	p[1] = crc >> 8;
	p[2] = crc >> 16;
	p[3] = crc >> 24;
	if (strchr(st->flags, 't')) {
		len = 20 + 8 + 8;
		ip->tot_len = htons(len);
		udp[4] = 0;
		udp[5] = 16;
	}
	return len;
}

/*
 * Reads the server's packets to us for up to 2 s: until an ACK or NAK
 * (printed as the answer to step @name), or with @want_send until the
 * server's SEND. Returns true if it got what it waited for.
 */
static bool answer(int udp, const char *name, uint32_t qpn_expect,
		   bool want_send)
{
	struct pollfd pfd = { .fd = udp, .events = POLLIN };
	const char *what = want_send ? "seen" : "step";
	uint8_t buf[4096];
	ssize_t n;

	while (poll(&pfd, 1, 2000) > 0) {
		uint32_t qpn, psn;

		n = recv(udp, buf, sizeof(buf), 0);
		if (n < 12)
			continue;
		qpn = buf[5] << 16 | buf[6] << 8 | buf[7];
		psn = buf[9] << 16 | buf[10] << 8 | buf[11];
		if (qpn != qpn_expect)
			continue;
		if (buf[0] == 0x11 && n >= 16) {
			uint8_t syn = buf[12];

			if ((syn & 0x60) == 0x00)
				printf("%s %s: ACK psn=%u\n", what, name, psn);
			else if ((syn & 0x60) == 0x20)
				printf("%s %s: RNR psn=%u\n", what, name, psn);
			else
				printf("%s %s: NAK code=%u psn=%u\n", what, name,
				       syn & 0x1f, psn);
			fflush(stdout);
			if (!want_send)
				return true;
			continue;
		}
		printf("seen %s: opcode=0x%02x psn=%u\n", name, buf[0], psn);
		fflush(stdout);
		/* The server's own SEND (RC SEND opcodes 0x00-0x05). */
		if (want_send && buf[0] <= 0x05)
			return true;
	}
	if (!want_send)
		printf("step %s: nothing\n", name);
	fflush(stdout);
	return false;
}

int main(int argc, char **argv)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = htons(ROCE_PORT) };
	struct in_addr local, server;
	uint32_t srv_qpn, srv_psn;
	int raw, udp, tcp, one = 1;
	uint8_t pkt[2048];

	if (argc < 3 || !inet_aton(argv[1], &local) ||
	    !inet_aton(argv[2], &server)) {
		fprintf(stderr, "usage: sfab-rc-peer LOCAL_IP SERVER_IP [name:opcode:psn_delta[:flags]...]\n");
		return 2;
	}
	crc_init();
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	if (udp < 0 || bind(udp, (struct sockaddr *)&any, sizeof(any)))
		die("bind UDP 4791 (is an RDMA device using it here?)");
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (raw < 0 || setsockopt(raw, IPPROTO_IP, IP_HDRINCL, &one,
				  sizeof(one)))
		die("raw socket");

	handshake(local, server, &srv_qpn, &srv_psn, &tcp);
	printf("server qpn=%u psn=%u\n", srv_qpn, srv_psn);
	fflush(stdout);

	for (int i = 3; i < argc; i++) {
		char *spec = strdup(argv[i]);
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_addr = server };
		struct step st;
		size_t len;

		st.name = strtok(spec, ":");
		st.opcode = strtoul(strtok(NULL, ":") ?: "4", NULL, 0);
		st.psn_delta = strtol(strtok(NULL, ":") ?: "0", NULL, 0);
		st.flags = strtok(NULL, ":") ?: "";
		if (strchr(st.flags, 'S') &&
		    !answer(udp, st.name, MY_QPN, true)) {
			printf("step %s: no server SEND\n", st.name);
			fflush(stdout);
			free(spec);
			continue;
		}
		/*
		 * The server expects MY_PSN first: our side's send PSN. Its
		 * own requests start at srv_psn.
		 */
		len = build(pkt, local, server, srv_qpn,
			    ((st.opcode == 0x11 ? srv_psn : MY_PSN) +
			     st.psn_delta) & 0xffffff, &st, 1000 + i);
		if (sendto(raw, pkt, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) != (ssize_t)len)
			die("sendto");
		if (strchr(st.flags, 'w')) {
			printf("step %s: sent\n", st.name);
			fflush(stdout);
		} else {
			answer(udp, st.name, MY_QPN, false);
		}
		free(spec);
	}
	close(tcp);
	return 0;
}
