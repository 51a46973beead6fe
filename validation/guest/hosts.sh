# shellcheck shell=sh
# The two hosts of the guest suites and the sfab checks they share:
# veth va (init netns, 10.77.0.1, fd77::1) and vb (netns peer, 10.77.0.2,
# fd77::2). Sourced after lib.sh.

IB=/sys/class/infiniband
# shellcheck disable=SC2034 # used by the suites that source this
ACTIVE="4: ACTIVE"
# shellcheck disable=SC2034
LINKUP="5: LinkUp"
# shellcheck disable=SC2034
DOWN="1: DOWN"
# shellcheck disable=SC2034
DISABLED="3: Disabled"

peer() { ip netns exec peer "$@"; }

# port_is DEV STATE PHYS_STATE: port 1 of DEV is in that state (sysfs).
port_is() {
	[ "$(cat "$IB/$1/ports/1/state")" = "$2" ] &&
		[ "$(cat "$IB/$1/ports/1/phys_state")" = "$3" ]
}

# expect_port DEV STATE PHYS_STATE: wait for it, or fail saying what it is.
expect_port() {
	wait_for port_is "$@" ||
		fail "$1: port 1 is '$(cat "$IB/$1/ports/1/state")'," \
			"'$(cat "$IB/$1/ports/1/phys_state")', expected '$2', '$3'"
}

# lsmod_lists MODULE
lsmod_lists() { /usr/sbin/lsmod | grep -q "^$1 "; }

# must COMMAND...: run COMMAND or fail the test naming it.
must() { "$@" || fail "failed: $*"; }

# teardown_hosts: remove both hosts; each suite leaves the guest as it
# found it.
teardown_hosts() {
	ip link del va 2>/dev/null
	ip netns del peer 2>/dev/null
	return 0
}

setup_hosts() {
	teardown_hosts
	must modprobe veth
	must ip link add va type veth peer name vb
	must ip netns add peer
	must ip link set vb netns peer
	must ip addr add 10.77.0.1/24 dev va
	must ip addr add fd77::1/64 dev va nodad
	must ip link set va up
	must peer ip addr add 10.77.0.2/24 dev vb
	must peer ip addr add fd77::2/64 dev vb nodad
	must peer ip link set vb up
	must peer ip link set lo up
	wait_for ping -c 1 -W 1 10.77.0.2 || fail "10.77.0.2 does not answer ping"
}

load_modules() {
	must modprobe sfab
	must modprobe ib_uverbs
	lsmod_lists sfab || fail "lsmod does not list sfab"
	lsmod_lists ib_uverbs || fail "lsmod does not list ib_uverbs"
}
