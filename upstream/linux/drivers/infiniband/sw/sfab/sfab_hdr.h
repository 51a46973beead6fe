/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * sfab: the InfiniBand transport headers as RoCEv2 carries them
 * (IBA vol. 1 ch. 9, annex A17).
 */
#ifndef SFAB_HDR_H
#define SFAB_HDR_H

#include <linux/types.h>

#define SFAB_UDP_DPORT		4791
#define SFAB_ICRC_LEN		4
#define SFAB_PSN_MASK		0xffffff
#define SFAB_QPN_MASK		0xffffff
#define SFAB_GRH_LEN		40

/* Base transport header. */
struct sfab_bth {
	u8 opcode;
	u8 flags;		/* SE, M, PadCnt, TVer */
	__be16 pkey;
	__be32 qpn;		/* top byte reserved (FECN/BECN) */
	__be32 apsn;		/* AckReq, reserved, PSN */
};

#define SFAB_BTH_SE		0x80
#define SFAB_BTH_MIG		0x40
#define SFAB_BTH_PAD_SHIFT	4
#define SFAB_BTH_PAD_MASK	0x30
#define SFAB_BTH_TVER_MASK	0x0f
#define SFAB_BTH_ACKREQ		BIT(31)

struct sfab_deth {
	__be32 qkey;
	__be32 sqp;
};

struct sfab_reth {
	__be64 va;
	__be32 rkey;
	__be32 len;
} __packed;

struct sfab_atmeth {
	__be64 va;
	__be32 rkey;
	__be64 swap_add;
	__be64 compare;
} __packed;

struct sfab_aeth {
	__be32 smsn;		/* syndrome, MSN */
};

#define SFAB_AETH_MSN_MASK	0xffffff
#define SFAB_AETH_TYPE_MASK	0x60
#define SFAB_AETH_ACK		0x00
#define SFAB_AETH_RNR_NAK	0x20
#define SFAB_AETH_NAK		0x60
#define SFAB_AETH_NO_CREDIT	0x1f
#define SFAB_NAK_PSN_SEQ	0
#define SFAB_NAK_INVALID_REQ	1
#define SFAB_NAK_REMOTE_ACCESS	2
#define SFAB_NAK_REMOTE_OP	3

struct sfab_atmack {
	__be64 orig;
} __packed;

/* Opcodes: transport in the top 3 bits, operation in the low 5. */
#define SFAB_OP_RC		0x00
#define SFAB_OP_UD		0x60
#define SFAB_OP_TRANSPORT(op)	((op) & 0xe0)

enum sfab_opcode {
	SFAB_SEND_FIRST			= 0x00,
	SFAB_SEND_MIDDLE		= 0x01,
	SFAB_SEND_LAST			= 0x02,
	SFAB_SEND_LAST_IMM		= 0x03,
	SFAB_SEND_ONLY			= 0x04,
	SFAB_SEND_ONLY_IMM		= 0x05,
	SFAB_WRITE_FIRST		= 0x06,
	SFAB_WRITE_MIDDLE		= 0x07,
	SFAB_WRITE_LAST			= 0x08,
	SFAB_WRITE_LAST_IMM		= 0x09,
	SFAB_WRITE_ONLY			= 0x0a,
	SFAB_WRITE_ONLY_IMM		= 0x0b,
	SFAB_READ_REQUEST		= 0x0c,
	SFAB_READ_RESPONSE_FIRST	= 0x0d,
	SFAB_READ_RESPONSE_MIDDLE	= 0x0e,
	SFAB_READ_RESPONSE_LAST		= 0x0f,
	SFAB_READ_RESPONSE_ONLY		= 0x10,
	SFAB_ACKNOWLEDGE		= 0x11,
	SFAB_ATOMIC_ACKNOWLEDGE		= 0x12,
	SFAB_CMP_SWAP			= 0x13,
	SFAB_FETCH_ADD			= 0x14,
	SFAB_SEND_LAST_INV		= 0x16,
	SFAB_SEND_ONLY_INV		= 0x17,
	SFAB_UD_SEND_ONLY		= SFAB_OP_UD | SFAB_SEND_ONLY,
	SFAB_UD_SEND_ONLY_IMM		= SFAB_OP_UD | SFAB_SEND_ONLY_IMM,
};

/* What an opcode carries and means (sfab_opcode_mask[]). */
enum sfab_op_mask {
	SFAB_M_DETH	= BIT(0),
	SFAB_M_RETH	= BIT(1),
	SFAB_M_ATMETH	= BIT(2),
	SFAB_M_AETH	= BIT(3),
	SFAB_M_ATMACK	= BIT(4),
	SFAB_M_IMMDT	= BIT(5),
	SFAB_M_IETH	= BIT(6),
	SFAB_M_PAYLOAD	= BIT(7),
	SFAB_M_REQ	= BIT(8),	/* requester to responder */
	SFAB_M_SEND	= BIT(9),
	SFAB_M_WRITE	= BIT(10),
	SFAB_M_READ	= BIT(11),
	SFAB_M_ATOMIC	= BIT(12),
	SFAB_M_FIRST	= BIT(13),
	SFAB_M_MIDDLE	= BIT(14),
	SFAB_M_LAST	= BIT(15),
	SFAB_M_RC	= BIT(16),
	SFAB_M_UD	= BIT(17),
	SFAB_M_VALID	= BIT(18),
};

#define SFAB_M_ONLY	(SFAB_M_FIRST | SFAB_M_LAST)

/* enum sfab_op_mask of each opcode; 0 for those sfab does not know. */
extern const u32 sfab_opcode_mask[256];

/* Offset of an extension header from the BTH, for an opcode's mask. */
static inline unsigned int sfab_ext_offset(u32 mask, u32 which)
{
	unsigned int off = sizeof(struct sfab_bth);

	if (which == SFAB_M_DETH)
		return off;
	if (mask & SFAB_M_DETH)
		off += sizeof(struct sfab_deth);
	if (which == SFAB_M_RETH)
		return off;
	if (mask & SFAB_M_RETH)
		off += sizeof(struct sfab_reth);
	if (which == SFAB_M_ATMETH)
		return off;
	if (mask & SFAB_M_ATMETH)
		off += sizeof(struct sfab_atmeth);
	if (which == SFAB_M_AETH)
		return off;
	if (mask & SFAB_M_AETH)
		off += sizeof(struct sfab_aeth);
	if (which == SFAB_M_ATMACK)
		return off;
	if (mask & SFAB_M_ATMACK)
		off += sizeof(struct sfab_atmack);
	if (which == SFAB_M_IMMDT)
		return off;
	if (mask & SFAB_M_IMMDT)
		off += sizeof(__be32);
	if (which == SFAB_M_IETH)
		return off;
	if (mask & SFAB_M_IETH)
		off += sizeof(__be32);
	return off;
}

/* Bytes of the BTH and the extension headers of an opcode. */
static inline unsigned int sfab_hdr_len(u32 mask)
{
	return sfab_ext_offset(mask, 0);
}

/*
 * PSN arithmetic modulo 2^24: how far @a is after @b (negative: before),
 * within half the PSN space.
 */
static inline int sfab_psn_cmp(u32 a, u32 b)
{
	return (s32)((a - b) << 8) >> 8;
}

static inline u32 sfab_psn_add(u32 psn, u32 n)
{
	return (psn + n) & SFAB_PSN_MASK;
}

#endif /* SFAB_HDR_H */
