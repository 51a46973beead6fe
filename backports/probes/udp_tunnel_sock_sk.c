// SPDX-License-Identifier: GPL-2.0
/*
 * setup_udp_tunnel_sock() and udp_tunnel_sock_release() take the struct
 * sock (v7.2), not the struct socket.
 */
#include <net/udp_tunnel.h>

void sfab_probe(struct net *net, struct sock *sk,
		struct udp_tunnel_sock_cfg *cfg);
void sfab_probe(struct net *net, struct sock *sk,
		struct udp_tunnel_sock_cfg *cfg)
{
	setup_udp_tunnel_sock(net, sk, cfg);
	udp_tunnel_sock_release(sk);
}
