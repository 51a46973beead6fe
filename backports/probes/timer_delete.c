// SPDX-License-Identifier: GPL-2.0
/* timer_delete(), which replaced del_timer(). */
#include <linux/timer.h>

int sfab_probe(struct timer_list *t);
int sfab_probe(struct timer_list *t)
{
	return timer_delete(t);
}
