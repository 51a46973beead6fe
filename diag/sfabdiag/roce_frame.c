// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: which captured frames are RoCEv2, and their BTH.
 *
 * roce_frame_parse() is the authority "capture" keeps packets by: a pure
 * function over the frame's bytes, with a bounds check before every read,
 * so tests/frametest checks it on synthetic frames. roce_frame_bpf() is a
 * classic BPF program that the kernel runs first to spare the copy of
 * other traffic; it only rejects what roce_frame_parse() would reject too,
 * and passes what it cannot decide (VLAN tags, IPv6 extension headers).
 *
 * Like roce_frame_parse(), it needs no other sfabdiag file.
 */

#include <stdint.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/if_ether.h>

#include "sfabdiag.h"

#define ETH_HLEN_	14	/* destination, source, EtherType */
#define VLAN_HLEN_	4
#define IPV4_HLEN_MIN	20
#define IPV6_HLEN	40
#define UDP_HLEN	8
#define BTH_LEN		12
#define IPPROTO_UDP_	17
#define MAX_VLAN_TAGS	2	/* 802.1ad + 802.1Q */
#define MAX_IPV6_EXT	8

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static bool is_vlan_type(uint16_t type)
{
	return type == ETH_P_8021Q || type == ETH_P_8021AD ||
	       type == ETH_P_QINQ1;
}

/* Offset of the UDP header of an IPv4 packet at @off, 0 if not UDP. */
static size_t ipv4_udp(const uint8_t *b, size_t len, size_t off)
{
	size_t ihl;

	if (len - off < IPV4_HLEN_MIN || b[off] >> 4 != 4)
		return 0;
	ihl = (size_t)(b[off] & 0xf) * 4;
	if (ihl < IPV4_HLEN_MIN || len - off < ihl)
		return 0;
	if (b[off + 9] != IPPROTO_UDP_)
		return 0;
	if (be16(b + off + 6) & 0x1fff)
		return 0;	/* a later fragment: no UDP header */
	return off + ihl;
}

/*
 * The same for IPv6, through the extension headers a UDP packet may
 * carry (hop-by-hop, routing, destination options, a first fragment).
 */
static size_t ipv6_udp(const uint8_t *b, size_t len, size_t off)
{
	unsigned int i;
	uint8_t next;

	if (len - off < IPV6_HLEN || b[off] >> 4 != 6)
		return 0;
	next = b[off + 6];
	off += IPV6_HLEN;
	for (i = 0; i < MAX_IPV6_EXT; i++) {
		if (next == IPPROTO_UDP_)
			return off;
		if (len - off < 8)
			return 0;
		switch (next) {
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
			next = b[off];
			off += ((size_t)b[off + 1] + 1) * 8;
			break;
		case 44:	/* fragment */
			if (be16(b + off + 2) & 0xfff8)
				return 0;
			next = b[off];
			off += 8;
			break;
		default:
			return 0;
		}
		if (off > len)
			return 0;
	}
	return 0;
}

/**
 * roce_frame_parse - whether an Ethernet frame is a RoCEv2 packet
 * @frame: the frame, from the destination MAC address on
 * @len: bytes of @frame that were captured
 * @rf: receives what the frame is, when it is RoCEv2
 *
 * RoCEv2 is UDP to destination port 4791 over IPv4 or IPv6, after up to
 * two VLAN tags. The BTH is read when the captured bytes hold it
 * (@rf->has_bth).
 *
 * Return: true for a RoCEv2 frame.
 */
bool roce_frame_parse(const void *frame, size_t len, struct roce_frame *rf)
{
	const uint8_t *b = frame;
	size_t off = 12, udp, bth;
	uint16_t type;

	memset(rf, 0, sizeof(*rf));
	if (len < ETH_HLEN_)
		return false;
	type = be16(b + off);
	while (is_vlan_type(type)) {
		if (rf->vlan_tags == MAX_VLAN_TAGS || len - off < 2 + VLAN_HLEN_)
			return false;
		off += VLAN_HLEN_;
		type = be16(b + off);
		rf->vlan_tags++;
	}
	off += 2;
	if (type == ETH_P_IP) {
		rf->ip_version = 4;
		udp = ipv4_udp(b, len, off);
	} else if (type == ETH_P_IPV6) {
		rf->ip_version = 6;
		udp = ipv6_udp(b, len, off);
	} else {
		return false;
	}
	if (!udp || len - udp < UDP_HLEN)
		return false;
	if (be16(b + udp + 2) != ROCE_V2_UDP_PORT)
		return false;
	rf->sport = be16(b + udp);
	bth = udp + UDP_HLEN;
	if (len - bth >= BTH_LEN) {
		rf->has_bth = true;
		rf->opcode = b[bth];
		rf->dest_qp = be24(b + bth + 5);
		rf->psn = be24(b + bth + 9);
	}
	return true;
}

/**
 * roce_frame_match - whether a RoCEv2 frame is one of the QPs asked for
 * @rf: the frame, from roce_frame_parse()
 * @qpns: destination QP numbers; the frame matches any of them
 * @n: how many; 0 matches every frame
 *
 * Return: true when the frame is to be kept.
 */
bool roce_frame_match(const struct roce_frame *rf, const uint32_t *qpns,
		      size_t n)
{
	size_t i;

	if (!n)
		return true;
	if (!rf->has_bth)
		return false;
	for (i = 0; i < n; i++)
		if (rf->dest_qp == qpns[i])
			return true;
	return false;
}

/* Instruction numbers of the jump targets below; TO() makes the offset. */
enum {
	L_IPV4 = 6,
	L_IPV6 = 13,
	L_IPV6_UDP = 19,
	L_ACCEPT = 21,
	L_REJECT = 22,
};

#define TO(label, at)	((label) - (at) - 1)

static struct sock_filter roce_bpf[] = {
	/* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, TO(L_IPV4, 1), 0),
	/* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, TO(L_IPV6, 2), 0),
	/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_8021Q,
			 TO(L_ACCEPT, 3), 0),
	/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_8021AD,
			 TO(L_ACCEPT, 4), 0),
	/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_QINQ1,
			 TO(L_ACCEPT, 5), TO(L_REJECT, 5)),
	/* IPv4: UDP, not a later fragment, destination port */
	/* 6 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN_ + 9),
	/* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP_, 0,
			 TO(L_REJECT, 7)),
	/* 8 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ETH_HLEN_ + 6),
	/* 9 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, TO(L_REJECT, 9), 0),
	/* 10 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, ETH_HLEN_),
	/* 11 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, ETH_HLEN_ + 2),
	/* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ROCE_V2_UDP_PORT,
			  TO(L_ACCEPT, 12), TO(L_REJECT, 12)),
	/*
	 * IPv6: UDP right after the header, or an extension header that
	 * ipv6_udp() walks and this program leaves to it.
	 */
	/* 13 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ETH_HLEN_ + 6),
	/* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP_,
			  TO(L_IPV6_UDP, 14), 0),
	/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, TO(L_ACCEPT, 15), 0),
	/* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 43, TO(L_ACCEPT, 16), 0),
	/* 17 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 44, TO(L_ACCEPT, 17), 0),
	/* 18 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 60, TO(L_ACCEPT, 18),
			  TO(L_REJECT, 18)),
	/* 19 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ETH_HLEN_ + IPV6_HLEN + 2),
	/* 20 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ROCE_V2_UDP_PORT,
			  TO(L_ACCEPT, 20), TO(L_REJECT, 20)),
	/* 21 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	/* 22 */ BPF_STMT(BPF_RET | BPF_K, 0),
};

/**
 * roce_frame_bpf - the classic BPF program for SO_ATTACH_FILTER
 * @prog: receives the program; it points to static storage
 *
 * The program keeps IPv4 and IPv6 UDP packets to port 4791 whole, drops
 * other traffic, and keeps what it cannot judge (VLAN-tagged frames,
 * IPv6 extension headers) for roce_frame_parse() to decide.
 * tests/frametest runs it on the same frames as roce_frame_parse().
 */
void roce_frame_bpf(struct sock_fprog *prog)
{
	prog->len = ARRAY_SIZE(roce_bpf);
	prog->filter = roce_bpf;
}
