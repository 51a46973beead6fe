# shellcheck shell=sh
# Suite "nvmeof": a kernel RDMA user on the device. An NVMe over Fabrics
# target (nvmet-rdma, with a brd RAM disk as its namespace) and host
# (nvme-rdma) connect through rdma_cm on va's address. Both are kernel
# ULPs and live in the init netns, so the traffic goes from the device to
# itself (sfab delivers to a local address without lo). nvme-rdma
# registers its I/O buffers by fast registration (REG_MR work requests,
# invalidated by LOCAL_INV or SEND_WITH_INV) and the target moves the data
# with RDMA READ and WRITE. Data written through /dev/nvmeXnY at several
# I/O sizes must read back the same, through the host and on the RAM disk
# itself; then the host disconnects and every module unloads. At full
# depth the device is deleted instead while the host is still connected:
# nvme-rdma must drop its controller and every module unload all the
# same. The device is the first pair's device on va (sfab, or rxe with
# sfab_dev=rxe). Runs in the guest; TAP on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

nqn=nqn.2026-11.invalid.sfab:nvmeof-suite
cfs=/sys/kernel/config/nvmet
port=4420
ram=/dev/ram0
# The RAM disk's size, and "I/O size:MiB moved" runs.
mib=64
if [ "$DEPTH" = full ]; then
	runs="4k:8 64k:32 1M:64"
else
	runs="4k:4 1M:16"
fi

target_up() {
	must modprobe brd rd_nr=1 rd_size=$((mib * 1024))
	must modprobe nvmet
	must modprobe nvmet-rdma
	grep -q ' /sys/kernel/config ' /proc/mounts ||
		must mount -t configfs configfs /sys/kernel/config
	s=$cfs/subsystems/$nqn
	must mkdir "$s"
	echo 1 >"$s/attr_allow_any_host" || fail "cannot allow any host on $s"
	must mkdir "$s/namespaces/1"
	echo "$ram" >"$s/namespaces/1/device_path" || fail "cannot set $ram as the namespace's device"
	echo 1 >"$s/namespaces/1/enable" || fail "cannot enable namespace 1 of $nqn"
	p=$cfs/ports/1
	must mkdir "$p"
	echo rdma >"$p/addr_trtype"
	echo ipv4 >"$p/addr_adrfam"
	echo "$IP_A" >"$p/addr_traddr"
	echo "$port" >"$p/addr_trsvcid"
	must ln -s "$s" "$p/subsystems/$nqn"
	wait_for cm_port_listening || fail "nvmet-rdma does not listen on $IP_A:$port (rdma resource show cm_id: $(rdma resource show cm_id))"
	echo "nvmet: $nqn on rdma $IP_A:$port, namespace 1 = $ram ($mib MiB)"
}

cm_port_listening() { rdma resource show cm_id | grep -q "state LISTEN.*src-addr $IP_A:$port"; }

# ctrl: the host's controller for $nqn (nvmeN), if connected.
ctrl() {
	for c in /sys/class/nvme/nvme*; do
		[ -e "$c/subsysnqn" ] || continue
		[ "$(cat "$c/subsysnqn")" = "$nqn" ] || continue
		[ "$(cat "$c/transport")" = rdma ] || continue
		echo "${c##*/}"
		return 0
	done
	return 1
}

# disk: the host's block device of $nqn (nvmeXnY; with native multipath
# the subsystem's, whose device is the subsystem).
disk() {
	for b in /sys/block/nvme*; do
		n=${b##*/}
		[ -b "/dev/$n" ] || continue
		[ "$(cat "$b/device/subsysnqn" 2>/dev/null)" = "$nqn" ] || continue
		echo "/dev/$n"
		return 0
	done
	return 1
}

host_connect() {
	must modprobe nvme-rdma
	[ -c /dev/nvme-fabrics ] || fail "no /dev/nvme-fabrics after modprobe nvme-rdma"
	echo "transport=rdma,traddr=$IP_A,trsvcid=$port,nqn=$nqn" >/dev/nvme-fabrics ||
		fail "the connect through /dev/nvme-fabrics failed; kernel log: $(dmesg | grep -i nvme | tail -n 5)"
	wait_for disk || fail "connected, but no block device for $nqn; kernel log: $(dmesg | grep -i nvme | tail -n 5)"
	c=$(ctrl)
	echo "$c: $(cat "/sys/class/nvme/$c/transport") $(cat "/sys/class/nvme/$c/address"), state $(cat "/sys/class/nvme/$c/state"), disk $(disk) of $(($(cat "/sys/block/$(basename "$(disk)")/size") / 2048)) MiB"
}

# io BS MIB: MIB MiB of random data written through the host's disk with
# direct I/O in blocks of BS, read back the same way and from the RAM
# disk; all three must match.
io() {
	d=$(disk) || fail "no disk"
	must dd if=/dev/urandom of=/tmp/pattern bs=1M count="$2" status=none
	must dd if=/tmp/pattern of="$d" bs="$1" oflag=direct status=none
	must dd if="$d" of=/tmp/readback bs="$1" iflag=direct,count_bytes count="${2}M" status=none
	cmp -s /tmp/pattern /tmp/readback || fail "bs=$1: what was read back through $d differs from what was written"
	must dd if="$ram" of=/tmp/ondisk bs=1M iflag=direct count="$2" status=none
	cmp -s /tmp/pattern /tmp/ondisk || fail "bs=$1: the RAM disk behind the target does not hold what was written"
	echo "bs=$1: $2 MiB written and read back through $d, and found on $ram"
}

counted() {
	v=$(rdma statistic show link "$DEV_A/1" 2>/dev/null | tr ' ' '\n' | awk 'f { print; exit } $0 == "sent_pkts" { f = 1 }')
	case $DEV_A in
	sfab*) [ "${v:-0}" -gt 0 ] || fail "$DEV_A counted no packet sent" ;;
	esac
	echo "$DEV_A sent_pkts ${v:-n/a}"
}

host_disconnect() {
	c=$(ctrl) || fail "no controller to disconnect"
	echo 1 >"/sys/class/nvme/$c/delete_controller" || fail "cannot delete $c"
	wait_for not ctrl || fail "$c is still there after delete_controller"
	must rmmod nvme_rdma
}

not() { ! "$@"; }

target_down() {
	must rm "$cfs/ports/1/subsystems/$nqn"
	must rmdir "$cfs/ports/1"
	echo 0 >"$cfs/subsystems/$nqn/namespaces/1/enable"
	must rmdir "$cfs/subsystems/$nqn/namespaces/1"
	must rmdir "$cfs/subsystems/$nqn"
	must rmmod nvmet_rdma
	must rmmod nvmet
	must rmmod brd
}

# del_device_in_use: rdma link delete while nvme-rdma and nvmet-rdma use
# the device; their clients let go of it and the host's controller goes.
del_device_in_use() {
	c=$(ctrl) || fail "no controller before the delete"
	must rdma link delete "$DEV_A"
	wait_for not ctrl || fail "$c is still there ($(cat "/sys/class/nvme/$c/state" 2>/dev/null)) after its device was deleted"
	[ ! -e "/sys/class/infiniband/$DEV_A" ] || fail "$DEV_A is still in /sys/class/infiniband"
	echo "$DEV_A deleted under a connected host: $c removed"
	must rmmod nvme_rdma
	unload_dev_module
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
use_pair "$(dev_pairs | cut -d' ' -f1)"
t "$DEV_A on va: port ACTIVE, RoCE v2 GID" add_device
t "NVMe-oF target: nvmet-rdma on $IP_A:$port, a $mib MiB RAM disk as namespace 1" target_up
t "NVMe-oF host: nvme-rdma connects, the namespace's block device appears" host_connect
for r in $runs; do
	t "direct I/O, ${r#*:} MiB in blocks of ${r%%:*}, through nvme-rdma: read back and on the RAM disk, the same" io "${r%%:*}" "${r#*:}"
done
t "$DEV_A carried it" counted
if [ "$DEPTH" = full ]; then
	t "rdma link delete $DEV_A while connected: the host's controller goes, nvme_rdma and the device module unload" del_device_in_use
	t "the target goes, nvmet_rdma, nvmet and brd unload" target_down
else
	t "the host disconnects, nvme_rdma unloads" host_disconnect
	t "the target goes, nvmet_rdma, nvmet and brd unload" target_down
	t "rdma link delete $DEV_A, its module unloads" del_device
fi
teardown_hosts
done_testing
