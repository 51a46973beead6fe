// SPDX-License-Identifier: GPL-2.0
/* timer_shutdown_sync(): stop a timer for good, before freeing it. */
#include <linux/timer.h>

int sfab_probe(struct timer_list *t);
int sfab_probe(struct timer_list *t)
{
	return timer_shutdown_sync(t);
}
