// SPDX-License-Identifier: GPL-2.0
/* timer_container_of(), which replaced from_timer() (v7.2). */
#include <linux/timer.h>

struct sfab_probe_obj {
	struct timer_list timer;
};

struct sfab_probe_obj *sfab_probe(struct timer_list *t);
struct sfab_probe_obj *sfab_probe(struct timer_list *t)
{
	struct sfab_probe_obj *obj = timer_container_of(obj, t, timer);

	return obj;
}
