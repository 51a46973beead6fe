// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab vendor diagnostics: error injection (not for upstream).
 *
 * /sys/kernel/debug/sfab/DEV/inject drops, corrupts or delays a fraction
 * of the packets the device receives, all of them or only those for one
 * QP, to reproduce field problems on a bench:
 *
 *	echo "drop_ppm=50000 qpn=17" >/sys/kernel/debug/sfab/sfab0/inject
 *	echo off >/sys/kernel/debug/sfab/sfab0/inject
 *
 * "stall=1" plants a driver hang for the test suites: no completion of
 * the device's user CQs is delivered while it is on (each is counted as
 * stalled and lost), so a client waits for ever, as with a lost
 * completion. Kernel CQs (the MAD layer's, so rdma_cm's) are spared.
 *
 * A write is the whole configuration: a key not given goes back to 0
 * (qpn to -1: every QP). Reading gives the configuration and how many
 * packets were dropped, corrupted and delayed since the device was added.
 * A corrupted packet has its last byte before the ICRC flipped, so the
 * receiver counts an ICRC error and drops it. Delayed packets are held in
 * arrival order; each holds a reference on the device, so deleting the
 * device waits for them (at most SFAB_INJECT_DELAY_MAX_MS).
 */

#include <linux/debugfs.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

#include "sfab.h"
#include "sfab_inject.h"

#define SFAB_INJECT_PPM_MAX		1000000
#define SFAB_INJECT_DELAY_MAX_MS	10000
#define SFAB_INJECT_WRITE_MAX		256

struct sfab_inject_conf {
	u32 drop_ppm;
	u32 corrupt_ppm;
	u32 delay_ppm;
	u32 delay_ms;
	s32 qpn;		/* -1: every QP */
	u32 stall;		/* 1: user CQs get no completion */
};

/**
 * struct sfab_inject - a device's error injection
 * @sdev: the device
 * @dir: its debugfs directory
 * @lock: serializes writers of @conf; the receive path reads it with
 *	READ_ONCE(), one field at a time
 * @conf: what to inject
 * @delayq: packets held back, oldest first
 * @timer: delivers @delayq's packets when they are due
 * @dropped: packets dropped
 * @corrupted: packets corrupted
 * @delayed: packets delayed
 * @stalled: completions withheld (stall)
 */
struct sfab_inject {
	struct sfab_dev *sdev;
	struct dentry *dir;
	spinlock_t lock;	/* see above */
	struct sfab_inject_conf conf;
	struct sk_buff_head delayq;
	struct timer_list timer;
	atomic64_t dropped;
	atomic64_t corrupted;
	atomic64_t delayed;
	atomic64_t stalled;
};

/* A held-back packet's due time, in its cb until it is delivered. */
struct sfab_inject_cb {
	unsigned long due;
};

static struct dentry *sfab_inject_root;

static bool sfab_inject_hit(u32 ppm)
{
	return ppm &&
	       (((u64)get_random_u32() * SFAB_INJECT_PPM_MAX) >> 32) < ppm;
}

static void sfab_inject_timer(struct timer_list *t)
{
	struct sfab_inject *inj = timer_container_of(inj, t, timer);
	struct sk_buff_head ready;
	struct sfab_inject_cb *cb;
	struct sk_buff *skb;
	unsigned long flags;

	__skb_queue_head_init(&ready);
	spin_lock_irqsave(&inj->delayq.lock, flags);
	while ((skb = skb_peek(&inj->delayq))) {
		cb = (struct sfab_inject_cb *)skb->cb;
		if (time_before(jiffies, cb->due)) {
			mod_timer(&inj->timer, cb->due);
			break;
		}
		__skb_unlink(skb, &inj->delayq);
		__skb_queue_tail(&ready, skb);
	}
	spin_unlock_irqrestore(&inj->delayq.lock, flags);

	while ((skb = __skb_dequeue(&ready))) {
		memset(skb->cb, 0, sizeof(skb->cb));
		sfab_inject_deliver(inj->sdev, skb);
		ib_device_put(&inj->sdev->ibdev);
	}
}

static bool sfab_inject_hold(struct sfab_inject *inj, struct sk_buff *skb,
			     u32 delay_ms)
{
	struct sfab_inject_cb *cb = (struct sfab_inject_cb *)skb->cb;

	/* The device is going away: deliver the packet now. */
	if (!ib_device_try_get(&inj->sdev->ibdev))
		return false;
	cb->due = jiffies + msecs_to_jiffies(delay_ms);
	atomic64_inc(&inj->delayed);
	skb_queue_tail(&inj->delayq, skb);
	timer_reduce(&inj->timer, cb->due);
	return true;
}

/**
 * sfab_inject_rcv - apply the device's error injection to a packet
 * @sdev: the receiving device
 * @skb: the packet, linear, its data at the BTH
 *
 * Return: true if the packet was taken (dropped or held back), false if
 * the caller goes on receiving it, corrupted or not.
 */
bool sfab_inject_rcv(struct sfab_dev *sdev, struct sk_buff *skb)
{
	struct sfab_inject *inj = READ_ONCE(sdev->inject);
	struct sfab_bth *bth;
	u32 delay_ms;
	s32 qpn;

	if (!inj || skb->len < sizeof(*bth) + SFAB_ICRC_LEN)
		return false;
	qpn = READ_ONCE(inj->conf.qpn);
	bth = (struct sfab_bth *)skb->data;
	if (qpn >= 0 && (be32_to_cpu(bth->qpn) & SFAB_QPN_MASK) != qpn)
		return false;

	if (sfab_inject_hit(READ_ONCE(inj->conf.drop_ppm))) {
		atomic64_inc(&inj->dropped);
		kfree_skb(skb);
		return true;
	}
	if (sfab_inject_hit(READ_ONCE(inj->conf.corrupt_ppm))) {
		/* Others (a packet tap) may share the data: copy it first. */
		if (skb_ensure_writable(skb, skb->len)) {
			atomic64_inc(&inj->dropped);
			kfree_skb(skb);
			return true;
		}
		skb->data[skb->len - SFAB_ICRC_LEN - 1] ^= 0xff;
		atomic64_inc(&inj->corrupted);
	}
	delay_ms = READ_ONCE(inj->conf.delay_ms);
	if (delay_ms && sfab_inject_hit(READ_ONCE(inj->conf.delay_ppm)))
		return sfab_inject_hold(inj, skb, delay_ms);
	return false;
}

/**
 * sfab_inject_cq - apply the device's stall setting to a completion
 * @cq: the CQ the completion is for
 *
 * Return: true if the completion is withheld (the caller drops it): the
 * stall is on and @cq is a user CQ.
 */
bool sfab_inject_cq(struct sfab_cq *cq)
{
	struct sfab_inject *inj = READ_ONCE(to_sdev(cq->ibcq.device)->inject);

	if (!inj || !READ_ONCE(inj->conf.stall) || !cq->ibcq.uobject)
		return false;
	atomic64_inc(&inj->stalled);
	return true;
}

static ssize_t sfab_inject_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct sfab_inject *inj = file->private_data;
	struct sfab_inject_conf c;
	char text[256];
	int len;

	spin_lock_bh(&inj->lock);
	c = inj->conf;
	spin_unlock_bh(&inj->lock);
	len = scnprintf(text, sizeof(text),
			"drop_ppm %u\ncorrupt_ppm %u\ndelay_ppm %u\ndelay_ms %u\nqpn %d\nstall %u\ndropped %lld\ncorrupted %lld\ndelayed %lld\nstalled %lld\n",
			c.drop_ppm, c.corrupt_ppm, c.delay_ppm, c.delay_ms,
			c.qpn, c.stall, (long long)atomic64_read(&inj->dropped),
			(long long)atomic64_read(&inj->corrupted),
			(long long)atomic64_read(&inj->delayed),
			(long long)atomic64_read(&inj->stalled));
	return simple_read_from_buffer(ubuf, count, ppos, text, len);
}

static int sfab_inject_parse_ppm(const char *val, u32 *ppm)
{
	int err = kstrtou32(val, 10, ppm);

	if (err)
		return err;
	return *ppm > SFAB_INJECT_PPM_MAX ? -ERANGE : 0;
}

/* "key=value ..." into @c, which holds the defaults. */
static int sfab_inject_parse(char *text, struct sfab_inject_conf *c)
{
	char *tok, *val;
	int err;

	while ((tok = strsep(&text, " \t\n"))) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "drop_ppm")) {
			err = sfab_inject_parse_ppm(val, &c->drop_ppm);
		} else if (!strcmp(tok, "corrupt_ppm")) {
			err = sfab_inject_parse_ppm(val, &c->corrupt_ppm);
		} else if (!strcmp(tok, "delay_ppm")) {
			err = sfab_inject_parse_ppm(val, &c->delay_ppm);
		} else if (!strcmp(tok, "delay_ms")) {
			err = kstrtou32(val, 10, &c->delay_ms);
			if (!err && c->delay_ms > SFAB_INJECT_DELAY_MAX_MS)
				err = -ERANGE;
		} else if (!strcmp(tok, "qpn")) {
			err = kstrtos32(val, 0, &c->qpn);
			if (!err && (c->qpn < -1 || c->qpn > SFAB_QPN_MASK))
				err = -ERANGE;
		} else if (!strcmp(tok, "stall")) {
			err = kstrtou32(val, 10, &c->stall);
			if (!err && c->stall > 1)
				err = -ERANGE;
		} else {
			err = -EINVAL;
		}
		if (err)
			return -EINVAL;
	}
	return 0;
}

static ssize_t sfab_inject_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct sfab_inject_conf c = { .qpn = -1 };
	struct sfab_inject *inj = file->private_data;
	char *text, *cmd;
	int err = 0;

	if (!count || count >= SFAB_INJECT_WRITE_MAX)
		return -EINVAL;
	text = memdup_user_nul(ubuf, count);
	if (IS_ERR(text))
		return PTR_ERR(text);
	cmd = strim(text);
	if (!*cmd)
		err = -EINVAL;
	else if (strcmp(cmd, "off"))
		err = sfab_inject_parse(cmd, &c);
	kfree(text);
	if (err)
		return err;

	spin_lock_bh(&inj->lock);
	WRITE_ONCE(inj->conf.drop_ppm, c.drop_ppm);
	WRITE_ONCE(inj->conf.corrupt_ppm, c.corrupt_ppm);
	WRITE_ONCE(inj->conf.delay_ppm, c.delay_ppm);
	WRITE_ONCE(inj->conf.delay_ms, c.delay_ms);
	WRITE_ONCE(inj->conf.qpn, c.qpn);
	WRITE_ONCE(inj->conf.stall, c.stall);
	spin_unlock_bh(&inj->lock);
	return count;
}

static const struct file_operations sfab_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sfab_inject_read,
	.write = sfab_inject_write,
	.llseek = default_llseek,
};

/* A device was registered: give it an inject file, off. */
void sfab_inject_add(struct sfab_dev *sdev)
{
	struct sfab_inject *inj;

	/* Without it the device works; only injection is missing. */
	inj = kzalloc_obj(*inj);
	if (!inj)
		return;
	inj->sdev = sdev;
	spin_lock_init(&inj->lock);
	inj->conf.qpn = -1;
	skb_queue_head_init(&inj->delayq);
	timer_setup(&inj->timer, sfab_inject_timer, 0);
	inj->dir = debugfs_create_dir(dev_name(&sdev->ibdev.dev),
				      sfab_inject_root);
	debugfs_create_file("inject", 0600, inj->dir, inj, &sfab_inject_fops);
	/* Packets may be arriving: publish @inj once it is initialized. */
	smp_store_release(&sdev->inject, inj);
}

/* The device is being freed: no reference, so no packet held, is left. */
void sfab_inject_del(struct sfab_dev *sdev)
{
	struct sfab_inject *inj = sdev->inject;

	if (!inj)
		return;
	debugfs_remove_recursive(inj->dir);
	timer_shutdown_sync(&inj->timer);
	skb_queue_purge(&inj->delayq);
	sdev->inject = NULL;
	kfree(inj);
}

void sfab_inject_init(void)
{
	sfab_inject_root = debugfs_create_dir("sfab", NULL);
}

void sfab_inject_exit(void)
{
	debugfs_remove_recursive(sfab_inject_root);
}
