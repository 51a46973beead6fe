# shellcheck shell=bash
# The guest boot that validation/run-vm.sh and validation/bench.sh share.
# Source after ci/lib.sh, with $here (validation/) and $target set.

# What a kernel says when something is wrong.
# shellcheck disable=SC2034 # used by the scripts that source this
bad_kernel_lines='WARNING:|BUG:|Oops|Call Trace|lockdep|possible circular locking|KASAN|UBSAN|kernel BUG|general protection|Kernel panic'

# vm_prepare: root, kver, kernel and initrd of $target's guest, the
# initramfs built or reused.
# shellcheck disable=SC2154 # $here and $target: set by the sourcing script
vm_prepare() {
	root=$(chroot_dir "$target")
	kver=$(chroot_kernel "$target")
	kernel=$root/sfab-kernel/vmlinuz
	[ -f "$kernel" ] || die "[$target] no kernel image $kernel; rebuild the chroot: ci/chroot.sh $target"
	initrd=$SFAB_OUT/vm/$target/initramfs.cpio.gz
	"$here/initramfs.sh" "$target"
}

# boot ACCEL CONSOLE_LOG TAP_FILE SECONDS KERNEL_ARGS: one QEMU run of the
# target's kernel with its chroot as the root (read-only); exits 124 if it
# had to be killed.
boot() {
	mkdir -p "$(dirname "$2")" "$(dirname "$3")"
	timeout -k 10 "$4" qemu-system-x86_64 -accel "$1" -cpu max -m 2048 -smp 2 \
		-nographic -no-reboot -monitor none -nic none \
		-kernel "$kernel" -initrd "$initrd" \
		-fsdev "local,id=sfabroot,path=$root,security_model=passthrough,readonly=on" \
		-device virtio-9p-pci,fsdev=sfabroot,mount_tag=sfabroot \
		-append "console=ttyS0 panic=-1 oops=panic $5" \
		-serial "file:$2" -serial "file:$3" </dev/null
}

# TCG runs single-threaded: multi-threaded TCG races with the guest
# kernel's own text patching (int3-based static keys), which showed as an
# "Oops: int3" in sched_clock_cpu at boot on 7.2, before any test. It
# costs about a second per run here.
tcg="tcg,thread=single"

# pick_accel: kvm if a probe guest under KVM reached userspace on this host
# and QEMU, else tcg. KVM here may hang guests (PVM hosts), so it is tried
# once per host kernel and QEMU version, and the verdict cached.
pick_accel() {
	local qv verdict probe
	if [ -n "${SFAB_VM_ACCEL:-}" ]; then
		echo "$SFAB_VM_ACCEL"
		return
	fi
	[ -e /dev/kvm ] || { echo "$tcg" && return; }
	qv=$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')
	verdict=$SFAB_CACHE/vm/kvm-probe-$(uname -r)-qemu-$qv
	if [ ! -f "$verdict" ]; then
		log "[$target] vm: probing KVM on this host (once; up to 30s)"
		mkdir -p "$(dirname "$verdict")"
		probe=$SFAB_OUT/logs/$target/vm-kvm-probe
		boot kvm "$probe-console.log" "$probe.tap" 30 sfab_probe=1 >"$probe-qemu.log" 2>&1 || true
		if grep -q 'sfab-vm: userspace reached' "$probe-console.log"; then
			echo kvm >"$verdict"
		else
			echo tcg >"$verdict"
		fi
	fi
	if [ "$(cat "$verdict")" = kvm ]; then echo kvm; else echo "$tcg"; fi
}

