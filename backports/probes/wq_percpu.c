// SPDX-License-Identifier: GPL-2.0
/*
 * WQ_PERCPU: alloc_workqueue() flag for a per-CPU workqueue; v7.2 warns
 * when a workqueue has neither it nor WQ_UNBOUND.
 */
#include <linux/workqueue.h>

struct workqueue_struct *sfab_probe(void);
struct workqueue_struct *sfab_probe(void)
{
	return alloc_workqueue("sfab_probe", WQ_PERCPU, 0);
}
