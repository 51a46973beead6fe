// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfabdiag: a pcapng writer (libc only, no other sfabdiag file needed, so
 * tests/frametest links it alone).
 *
 * Writes one section: a Section Header Block, one Interface Description
 * Block (LINKTYPE_ETHERNET, if_tsresol microseconds or nanoseconds),
 * Enhanced Packet Blocks, and an optional Interface Statistics Block at
 * the end. Blocks are in the host's byte order, which the Section Header
 * Block's byte-order magic tells readers; every block and option is
 * padded to 32 bits and ends with its total length, as
 * draft-ietf-opsawg-pcapng requires.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sfabdiag.h"

#define BT_SHB		0x0a0d0d0a	/* Section Header Block */
#define BT_IDB		0x00000001	/* Interface Description Block */
#define BT_ISB		0x00000005	/* Interface Statistics Block */
#define BT_EPB		0x00000006	/* Enhanced Packet Block */
#define BYTE_ORDER_MAGIC 0x1a2b3c4d

#define LINKTYPE_ETHERNET 1

/* Option codes */
#define OPT_ENDOFOPT	0
#define OPT_COMMENT	1
#define SHB_HARDWARE	2
#define SHB_OS		3
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_DESCRIPTION	3
#define IF_TSRESOL	9
#define EPB_FLAGS	2
#define ISB_STARTTIME	2
#define ISB_ENDTIME	3
#define ISB_FILTERACCEPT 6
#define ISB_OSDROP	7

/* Bytes of padding that bring @len to a multiple of 4. */
static uint32_t pad4(uint32_t len)
{
	return (4 - (len & 3)) & 3;
}

static void put(struct pcapng_writer *w, const void *p, size_t len)
{
	if (len && fwrite(p, 1, len, w->f) != len && !w->err)
		w->err = errno ? errno : EIO;
}

static void put32(struct pcapng_writer *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void put16(struct pcapng_writer *w, uint16_t v)
{
	put(w, &v, sizeof(v));
}

static void put_pad(struct pcapng_writer *w, uint32_t len)
{
	static const uint8_t zeros[4];

	put(w, zeros, pad4(len));
}

/* Size an option takes in a block: header, value, padding. */
static uint32_t opt_size(uint32_t len)
{
	return 4 + len + pad4(len);
}

/* The same for a string option, 0 when the string is NULL or empty. */
static uint32_t opt_str_size(const char *s)
{
	return s && *s ? opt_size(strlen(s)) : 0;
}

static void put_opt(struct pcapng_writer *w, uint16_t code, const void *v,
		    uint16_t len)
{
	put16(w, code);
	put16(w, len);
	put(w, v, len);
	put_pad(w, len);
}

static void put_opt_str(struct pcapng_writer *w, uint16_t code, const char *s)
{
	if (s && *s)
		put_opt(w, code, s, strlen(s));
}

/* An 8-byte value as pcapng stores timestamps: upper then lower 32 bits. */
static void put_opt_ts(struct pcapng_writer *w, uint16_t code, uint64_t ts)
{
	uint32_t v[2] = { (uint32_t)(ts >> 32), (uint32_t)ts };

	put_opt(w, code, v, sizeof(v));
}

static void put_opt_u64(struct pcapng_writer *w, uint16_t code, uint64_t v)
{
	put_opt(w, code, &v, sizeof(v));
}

static void put_endofopt(struct pcapng_writer *w)
{
	put16(w, OPT_ENDOFOPT);
	put16(w, 0);
}

/* Keeps option strings short enough for the 16-bit option length. */
static const char *opt_string(const char *s)
{
	return s && strlen(s) < 0x8000 ? s : NULL;
}

static int result(const struct pcapng_writer *w)
{
	if (w->err)
		return -w->err;
	return ferror(w->f) ? -EIO : 0;
}

/* A timestamp in nanoseconds, in the interface's units. */
static uint64_t ts_units(const struct pcapng_writer *w, uint64_t ts_ns)
{
	return w->nsec ? ts_ns : ts_ns / 1000;
}

/**
 * pcapng_begin - start a pcapng file with its section and interface
 * @w: the writer, filled in here
 * @f: where to write, open for writing at its start
 * @info: what the file says about where the packets came from; the
 *        strings may be NULL
 *
 * Return: 0, or a negative errno when writing failed.
 */
int pcapng_begin(struct pcapng_writer *w, FILE *f,
		 const struct pcapng_info *info)
{
	const char *hw = opt_string(info->hardware);
	const char *os = opt_string(info->os);
	const char *appl = opt_string(info->appl);
	const char *comment = opt_string(info->comment);
	const char *ifname = opt_string(info->ifname);
	const char *ifdesc = opt_string(info->ifdesc);
	uint8_t tsresol;
	uint32_t len;

	memset(w, 0, sizeof(*w));
	w->f = f;
	w->nsec = info->nsec;
	w->snaplen = info->snaplen ? info->snaplen : PCAPNG_SNAPLEN;

	/* Section Header Block; section length -1: not given. */
	len = 28 + opt_str_size(comment) + opt_str_size(hw) +
	      opt_str_size(os) + opt_str_size(appl) + 4;
	put32(w, BT_SHB);
	put32(w, len);
	put32(w, BYTE_ORDER_MAGIC);
	put16(w, 1);
	put16(w, 0);
	put32(w, 0xffffffff);
	put32(w, 0xffffffff);
	put_opt_str(w, OPT_COMMENT, comment);
	put_opt_str(w, SHB_HARDWARE, hw);
	put_opt_str(w, SHB_OS, os);
	put_opt_str(w, SHB_USERAPPL, appl);
	put_endofopt(w);
	put32(w, len);

	/* Interface Description Block: interface 0. */
	tsresol = w->nsec ? 9 : 6;	/* 10^-9 or 10^-6 seconds */
	len = 20 + opt_str_size(ifname) + opt_str_size(ifdesc) +
	      opt_size(1) + 4;
	put32(w, BT_IDB);
	put32(w, len);
	put16(w, LINKTYPE_ETHERNET);
	put16(w, 0);
	put32(w, w->snaplen);
	put_opt_str(w, IF_NAME, ifname);
	put_opt_str(w, IF_DESCRIPTION, ifdesc);
	put_opt(w, IF_TSRESOL, &tsresol, 1);
	put_endofopt(w);
	put32(w, len);
	return result(w);
}

/**
 * pcapng_packet - write one Enhanced Packet Block on interface 0
 * @w: the writer
 * @ts_ns: when the packet was seen, in nanoseconds since the Unix epoch
 * @data: the frame, from the Ethernet header on
 * @caplen: bytes of @data; more than the snapshot length are cut
 * @origlen: the frame's length on the wire
 * @dir: direction, for the epb_flags option
 *
 * Return: 0, or a negative errno when writing failed.
 */
int pcapng_packet(struct pcapng_writer *w, uint64_t ts_ns, const void *data,
		  uint32_t caplen, uint32_t origlen, enum pcapng_dir dir)
{
	uint64_t ts = ts_units(w, ts_ns);
	uint32_t len, flags = dir;

	if (caplen > w->snaplen)
		caplen = w->snaplen;
	if (origlen < caplen)
		origlen = caplen;
	len = 32 + caplen + pad4(caplen) +
	      (dir != PCAPNG_DIR_UNKNOWN ? opt_size(4) + 4 : 0);
	put32(w, BT_EPB);
	put32(w, len);
	put32(w, 0);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put32(w, caplen);
	put32(w, origlen);
	put(w, data, caplen);
	put_pad(w, caplen);
	if (dir != PCAPNG_DIR_UNKNOWN) {
		put_opt(w, EPB_FLAGS, &flags, sizeof(flags));
		put_endofopt(w);
	}
	put32(w, len);
	return result(w);
}

/**
 * pcapng_stats - write the Interface Statistics Block of interface 0
 * @w: the writer
 * @start_ns: when the capture started, nanoseconds since the epoch
 * @end_ns: when it ended; also the block's timestamp
 * @accepted: packets the capture filter accepted
 * @dropped: packets the operating system dropped (the socket was full)
 *
 * Return: 0, or a negative errno when writing failed.
 */
int pcapng_stats(struct pcapng_writer *w, uint64_t start_ns, uint64_t end_ns,
		 uint64_t accepted, uint64_t dropped)
{
	uint64_t ts = ts_units(w, end_ns);
	uint32_t len = 24 + 2 * opt_size(8) + 2 * opt_size(8) + 4;

	put32(w, BT_ISB);
	put32(w, len);
	put32(w, 0);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put_opt_ts(w, ISB_STARTTIME, ts_units(w, start_ns));
	put_opt_ts(w, ISB_ENDTIME, ts);
	put_opt_u64(w, ISB_FILTERACCEPT, accepted);
	put_opt_u64(w, ISB_OSDROP, dropped);
	put_endofopt(w);
	put32(w, len);
	return result(w);
}
