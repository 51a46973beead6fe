/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * sfab vendor diagnostics: error injection on the receive path (not for
 * upstream; see diag/kernel/README.md).
 */
#ifndef SFAB_INJECT_H
#define SFAB_INJECT_H

#include <linux/types.h>

struct sfab_cq;
struct sfab_dev;
struct sk_buff;

void sfab_inject_init(void);
void sfab_inject_exit(void);
void sfab_inject_add(struct sfab_dev *sdev);
void sfab_inject_del(struct sfab_dev *sdev);
bool sfab_inject_rcv(struct sfab_dev *sdev, struct sk_buff *skb);
bool sfab_inject_cq(struct sfab_cq *cq);

/* sfab_net.c: receive a packet that was held back, past the hook */
void sfab_inject_deliver(struct sfab_dev *sdev, struct sk_buff *skb);

#endif /* SFAB_INJECT_H */
