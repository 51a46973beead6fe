// SPDX-License-Identifier: GPL-2.0
/* struct_size_t(): struct_size() of a type rather than of a pointer. */
#include <linux/build_bug.h>
#include <linux/overflow.h>

struct sfab_probe_flex {
	u32 n;
	u64 a[];
};

size_t sfab_probe(size_t n);
size_t sfab_probe(size_t n)
{
	return struct_size_t(struct sfab_probe_flex, a, n);
}
