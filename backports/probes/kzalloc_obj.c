// SPDX-License-Identifier: GPL-2.0
/* kzalloc_obj(), kzalloc_objs() and kvzalloc_objs(): typed allocations. */
#include <linux/slab.h>

struct sfab_probe_obj {
	u64 v;
};

void sfab_probe(void);
void sfab_probe(void)
{
	struct sfab_probe_obj *a = kzalloc_obj(*a);
	struct sfab_probe_obj *b = kzalloc_objs(*b, 2);
	struct sfab_probe_obj *c = kvzalloc_objs(*c, 2, GFP_KERNEL);

	kvfree(c);
	kfree(b);
	kfree(a);
}
