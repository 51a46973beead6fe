# shellcheck shell=sh
# Suite "verbs": libibverbs with the kit's libsfab provider sees the sfab
# devices of both hosts and reports them as the kernel does. Runs in the
# guest (busybox sh); TAP on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh

# verbs COMMAND...: run a verbs tool; libibverbs warnings (a provider that
# does not load, an ABI mismatch) fail the test.
verbs() {
	"$@" >/tmp/verbs.out 2>/tmp/verbs.err || fail "failed: $* ($(cat /tmp/verbs.err))"
	! grep -qi 'warning\|couldn.t' /tmp/verbs.err || fail "$*: $(cat /tmp/verbs.err)"
	cat /tmp/verbs.out
}

# field NAME: the value of "NAME: value" in the last verbs output.
field() { sed -n "s/^[[:space:]]*$1:[[:space:]]*//p" /tmp/verbs.out | sed -n 1p; }

add_devices() {
	must rdma link add sfab0 type sfab netdev va
	must peer rdma link add sfab1 type sfab netdev vb
	expect_port sfab0 "$ACTIVE" "$LINKUP"
	expect_port sfab1 "$ACTIVE" "$LINKUP"
}

devices_listed() {
	out=$(verbs ibv_devices) || fail "$out"
	for d in sfab0 sfab1; do
		guid=$(tr -d : <"$IB/$d/node_guid")
		echo "$out" | grep -q "^[[:space:]]*${d}[[:space:]]*${guid}\$" ||
			fail "ibv_devices does not list $d with node GUID $guid: $out"
	done
}

devinfo_port() {
	verbs ibv_devinfo -d sfab0 >/dev/null || exit 1
	[ "$(field transport)" = "InfiniBand (0)" ] || fail "transport: $(field transport)"
	[ "$(field state)" = "PORT_ACTIVE (4)" ] || fail "state: $(field state)"
	[ "$(field max_mtu)" = "4096 (5)" ] || fail "max_mtu: $(field max_mtu)"
	[ "$(field active_mtu)" = "1024 (3)" ] || fail "active_mtu: $(field active_mtu)"
	[ "$(field link_layer)" = "Ethernet" ] || fail "link_layer: $(field link_layer)"
	guid=$(cat "$IB/sfab0/node_guid")
	[ "$(field node_guid)" = "$guid" ] || fail "node_guid: $(field node_guid), sysfs $guid"
}

devinfo_gids() {
	verbs ibv_devinfo -v -d sfab0 >/dev/null || exit 1
	grep -q 'GID\[ *[0-9]*\]:[[:space:]]*::ffff:10\.77\.0\.1, RoCE v2' /tmp/verbs.out ||
		fail "no RoCE v2 GID ::ffff:10.77.0.1 in: $(grep GID /tmp/verbs.out)"
	grep -q 'GID\[ *[0-9]*\]:[[:space:]]*fd77::1, RoCE v2' /tmp/verbs.out ||
		fail "no RoCE v2 GID fd77::1 in: $(grep GID /tmp/verbs.out)"
	cat /tmp/verbs.out
}

devinfo_peer() {
	verbs peer ibv_devinfo -d sfab1 >/dev/null || exit 1
	[ "$(field state)" = "PORT_ACTIVE (4)" ] || fail "sfab1 state: $(field state)"
}

devinfo_down() {
	must ip link set va down
	expect_port sfab0 "$DOWN" "$DISABLED"
	verbs ibv_devinfo -d sfab0 >/dev/null || exit 1
	[ "$(field state)" = "PORT_DOWN (1)" ] || fail "state: $(field state)"
	must ip link set va up
	expect_port sfab0 "$ACTIVE" "$LINKUP"
}

cleanup() {
	must rdma link delete sfab0
	must peer rdma link delete sfab1
	must rmmod sfab
	teardown_hosts
	[ ! -e /run/netns/peer ] || fail "netns peer is still there"
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
t "modprobe sfab and ib_uverbs load" load_modules
t "sfab0 on va and sfab1 on vb (netns peer), both ACTIVE" add_devices
t "ibv_devices lists sfab0 and sfab1 with their node GUIDs" devices_listed
t "ibv_devinfo sfab0: InfiniBand transport, PORT_ACTIVE, Ethernet, MTU 1024 of 4096" devinfo_port
t "ibv_devinfo -v sfab0: RoCE v2 GIDs ::ffff:10.77.0.1 and fd77::1" devinfo_gids
t "ibv_devinfo sfab1 from netns peer: PORT_ACTIVE" devinfo_peer
t "ibv_devinfo follows the port: PORT_DOWN with va down, ACTIVE again" devinfo_down
t "rdma link delete, netdev removal and rmmod leave nothing" cleanup
done_testing
