// SPDX-License-Identifier: GPL-2.0
/* netdev_hold()/netdev_put() and netdevice_tracker (v6.0). */
#include <linux/netdevice.h>

void sfab_probe(struct net_device *ndev);
void sfab_probe(struct net_device *ndev)
{
	netdevice_tracker tracker;

	netdev_hold(ndev, &tracker, GFP_KERNEL);
	netdev_put(ndev, &tracker);
}
