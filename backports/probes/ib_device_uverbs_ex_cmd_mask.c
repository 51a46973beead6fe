// SPDX-License-Identifier: GPL-2.0
/*
 * ib_device.uverbs_ex_cmd_mask (before v5.11): the core enabled no uverbs
 * command by default; each driver listed those it took.
 *
 * sfab-probe: absent-upstream
 */
#include <rdma/ib_verbs.h>

void sfab_probe(struct ib_device *dev);
void sfab_probe(struct ib_device *dev)
{
	dev->uverbs_ex_cmd_mask = 0;
}
