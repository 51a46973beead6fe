// SPDX-License-Identifier: GPL-2.0
/* get_random_u32_inclusive() and get_random_u8() (v6.2, in 6.1.y). */
#include <linux/random.h>

u32 sfab_probe(void);
u32 sfab_probe(void)
{
	return get_random_u32_inclusive(2, 9) + get_random_u8();
}
