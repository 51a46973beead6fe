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

# --- RDMA devices on the two hosts ------------------------------------------
# The type of device under test comes from the kernel command line,
# sfab_dev= (validation/run-vm.sh sets it from SFAB_VM_DEV): sfab (the
# default), rxe (the kernel's rdma_rxe) or interop (sfab on one host and
# rxe on the other, both ways round). A pair "TYPE_A:TYPE_B" names the
# device types on va (host A, 10.77.0.1) and vb (host B, 10.77.0.2); the
# devices are named after their type: TYPE_A0 on va, TYPE_B1 on vb.
IP_A=10.77.0.1
IP_B=10.77.0.2

# dev_pairs: the pairs to run the data-path tests on, in order.
dev_pairs() {
	case $(kparam sfab_dev sfab) in
	sfab) echo sfab:sfab ;;
	rxe) echo rxe:rxe ;;
	interop) echo sfab:rxe rxe:sfab ;;
	*)
		echo "unknown sfab_dev=$(kparam sfab_dev sfab) (sfab, rxe or interop)" >&2
		return 1
		;;
	esac
}

# use_pair PAIR: DEV_A and DEV_B, the names of the devices on va and vb.
use_pair() {
	DEV_A=${1%%:*}0
	DEV_B=${1#*:}1
}

# dev_module DEV: the module that provides device DEV.
dev_module() {
	case $1 in
	sfab*) echo sfab ;;
	rxe*) echo rdma_rxe ;;
	*) return 1 ;;
	esac
}

# gid_of IPV4: the IPv4-mapped GID of IPV4 as sysfs writes it.
gid_of() {
	# shellcheck disable=SC2046,SC2183 # the four octets are meant to split
	printf '0000:0000:0000:0000:0000:ffff:%02x%02x:%02x%02x\n' $(echo "$1" | tr . ' ')
}

# gid_index DEV IPV4: the index of DEV's port 1 GID that is RoCE v2 with
# the IPv4-mapped address of IPV4, from sysfs; fails if there is none.
gid_index() {
	p=$IB/$1/ports/1
	want=$(gid_of "$2")
	for f in "$p"/gids/*; do
		read -r gid <"$f" 2>/dev/null || continue
		[ "$gid" = "$want" ] || continue
		n=${f##*/}
		[ "$(cat "$p/gid_attrs/types/$n" 2>/dev/null)" = "RoCE v2" ] || continue
		echo "$n"
		return 0
	done
	return 1
}

# add_device, del_device: the one device DEV_A on va (suites that use a
# single device); del_device also unloads its module.
add_device() { add_rdma_dev "$DEV_A" va "$IP_A"; }

unload_dev_module() {
	m=$(dev_module "$DEV_A")
	! lsmod_lists "$m" || must rmmod "$m"
}

del_device() {
	must rdma link delete "$DEV_A"
	unload_dev_module
}

# add_rdma_dev DEV NETDEV IPV4 [peer]: creates DEV (its type from its name)
# on NETDEV, in netns peer if asked, and waits for its port to be ACTIVE and
# its RoCE v2 GID of IPV4 to be in place.
add_rdma_dev() {
	must modprobe "$(dev_module "$1")"
	must modprobe ib_uverbs
	must modprobe rdma_ucm
	must ${4:+"$4"} rdma link add "$1" type "$(dev_module "$1" | sed 's/^rdma_//')" netdev "$2"
	expect_port "$1" "$ACTIVE" "$LINKUP"
	wait_for gid_index "$1" "$3" || fail "$1: no RoCE v2 GID for $3"
	echo "$1 on $2: port ACTIVE, RoCE v2 GID of $3 at index $(gid_index "$1" "$3")"
}

# add_pair_devices: the devices of the current pair (use_pair) on va and vb.
add_pair_devices() {
	add_rdma_dev "$DEV_A" va "$IP_A"
	add_rdma_dev "$DEV_B" vb "$IP_B" peer
}

# del_pair_devices: removes them again and unloads the device modules,
# which must let go (the kernel log shows any leak they complain about).
del_pair_devices() {
	must rdma link delete "$DEV_A"
	must peer rdma link delete "$DEV_B"
	for m in sfab rdma_rxe; do
		! lsmod_lists "$m" || must rmmod "$m"
	done
}
