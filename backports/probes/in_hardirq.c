// SPDX-License-Identifier: GPL-2.0
/* in_hardirq(), which replaced in_irq(). */
#include <linux/preempt.h>

bool sfab_probe(void);
bool sfab_probe(void)
{
	return in_hardirq();
}
