# shellcheck shell=bash
# The guest boot that validation/run-vm.sh and validation/bench.sh share.
# Source after ci/lib.sh, with $here (validation/) and $target set.

# What a kernel says when something is wrong.
# shellcheck disable=SC2034 # used by the scripts that source this
bad_kernel_lines='WARNING:|BUG:|Oops|Call Trace|lockdep|possible circular locking|KASAN|UBSAN|kernel BUG|general protection|Kernel panic'

# The guest's root (SFAB_VM_ROOT):
# - image (the default; what make check validates): TARGET's package
#   image (validation/image.sh), a customer's machine with the kit's
#   packages installed by apt and sfab.ko built by DKMS; the distro's own
#   kernel and initramfs boot it, and the guest scripts come over 9p;
# - dev: the developer build (out/build, out/rdma-core) put onto TARGET's
#   build chroot by the validation initramfs (validation/initramfs.sh).
vm_root=${SFAB_VM_ROOT:-image}
hotfix_disks=()
case $vm_root in
image | dev) ;;
*) die "SFAB_VM_ROOT is '$vm_root'; it is image or dev" ;;
esac

# build_tools: the guest's own tools (sfab-uverbs-check, sfab-rc-peer),
# static, for any guest.
# shellcheck disable=SC2154 # $here: set by the sourcing script
build_tools() {
	local name src tools=$SFAB_OUT/vm/tools
	for name in sfab-uverbs-check sfab-rc-peer; do
		src=$here/tools/$name.c
		[ "$tools/$name" -nt "$src" ] && continue
		mkdir -p "$tools"
		gcc -static -O2 -Wall -Wextra -Werror -o "$tools/$name" "$src" ||
			die "$name does not build"
	done
}

# stage_payload DIR: the guest scripts, suites and tools in DIR/share and
# DIR/bin (busybox last in the guest's PATH, for what a minbase root
# lacks, and the kit's static test tools).
# shellcheck disable=SC2154 # $here: set by the sourcing script
stage_payload() {
	local p=$1 busybox a
	busybox=$(command -v busybox) || die "busybox is missing; run 'make deps'"
	rm -rf "$p"
	mkdir -p "$p"/{bin,share/suites}
	cp "$busybox" "$p/bin/busybox"
	for a in $("$busybox" --list); do
		[ -e "$p/bin/$a" ] || ln -s busybox "$p/bin/$a"
	done
	cp "$SFAB_OUT/vm/tools"/* "$p/bin/"
	install -m 644 "$here"/guest/{lib,hosts,clients,bench}.sh "$p/share/"
	install -m 755 "$here/guest/init" "$here/guest/badverbs.py" "$p/share/"
	cp -r "$here/guest/python" "$p/share/"
	install -m 644 "$here"/suites/*.sh "$p/share/suites/"
}

# vm_prepare: kver, kernel and initrd of $target's guest, and its root:
# the package image (built or reused) with the payload, or the chroot and
# the validation initramfs.
# shellcheck disable=SC2154 # $here and $target: set by the sourcing script
vm_prepare() {
	local img
	if [ "$vm_root" = dev ]; then
		root=$(chroot_dir "$target")
		kver=$(chroot_kernel "$target")
		kernel=$root/sfab-kernel/vmlinuz
		[ -f "$kernel" ] || die "[$target] no kernel image $kernel; rebuild the chroot: ci/chroot.sh $target"
		initrd=$SFAB_OUT/vm/$target/initramfs.cpio.gz
		"$here/initramfs.sh" "$target"
		return
	fi
	"$here/initramfs.sh" tools
	img=$("$here/image.sh" "$target" | tail -n 1)
	[ -f "$img/root.img" ] || die "[$target] validation/image.sh gave no image"
	kver=$(sed -n 's/^boot=//p' "$img/info")
	kernel=$img/vmlinuz-$kver
	initrd=$img/initrd.img-$kver
	disk=$img/root.img
	payload=$SFAB_OUT/vm/$target/payload
	stage_payload "$payload"
}

# boot ACCEL CONSOLE_LOG TAP_FILE SECONDS KERNEL_ARGS: one QEMU run of the
# target's kernel; the root is the package image (written to a throw-away
# snapshot), after the images of $hotfix_disks if set (one disk each,
# the first the root: guest/image-init's stages), or the chroot
# (read-only, under a tmpfs overlay). Exits 124 if it had to be killed.
boot() {
	local rootargs
	mkdir -p "$(dirname "$2")" "$(dirname "$3")"
	if [ "$vm_root" = dev ]; then
		rootargs=(-fsdev "local,id=sfabroot,path=$root,security_model=passthrough,readonly=on"
			-device "virtio-9p-pci,fsdev=sfabroot,mount_tag=sfabroot")
		set -- "$1" "$2" "$3" "$4" "sfab_root=dev $5"
	else
		# The hotfix stages' roots first (run-vm.sh), this build's last.
		rootargs=()
		for d in "${hotfix_disks[@]}" "$disk"; do
			rootargs+=(-drive "file=$d,if=virtio,format=raw,snapshot=on")
		done
		rootargs+=(-fsdev "local,id=sfabvm,path=$payload,security_model=none,readonly=on"
			-device "virtio-9p-pci,fsdev=sfabvm,mount_tag=sfabvm")
		set -- "$1" "$2" "$3" "$4" "root=/dev/vda rw init=/usr/lib/sfab-vm/image-init sfab_root=image $5"
	fi
	timeout -k 10 "$4" qemu-system-x86_64 -accel "$1" -cpu "$guest_cpu" -m 2048 -smp 2 \
		-nographic -no-reboot -monitor none -nic none \
		-kernel "$kernel" -initrd "$initrd" "${rootargs[@]}" \
		-append "console=ttyS0 panic=-1 oops=panic $5" \
		-serial "file:$2" -serial "file:$3" </dev/null
}

# The guest's CPU: every feature QEMU has, but ERMS. With ERMS the guest
# kernel copies with "rep movsb" (copy_to_user, memcpy) and so does glibc
# above 2 KiB, and TCG runs that one byte per iteration of a translated
# loop. Measured here on sid's kernel under TCG: a 400 MiB pipe copy
# (dd | dd) at 22.8 MB/s with ERMS and 233 MB/s without, Python's copy of
# 640 MB in 7.4 s and 1.5 s. Nothing of sfab depends on ERMS; every data
# path suite copies.
guest_cpu=max,-erms

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

