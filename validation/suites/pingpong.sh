# shellcheck shell=sh
# Suite "pingpong": the devices as libibverbs reports them (ibv_devinfo
# -v), then libibverbs' own examples across the two network namespaces:
# ibv_rc_pingpong and ibv_srq_pingpong from 1 B to 1 MiB, ibv_ud_pingpong
# from 1 B to the path MTU, each with its receive-buffer check (-c). The
# device pair comes from sfab_dev= (hosts.sh); quick depth runs fewer
# sizes. Runs in the guest; TAP on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

if [ "$DEPTH" = full ]; then
	rc_sizes="1 64 1024 4096 65536 1048576"
	srq_sizes="1 4096 65536 1048576"
	ud_sizes="1 64 512 mtu"
else
	rc_sizes="1 4096 1048576"
	srq_sizes="4096"
	ud_sizes="1 mtu"
fi

# iters SIZE: enough exchanges to mean something, few enough for TCG.
iters() {
	if [ "$1" -le 4096 ]; then echo 100; elif [ "$1" -le 65536 ]; then echo 20; else echo 8; fi
}

# field NAME FILE: the first "NAME: value" in FILE.
field() { sed -n "s/^[[:space:]]*$1:[[:space:]]*//p" "$2" | sed -n 1p; }

# devinfo DEV IPV4 [peer]: ibv_devinfo -v of DEV (from netns peer if
# asked) shows an active Ethernet port with its RoCE v2 IPv4 GID and a
# device that has queue pairs, completion queues and memory regions.
devinfo() {
	f=/tmp/devinfo.$1
	${3:+"$3"} ibv_devinfo -v -d "$1" >"$f" 2>/tmp/devinfo.err ||
		fail "ibv_devinfo -v -d $1 failed: $(cat /tmp/devinfo.err)"
	! grep -qi 'warning\|couldn.t' /tmp/devinfo.err || fail "ibv_devinfo -d $1: $(cat /tmp/devinfo.err)"
	[ "$(field state "$f")" = "PORT_ACTIVE (4)" ] || fail "$1 state: $(field state "$f")"
	[ "$(field link_layer "$f")" = Ethernet ] || fail "$1 link_layer: $(field link_layer "$f")"
	grep -q "GID\[ *[0-9]*\]:[[:space:]]*::ffff:$2, RoCE v2" "$f" ||
		fail "$1: no RoCE v2 GID ::ffff:$2 in: $(grep GID "$f")"
	for cap in max_qp max_cq max_cqe max_mr max_qp_wr; do
		[ "$(field "$cap" "$f")" -gt 0 ] 2>/dev/null || fail "$1 $cap: $(field "$cap" "$f")"
	done
	echo "$1: $(grep -E '^[[:space:]]*(max_qp|max_cqe|max_mr_size|max_qp_rd_atom|atomic_cap|active_mtu):' "$f" | tr -s '\t ' ' ' | tr '\n' ';')"
}

devinfo_both() {
	devinfo "$DEV_A" "$IP_A" || exit 1
	devinfo "$DEV_B" "$IP_B" peer || exit 1
	cat "/tmp/devinfo.$DEV_A"
}

# pingpong TOOL SIZE [ARGS]: TOOL's server on DEV_B, its client on DEV_A,
# SIZE-byte messages with the receive check; fails on a client error and
# on an "invalid data" report.
pingpong() {
	tool=$1 size=$2
	shift 2
	ga=$(gidx_a) || fail "$ga"
	gb=$(gidx_b) || fail "$gb"
	n=$(iters "$size")
	run_pair "tcp_listening 18515" \
		"$tool -d $DEV_B -g $gb -s $size -n $n -c${*:+ $*}" \
		"$tool -d $DEV_A -g $ga -s $size -n $n -c${*:+ $*} $IP_B" || exit 1
	! grep -q 'invalid data' /tmp/server.* /tmp/client.* || fail "$tool reported invalid data"
	grep -q "$n iters in" /tmp/client.out || fail "the client did not report $n iterations"
}

# ud_pingpong SIZE|mtu
ud_pingpong() {
	size=$1
	[ "$size" != mtu ] || size=$(active_mtu "$DEV_A")
	[ -n "$size" ] || fail "no active MTU for $DEV_A"
	pingpong ibv_ud_pingpong "$size"
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
for pair in $(dev_pairs); do
	use_pair "$pair"
	label=$(pair_label)
	t "$DEV_A on va and $DEV_B on vb (netns peer): ports ACTIVE, RoCE v2 GIDs" pair_devices
	t "ibv_devinfo -v $DEV_A and $DEV_B: ACTIVE, Ethernet, RoCE v2 GID, QPs, CQs, MRs" devinfo_both
	t "first RC exchange (the pair's other clients run only if it works), $label" first_exchange
	for s in $rc_sizes; do
		tp "ibv_rc_pingpong $s B, $label" pingpong ibv_rc_pingpong "$s"
	done
	for s in $ud_sizes; do
		tp "ibv_ud_pingpong $(echo "$s B" | sed 's/^mtu B/path-MTU/') messages, $label" ud_pingpong "$s"
	done
	for s in $srq_sizes; do
		tp "ibv_srq_pingpong $s B, 4 QPs on one SRQ, $label" pingpong ibv_srq_pingpong "$s" -q 4
	done
	t "rdma link delete $DEV_A and $DEV_B, device modules unload" del_pair_devices
done
teardown_hosts
done_testing
