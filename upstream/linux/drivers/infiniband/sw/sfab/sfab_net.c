// SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
/*
 * sfab: RoCEv2 on the wire. One kernel UDP socket pair (IPv4, IPv6) on
 * port 4791 per network namespace that has sfab devices; packets are
 * built with their IP and UDP headers here and sent with ip_local_out(),
 * so routing and neighbour resolution are the namespace's own.
 */

#include <linux/crc32.h>
#include <linux/if_ether.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

#include "sfab.h"
#include "sfab_trace.h"

/**
 * struct sfab_net - sfab's state in one network namespace
 * @lock: serializes @users and the sockets
 * @users: sfab devices in the namespace
 * @sk4: the IPv4 RoCEv2 socket
 * @sk6: the IPv6 RoCEv2 socket, if IPv6 is on
 */
struct sfab_net {
	struct mutex lock;	/* see above */
	int users;
	struct sock *sk4;
	struct sock *sk6;
};

static unsigned int sfab_net_id;

/* CRC-32 of the 8 bytes of ones that stand in for the masked LRH. */
static u32 sfab_icrc_seed;

/* @hdr: the BTH; the IP and UDP headers precede it in @skb. */
static u32 sfab_icrc(struct sk_buff *skb, u8 *hdr, u8 family)
{
	u8 ph[sizeof(struct ipv6hdr) + sizeof(struct udphdr) +
	      sizeof(struct sfab_bth)];
	unsigned int iplen, len, rest;
	struct udphdr *udph;
	struct sfab_bth *bth;
	u32 crc;

	if (family == AF_INET) {
		struct iphdr *iph = (struct iphdr *)ph;

		iplen = sizeof(*iph);
		memcpy(ph, skb_network_header(skb), iplen);
		iph->tos = 0xff;
		iph->ttl = 0xff;
		iph->check = CSUM_MANGLED_0;
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)ph;

		iplen = sizeof(*ip6h);
		memcpy(ph, skb_network_header(skb), iplen);
		ip6h->priority = 0xf;
		memset(ip6h->flow_lbl, 0xff, sizeof(ip6h->flow_lbl));
		ip6h->hop_limit = 0xff;
	}
	udph = (struct udphdr *)(ph + iplen);
	memcpy(udph, skb_transport_header(skb), sizeof(*udph));
	udph->check = CSUM_MANGLED_0;
	bth = (struct sfab_bth *)(udph + 1);
	memcpy(bth, hdr, sizeof(*bth));
	bth->qpn |= cpu_to_be32(~SFAB_QPN_MASK);

	len = iplen + sizeof(*udph) + sizeof(*bth);
	crc = crc32_le(sfab_icrc_seed, ph, len);
	/* The rest of the headers, the payload and the pad. */
	rest = skb_tail_pointer(skb) - hdr - sizeof(*bth) - SFAB_ICRC_LEN;
	crc = crc32_le(crc, hdr + sizeof(*bth), rest);
	return ~crc;
}

/*
 * The sfab device on the netdevice that has the packet's destination
 * address in @net, with a reference. Caller holds rcu_read_lock().
 */
static struct sfab_dev *sfab_dev_by_daddr(struct net *net, struct sk_buff *skb)
{
	struct net_device *ndev;
	struct ib_device *ibdev;

	if (skb->protocol == htons(ETH_P_IP))
		ndev = __ip_dev_find(net, ip_hdr(skb)->daddr, false);
	else if (IS_ENABLED(CONFIG_IPV6))
		ndev = ipv6_dev_find(net, &ipv6_hdr(skb)->daddr, NULL);
	else
		ndev = NULL;
	if (!ndev)
		return NULL;
	ibdev = ib_device_get_by_netdev(ndev, RDMA_DRIVER_SFAB);
	return ibdev ? to_sdev(ibdev) : NULL;
}

static struct sfab_dev *sfab_rcv_dev(struct sk_buff *skb)
{
	struct ib_device *ibdev;

	/* Traffic to one of the namespace's own addresses comes over lo. */
	if (skb->dev->flags & IFF_LOOPBACK)
		return sfab_dev_by_daddr(dev_net(skb->dev), skb);
	ibdev = ib_device_get_by_netdev(skb->dev, RDMA_DRIVER_SFAB);
	return ibdev ? to_sdev(ibdev) : NULL;
}

/* Parses and checks a packet whose data starts at the BTH. */
static int sfab_parse(struct sfab_dev *sdev, struct sk_buff *skb,
		      struct sfab_pkt *pkt)
{
	unsigned int pad, hdr_len;
	struct sfab_bth *bth;
	u32 mask;

	if (skb->len < sizeof(*bth) + SFAB_ICRC_LEN)
		return -EINVAL;
	bth = (struct sfab_bth *)skb->data;
	mask = sfab_opcode_mask[bth->opcode];
	hdr_len = sfab_hdr_len(mask);
	pad = (bth->flags & SFAB_BTH_PAD_MASK) >> SFAB_BTH_PAD_SHIFT;
	if (!(mask & SFAB_M_VALID) || (bth->flags & SFAB_BTH_TVER_MASK) ||
	    skb->len < hdr_len + pad + SFAB_ICRC_LEN)
		return -EINVAL;

	pkt->sdev = sdev;
	pkt->hdr = skb->data;
	pkt->opcode = bth->opcode;
	pkt->mask = mask;
	pkt->hdr_len = hdr_len;
	pkt->paylen = skb->len - hdr_len - pad - SFAB_ICRC_LEN;
	if (pkt->paylen && !(mask & SFAB_M_PAYLOAD))
		return -EINVAL;
	/* The pad count makes payload and pad end on a 4-byte boundary. */
	if ((pkt->paylen + pad) & 3)
		return -EINVAL;
	pkt->psn = be32_to_cpu(bth->apsn) & SFAB_PSN_MASK;
	pkt->qpn = be32_to_cpu(bth->qpn) & SFAB_QPN_MASK;
	pkt->family = skb->protocol == htons(ETH_P_IP) ? AF_INET : AF_INET6;
	return 0;
}

/**
 * sfab_pkt_from_av - whether a packet came over the path of @av
 * @av: a connected QP's path
 * @skb: a received packet, its network header set
 *
 * A connected QP takes packets only from its peer's address to its own:
 * a packet that names the QP from anywhere else is not its peer's, be it
 * misrouted or forged.
 *
 * Return: true if the packet is from @av's destination to its source.
 */
bool sfab_pkt_from_av(const struct sfab_av *av, const struct sk_buff *skb)
{
	if (av->family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		return skb->protocol == htons(ETH_P_IP) &&
		       iph->saddr == av->daddr.v4 && iph->daddr == av->saddr.v4;
	}
	return skb->protocol == htons(ETH_P_IPV6) &&
	       ipv6_addr_equal(&ipv6_hdr(skb)->saddr, &av->daddr.v6) &&
	       ipv6_addr_equal(&ipv6_hdr(skb)->daddr, &av->saddr.v6);
}

/*
 * @direct: the QP may run in this context; false when the caller may hold
 * another QP's lock (local delivery).
 */
static void sfab_rcv(struct sfab_dev *sdev, struct sk_buff *skb, bool direct)
{
	struct sfab_pkt *pkt = sfab_pkt(skb);
	u8 *icrc;
	struct sfab_qp *qp;
	u16 pkey;

	sfab_count(sdev, SFAB_CNT_RCVD_PKTS);
	sfab_count_add(sdev, SFAB_CNT_RCVD_BYTES, skb->len);
	if (sfab_parse(sdev, skb, pkt)) {
		sfab_count(sdev, SFAB_CNT_MALFORMED);
		goto drop;
	}
	icrc = skb_tail_pointer(skb) - SFAB_ICRC_LEN;
	if (get_unaligned_le32(icrc) != sfab_icrc(skb, pkt->hdr, pkt->family)) {
		sfab_count(sdev, SFAB_CNT_ICRC_ERRORS);
		goto drop;
	}
	pkey = be16_to_cpu(sfab_bth(pkt)->pkey);
	if ((pkey & 0x7fff) != (SFAB_DEFAULT_PKEY & 0x7fff)) {
		sfab_count(sdev, SFAB_CNT_MALFORMED);
		goto drop;
	}
	trace_sfab_rx(sdev, pkt);

	qp = sfab_qp_get(sdev, pkt->qpn);
	if (!qp) {
		sfab_count(sdev, SFAB_CNT_UNKNOWN_QP);
		goto drop;
	}
	if ((pkt->mask & SFAB_M_RC) ?
	    qp->ibqp.qp_type != IB_QPT_RC :
	    qp->ibqp.qp_type != IB_QPT_UD && qp->ibqp.qp_type != IB_QPT_GSI) {
		sfab_qp_put(qp);
		sfab_count(sdev, SFAB_CNT_MALFORMED);
		goto drop;
	}
	/* The device counted it on arrival; now the QP. */
	atomic64_inc(&qp->stats[SFAB_CNT_RCVD_PKTS]);
	atomic64_add(skb->len, &qp->stats[SFAB_CNT_RCVD_BYTES]);
	sfab_qp_rcv(qp, skb, direct);
	sfab_qp_put(qp);
	return;

drop:
	kfree_skb(skb);
}

/* UDP encapsulation receive: softirq, under rcu_read_lock(). */
static int sfab_udp_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sfab_dev *sdev;
	unsigned int hlen;
	struct udphdr *udph;

	hlen = skb_transport_header(skb) - skb_network_header(skb);
	if (hlen != (skb->protocol == htons(ETH_P_IP) ?
		     sizeof(struct iphdr) : sizeof(struct ipv6hdr)))
		goto drop;
	sdev = sfab_rcv_dev(skb);
	if (!sdev)
		goto drop;
	if (skb_linearize(skb)) {
		sfab_count(sdev, SFAB_CNT_RX_DROPPED);
		goto put;
	}
	udph = udp_hdr(skb);
	if (ntohs(udph->len) != skb->len) {
		sfab_count(sdev, SFAB_CNT_MALFORMED);
		goto put;
	}
	skb_pull(skb, sizeof(*udph));
	sfab_rcv(sdev, skb, true);
	ib_device_put(&sdev->ibdev);
	return 0;

put:
	ib_device_put(&sdev->ibdev);
drop:
	kfree_skb(skb);
	return 0;
}

/**
 * sfab_pkt_alloc - a packet for @av with room for its headers
 * @sdev: the device that sends it
 * @av: where it goes (its address family)
 * @opcode: the BTH opcode, which fixes the extension headers
 * @paylen: payload bytes
 * @pktp: the packet's parsed view, set up for the caller to fill
 *
 * Return: the packet, whose data starts at the BTH; the pad is zeroed,
 * the headers and the payload are the caller's to write. NULL if out of
 * memory.
 */
struct sk_buff *sfab_pkt_alloc(struct sfab_dev *sdev, const struct sfab_av *av,
			       u8 opcode, u32 paylen, struct sfab_pkt **pktp)
{
	unsigned int hdr_len = sfab_hdr_len(sfab_opcode_mask[opcode]);
	unsigned int pad = -paylen & 3;
	unsigned int iplen, head;
	struct sfab_pkt *pkt;
	struct sk_buff *skb;
	u8 *data;

	iplen = av->family == AF_INET ? sizeof(struct iphdr) :
					sizeof(struct ipv6hdr);
	head = LL_RESERVED_SPACE(sdev->ndev) + iplen + sizeof(struct udphdr);
	skb = alloc_skb(head + hdr_len + paylen + pad + SFAB_ICRC_LEN,
			GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, head);
	data = skb_put(skb, hdr_len + paylen + pad + SFAB_ICRC_LEN);
	memset(data, 0, hdr_len);
	memset(data + hdr_len + paylen, 0, pad);
	skb->protocol = htons(av->family == AF_INET ? ETH_P_IP : ETH_P_IPV6);

	pkt = sfab_pkt(skb);
	pkt->sdev = sdev;
	pkt->hdr = data;
	pkt->opcode = opcode;
	pkt->mask = sfab_opcode_mask[opcode];
	pkt->hdr_len = hdr_len;
	pkt->paylen = paylen;
	pkt->family = av->family;
	((struct sfab_bth *)data)->opcode = opcode;
	((struct sfab_bth *)data)->flags = pad << SFAB_BTH_PAD_SHIFT;
	*pktp = pkt;
	return skb;
}

static void sfab_push_udp(struct sk_buff *skb, __be16 sport)
{
	struct udphdr *udph;

	__skb_push(skb, sizeof(*udph));
	skb_reset_transport_header(skb);
	udph = udp_hdr(skb);
	udph->source = sport;
	udph->dest = htons(SFAB_UDP_DPORT);
	udph->len = htons(skb->len);
	udph->check = 0;
}

/*
 * @local: set if the destination is an address of this namespace: the
 * packet goes to the sfab device there without the IP stack, as it
 * would come back over lo (which need not even be up).
 */
static int sfab_xmit4(struct sfab_dev *sdev, const struct sfab_av *av,
		      struct sk_buff *skb, bool *local)
{
	struct net *net = dev_net(sdev->ndev);
	struct flowi4 fl = {};
	struct iphdr *iph;
	struct rtable *rt;

	fl.flowi4_oif = sdev->ndev->ifindex;
	fl.flowi4_proto = IPPROTO_UDP;
	fl.saddr = av->saddr.v4;
	fl.daddr = av->daddr.v4;
	rt = ip_route_output_key(net, &fl);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	*local = rt->rt_type == RTN_LOCAL;

	skb_dst_set(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	__skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = IPVERSION;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = av->tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = htons(IP_DF);
	iph->ttl = av->ttl;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = av->saddr.v4;
	iph->daddr = av->daddr.v4;
	__ip_select_ident(net, iph, 1);
	return 0;
}

static int sfab_xmit6(struct sfab_dev *sdev, const struct sfab_av *av,
		      struct sk_buff *skb, bool *local)
{
	struct net *net = dev_net(sdev->ndev);
	struct flowi6 fl6 = {};
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;

	if (!IS_ENABLED(CONFIG_IPV6))
		return -EAFNOSUPPORT;
	fl6.flowi6_oif = sdev->ndev->ifindex;
	fl6.flowi6_proto = IPPROTO_UDP;
	fl6.saddr = av->saddr.v6;
	fl6.daddr = av->daddr.v6;
	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	if (dst->error) {
		int err = dst->error;

		dst_release(dst);
		return err;
	}
	*local = !!(dst->dev->flags & IFF_LOOPBACK);

	skb_dst_set(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	__skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, av->tos, cpu_to_be32(av->flow_label));
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = av->ttl;
	ip6h->saddr = av->saddr.v6;
	ip6h->daddr = av->daddr.v6;
	return 0;
}

static int sfab_xmit_local(struct sfab_qp *qp, struct sk_buff *skb,
			   unsigned int len)
{
	struct sfab_dev *sdev = qp->sdev;
	struct sfab_dev *dst;

	skb_dst_drop(skb);
	rcu_read_lock();
	dst = sfab_dev_by_daddr(dev_net(sdev->ndev), skb);
	rcu_read_unlock();
	if (!dst) {
		sfab_qp_count(qp, SFAB_CNT_TX_ERRORS);
		kfree_skb(skb);
		return -EHOSTUNREACH;
	}
	sfab_qp_count(qp, SFAB_CNT_SENT_PKTS);
	sfab_qp_count_add(qp, SFAB_CNT_SENT_BYTES, len);
	skb->dev = dst->ndev;
	skb_pull(skb, skb_transport_offset(skb) + sizeof(struct udphdr));
	sfab_rcv(dst, skb, false);
	ib_device_put(&dst->ibdev);
	return 0;
}

/**
 * sfab_xmit - send a packet made by sfab_pkt_alloc()
 * @qp: the sending QP
 * @av: where to
 * @sport: UDP source port
 * @skb: the packet, consumed
 *
 * Adds the UDP and IP headers, computes the ICRC and hands the packet to
 * the IP layer.
 *
 * Return: 0 or a negative errno; the packet is gone either way.
 */
int sfab_xmit(struct sfab_qp *qp, const struct sfab_av *av, __be16 sport,
	      struct sk_buff *skb)
{
	struct sfab_dev *sdev = qp->sdev;
	struct sfab_pkt *pkt = sfab_pkt(skb);
	struct net *net = dev_net(sdev->ndev);
	/* The IP layer owns skb->cb from here. */
	u8 *hdr = pkt->hdr;
	bool local = false;
	unsigned int len;
	int err;

	trace_sfab_tx(sdev, pkt);
	sfab_push_udp(skb, sport);
	err = av->family == AF_INET ? sfab_xmit4(sdev, av, skb, &local) :
				      sfab_xmit6(sdev, av, skb, &local);
	if (err) {
		sfab_qp_count(qp, SFAB_CNT_TX_ERRORS);
		kfree_skb(skb);
		return err;
	}
	put_unaligned_le32(sfab_icrc(skb, hdr, av->family),
			   skb_tail_pointer(skb) - SFAB_ICRC_LEN);
	skb->dev = skb_dst(skb)->dev;
	skb->ip_summed = CHECKSUM_NONE;
	len = skb->len;

	if (local)
		return sfab_xmit_local(qp, skb, len);
	err = av->family == AF_INET ? ip_local_out(net, NULL, skb) :
				      ip6_local_out(net, NULL, skb);
	err = net_xmit_eval(err);
	if (err) {
		sfab_qp_count(qp, SFAB_CNT_TX_ERRORS);
		return err;
	}
	sfab_qp_count(qp, SFAB_CNT_SENT_PKTS);
	sfab_qp_count_add(qp, SFAB_CNT_SENT_BYTES, len);
	return 0;
}

static struct sock *sfab_sock_create(struct net *net, bool ipv6)
{
	struct udp_tunnel_sock_cfg tnl = {
		.encap_type = 1,
		.encap_rcv = sfab_udp_encap_rcv,
	};
	struct udp_port_cfg cfg = {
		.family = ipv6 ? AF_INET6 : AF_INET,
		.local_udp_port = htons(SFAB_UDP_DPORT),
		.ipv6_v6only = ipv6,
	};
	struct socket *sock;
	int err;

	err = udp_sock_create(net, &cfg, &sock);
	if (err)
		return ERR_PTR(err);
	setup_udp_tunnel_sock(net, sock->sk, &tnl);
	return sock->sk;
}

/**
 * sfab_net_get - make sure the device's namespace has its RoCEv2 sockets
 * @sdev: a device being created; @sdev->net is its namespace
 *
 * Return: 0, or -EADDRINUSE if something else (rdma_rxe) has UDP port
 * 4791 in that namespace, or another negative errno.
 */
int sfab_net_get(struct sfab_dev *sdev)
{
	struct sfab_net *sn = net_generic(sdev->net, sfab_net_id);
	struct sock *sk;
	int err = 0;

	mutex_lock(&sn->lock);
	if (sn->users++)
		goto out;
	sk = sfab_sock_create(sdev->net, false);
	if (IS_ERR(sk)) {
		err = PTR_ERR(sk);
		goto fail;
	}
	sn->sk4 = sk;
	sk = sfab_sock_create(sdev->net, true);
	if (IS_ERR(sk)) {
		err = PTR_ERR(sk);
		/* A namespace without IPv6 still carries IPv4 RoCEv2. */
		if (err != -EAFNOSUPPORT) {
			udp_tunnel_sock_release(sn->sk4);
			sn->sk4 = NULL;
			goto fail;
		}
		sk = NULL;
		err = 0;
	}
	sn->sk6 = sk;
	goto out;

fail:
	sn->users--;
	ibdev_err(&sdev->ibdev,
		  "cannot bind UDP port %d in %s's network namespace: %d%s\n",
		  SFAB_UDP_DPORT, netdev_name(sdev->ndev), err,
		  err == -EADDRINUSE ? " (is rdma_rxe using it?)" : "");
out:
	mutex_unlock(&sn->lock);
	if (!err)
		atomic_set(&sdev->net_held, 1);
	return err;
}

/* Drops the device's hold on its namespace's sockets, once. */
void sfab_net_put(struct sfab_dev *sdev)
{
	struct sfab_net *sn;

	if (!atomic_xchg(&sdev->net_held, 0))
		return;
	sn = net_generic(sdev->net, sfab_net_id);
	mutex_lock(&sn->lock);
	if (!--sn->users) {
		if (sn->sk6)
			udp_tunnel_sock_release(sn->sk6);
		udp_tunnel_sock_release(sn->sk4);
		sn->sk4 = NULL;
		sn->sk6 = NULL;
	}
	mutex_unlock(&sn->lock);
}

static int __net_init sfab_net_ns_init(struct net *net)
{
	struct sfab_net *sn = net_generic(net, sfab_net_id);

	mutex_init(&sn->lock);
	return 0;
}

static struct pernet_operations sfab_net_ops = {
	.init = sfab_net_ns_init,
	.id = &sfab_net_id,
	.size = sizeof(struct sfab_net),
};

int sfab_net_init(void)
{
	static const u8 lrh[8] = { 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff };

	sfab_icrc_seed = crc32_le(~0U, lrh, sizeof(lrh));
	return register_pernet_subsys(&sfab_net_ops);
}

void sfab_net_exit(void)
{
	unregister_pernet_subsys(&sfab_net_ops);
}
