# shellcheck shell=sh
# Suite "link": sfab device life cycle on a veth pair between two network
# namespaces: rdma link add/delete, port state, GID table, uverbs context
# and PDs, bad input, netdev removal, module unload. Runs in the guest
# (busybox sh); TAP on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh

# GIDs as sysfs shows them
GID_A4=0000:0000:0000:0000:0000:ffff:0a4d:0001	# ::ffff:10.77.0.1
GID_A4B=0000:0000:0000:0000:0000:ffff:0a4d:000b	# ::ffff:10.77.0.11
GID_B4=0000:0000:0000:0000:0000:ffff:0a4d:0002	# ::ffff:10.77.0.2
GID_A6=fd77:0000:0000:0000:0000:0000:0000:0001	# fd77::1
GID_B6=fd77:0000:0000:0000:0000:0000:0000:0002	# fd77::2

# --- checks ------------------------------------------------------------------

# has_gid DEV GID NDEV: DEV's port 1 has GID as a RoCE v2 entry on NDEV.
has_gid() {
	p=$IB/$1/ports/1
	for f in "$p"/gids/*; do
		read -r gid <"$f" || continue
		[ "$gid" = "$2" ] || continue
		n=${f##*/}
		[ "$(cat "$p/gid_attrs/types/$n")" = "RoCE v2" ] &&
			[ "$(cat "$p/gid_attrs/ndevs/$n")" = "$3" ] && return 0
	done
	return 1
}

lacks_gid() { ! has_gid "$@"; }

expect_gid() {
	wait_for has_gid "$@" || fail "$1: no RoCE v2 GID $2 on $3"
}

gone() { [ ! -e "$IB/$1" ]; }

expect_gone() {
	wait_for gone "$1" || fail "$1 still exists"
}

devices() { for d in "$IB"/*; do printf '%s ' "${d##*/}"; done; }

# kv KEY: KEY's value in $uv, the output of sfab-uverbs-check.
kv() { echo "$uv" | sed -n "s/^$1=//p"; }

active_mtu_is() { uv=$(sfab-uverbs-check "$1") && [ "$(kv active_mtu)" = "$2" ]; }

# expect_add_fails NAME NETDEV [peer]: rdma link add (in netns peer if
# asked) must fail and leave the device list as it was.
expect_add_fails() {
	before=$(devices)
	if ${3:+"$3"} rdma link add "$1" type sfab netdev "$2"; then
		fail "rdma link add $1 netdev $2 succeeded"
	fi
	sleep 0.5
	[ "$(devices)" = "$before" ] ||
		fail "devices changed from '$before' to '$(devices)'"
}

# --- tests -------------------------------------------------------------------

add_sfab0() {
	must rdma link add sfab0 type sfab netdev va
	[ -d "$IB/sfab0" ] || fail "no $IB/sfab0"
}

add_sfab1_in_peer() {
	must peer rdma link add sfab1 type sfab netdev vb
	[ -d "$IB/sfab1" ] || fail "no $IB/sfab1"
}

ports_active_sysfs() {
	for d in sfab0 sfab1; do
		expect_port "$d" "$ACTIVE" "$LINKUP"
		ll=$(cat "$IB/$d/ports/1/link_layer")
		[ "$ll" = Ethernet ] || fail "$d: link_layer is '$ll'"
	done
}

ports_active_rdma_tool() {
	a=$(rdma link show sfab0/1) || fail "rdma link show sfab0/1 failed"
	b=$(peer rdma link show sfab1/1) || fail "rdma link show sfab1/1 failed (netns peer)"
	echo "init netns: $a"
	echo "netns peer: $b"
	echo "$a" | grep -q "state ACTIVE physical_state LINK_UP netdev va" ||
		fail "sfab0 is not ACTIVE/LINK_UP on va"
	echo "$b" | grep -q "state ACTIVE physical_state LINK_UP netdev vb" ||
		fail "sfab1 is not ACTIVE/LINK_UP on vb"
}

gids_sfab0() {
	expect_gid sfab0 "$GID_A4" va
	expect_gid sfab0 "$GID_A6" va
}

gids_sfab1() {
	expect_gid sfab1 "$GID_B4" vb
	expect_gid sfab1 "$GID_B6" vb
}

gid_follows_new_address() {
	must ip addr add 10.77.0.11/24 dev va
	expect_gid sfab0 "$GID_A4B" va
}

gid_follows_removed_address() {
	must ip addr del 10.77.0.11/24 dev va
	wait_for lacks_gid sfab0 "$GID_A4B" va || fail "GID of 10.77.0.11 still there"
	has_gid sfab0 "$GID_A4" va || fail "GID of 10.77.0.1 went too"
}

uverbs_context_and_queries() {
	uv=$(sfab-uverbs-check sfab0) || fail "sfab-uverbs-check failed"
	echo "$uv" | tr '\n' ' '
	echo
	[ -c "$(kv uverbs)" ] || fail "no character device $(kv uverbs)"
	[ "$(kv context)" = ok ] || fail "no context"
	[ "$(kv node_guid)" = "$(cat "$IB/sfab0/node_guid")" ] ||
		fail "node_guid differs from sysfs $(cat "$IB/sfab0/node_guid")"
	[ "$(kv vendor_id)" = 0xffffff ] || fail "vendor_id is $(kv vendor_id)"
	[ "$(kv max_pd)" -gt 0 ] || fail "max_pd is $(kv max_pd)"
	[ "$(kv phys_port_cnt)" = 1 ] || fail "phys_port_cnt is $(kv phys_port_cnt)"
	[ "$(kv state)" = 4 ] || fail "port state is $(kv state), not 4 (ACTIVE)"
	[ "$(kv phys_state)" = 5 ] || fail "phys_state is $(kv phys_state), not 5 (LinkUp)"
	[ "$(kv link_layer)" = 2 ] || fail "link_layer is $(kv link_layer), not 2 (Ethernet)"
	[ "$(kv max_mtu)" = 5 ] || fail "max_mtu is $(kv max_mtu), not 5 (4096)"
	[ "$(kv active_mtu)" = 3 ] || fail "active_mtu is $(kv active_mtu) at MTU 1500, not 3 (1024)"
	[ "$(kv gid_tbl_len)" -gt 0 ] || fail "gid_tbl_len is $(kv gid_tbl_len)"
}

mtu_9000() {
	must ip link set va mtu 9000
	must peer ip link set vb mtu 9000
	wait_for active_mtu_is sfab0 5 ||
		fail "active_mtu is $(kv active_mtu) at MTU 9000, not 5 (4096)"
	expect_port sfab0 "$ACTIVE" "$LINKUP"
}

mtu_1500() {
	must ip link set va mtu 1500
	must peer ip link set vb mtu 1500
	wait_for active_mtu_is sfab0 3 ||
		fail "active_mtu is $(kv active_mtu) at MTU 1500, not 3 (1024)"
}

pds_100() {
	uv=$(sfab-uverbs-check sfab0 100) || fail "sfab-uverbs-check sfab0 100 failed"
	[ "$(kv pds_freed)" = 100 ] || fail "100 PDs were not allocated and freed"
}

va_down() {
	must ip link set va down
	expect_port sfab0 "$DOWN" "$DISABLED"
}

va_up() {
	must ip link set va up
	expect_port sfab0 "$ACTIVE" "$LINKUP"
}

vb_down() {
	must peer ip link set vb down
	expect_port sfab0 "$DOWN" "$DISABLED"
	expect_port sfab1 "$DOWN" "$DISABLED"
}

vb_up() {
	must peer ip link set vb up
	expect_port sfab0 "$ACTIVE" "$LINKUP"
	expect_port sfab1 "$ACTIVE" "$LINKUP"
}

bad_netdev_unknown() { expect_add_fails sfabx nonexistent; }
bad_netdev_lo() { expect_add_fails sfabx lo; }
bad_name_same_netdev() { expect_add_fails sfab0 va; }

bad_name_other_netdev() {
	must ip link add vc type veth peer name vd
	expect_add_fails sfab0 vc
	must ip link del vc
}

bad_second_on_netdev() { expect_add_fails sfab9 va; }
bad_second_in_peer() { expect_add_fails sfab9 vb peer; }

delete_sfab0() {
	must rdma link delete sfab0
	expect_gone sfab0
	[ -d "$IB/sfab1" ] || fail "sfab1 went too"
}

netdev_removal_removes_sfab1() {
	must peer ip link del vb
	expect_gone sfab1
}

unload() {
	must rmmod sfab
	! lsmod_lists sfab || fail "lsmod still lists sfab"
}

# One load/unload cycle; module exit must remove the device left behind.
cycle() {
	must modprobe sfab
	must ip link add cva type veth peer name cvb
	must ip link set cva up
	must ip link set cvb up
	must rdma link add sfabc type sfab netdev cva
	expect_port sfabc "$ACTIVE" "$LINKUP"
	must rmmod sfab
	expect_gone sfabc
	! lsmod_lists sfab || fail "lsmod still lists sfab"
	must ip link del cva
}

load_unload_cycles() {
	n=0
	while [ "$n" -lt 20 ]; do
		(cycle) || fail "cycle $((n + 1)) of 20 failed"
		n=$((n + 1))
	done
	echo "$n/20 load/unload cycles passed"
}

show_links() {
	links=$(rdma link show 2>&1)
	diag "rdma link show (init netns): ${links:-(no links)}"
	links=$(peer rdma link show 2>&1)
	diag "rdma link show (netns peer): ${links:-(no links)}"
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer), IPv4 and IPv6" setup_hosts
t "modprobe sfab and ib_uverbs load" load_modules
t "rdma link add sfab0 type sfab netdev va" add_sfab0
t "rdma link add sfab1 type sfab netdev vb, from netns peer" add_sfab1_in_peer
t "sfab0 and sfab1 ports ACTIVE/LinkUp, link layer Ethernet (sysfs)" ports_active_sysfs
t "sfab0 and sfab1 ACTIVE/LINK_UP on their netdevs (rdma link show)" ports_active_rdma_tool
t "sfab0 GIDs: ::ffff:10.77.0.1 and fd77::1, RoCE v2 on va" gids_sfab0
t "sfab1 GIDs: ::ffff:10.77.0.2 and fd77::2, RoCE v2 on vb" gids_sfab1
t "a new address 10.77.0.11 on va shows up in sfab0's GID table" gid_follows_new_address
t "removing 10.77.0.11 removes its GID" gid_follows_removed_address
t "uverbs: context, device and port query of sfab0 (ACTIVE, active_mtu 1024)" uverbs_context_and_queries
t "MTU 9000 on va and vb: sfab0 active_mtu 4096" mtu_9000
t "MTU 1500 again: sfab0 active_mtu 1024" mtu_1500
t "uverbs: allocate and free 100 PDs on sfab0" pds_100
t "ip link set va down: sfab0 port DOWN/Disabled" va_down
t "ip link set va up: sfab0 port ACTIVE/LinkUp" va_up
t "vb down in netns peer: sfab0 (no carrier) and sfab1 DOWN" vb_down
t "vb up again: sfab0 and sfab1 ACTIVE" vb_up
t "rdma link add on an unknown netdev fails, no device left" bad_netdev_unknown
t "rdma link add on lo fails, no device left" bad_netdev_lo
t "rdma link add sfab0 on va again fails, no device left" bad_name_same_netdev
t "rdma link add sfab0 (name taken) on another netdev fails, no device left" bad_name_other_netdev
t "a second device on va (sfab9) fails, no device left" bad_second_on_netdev
t "a second device on vb (sfab9, netns peer) fails, no device left" bad_second_in_peer
t "rdma link delete sfab0 removes it, sfab1 stays" delete_sfab0
t "deleting the veth pair removes sfab1" netdev_removal_removes_sfab1
t "rmmod sfab succeeds, lsmod no longer lists it" unload
t "20 load/unload cycles, each unloading with a device present" load_unload_cycles
show_links
teardown_hosts
done_testing
