#!/usr/bin/env bash
# usage: validation/initramfs.sh TARGET|tools
# Builds out/vm/TARGET/initramfs.cpio.gz for a validation guest of TARGET.
# The guest's root is TARGET's own chroot (QEMU exports it read-only over
# virtio-9p; validation/guest/boot mounts it under a tmpfs overlay), so
# the initramfs holds only what that root lacks: busybox and kmod for the
# first stage, the kernel modules the guest loads with their dependency
# closure (sfab.ko in updates/, depmod'ed), and a payload put onto the
# root: the kit's rdma-core build (libsfab; on vendor targets the whole
# rdma-core with pyverbs, replacing the distro's rdma-core packages), the
# guest scripts, the suites and sfab-uverbs-check. Reused while its inputs
# are unchanged. "tools" builds only the guest's static tools
# (out/vm/tools), which package images get over 9p.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"
# shellcheck source=vm-lib.sh
. "$here/vm-lib.sh"

[ $# -eq 1 ] || die "usage: validation/initramfs.sh TARGET|tools"
if [ "$1" = tools ]; then
	build_tools
	exit 0
fi
target=$1
need_root "validation/initramfs.sh"
need_tool busybox cpio gzip gcc
busybox=$(command -v busybox)
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is not static; install busybox-static"
root=$(chroot_dir "$target")
kver=$(chroot_kernel "$target")
ko=$SFAB_OUT/build/$target/sfab.ko
[ -f "$ko" ] || die "[$target] no $ko; run 'ci/build.sh $target' first"
[ "$(cat "$SFAB_OUT/build/$target/kernel")" = "$kver" ] ||
	die "[$target] $ko is not built for $kver; run 'ci/build.sh $target'"

rdma_core=$SFAB_OUT/rdma-core/$target
[ -f "$rdma_core/info" ] || die "[$target] no rdma-core build in $rdma_core; run 'ci/rdma-core.sh $target' first"

out=$SFAB_OUT/vm/$target
tools=$SFAB_OUT/vm/tools
# What the first stage loads to reach the root (some are built in).
modules_boot="virtio_pci 9pnet_virtio 9p overlay"
# What the suites load; their dependencies come along.
modules_suites="sfab rdma_rxe ib_uverbs rdma_ucm ib_umad veth sch_netem nvme_rdma nvmet_rdma brd"
# Found by alias, not by dependency (rdma_rxe's "crc32" crypto hash on
# the older kernels): those of them the kernel has.
modules_optional="crc32_generic crc32_pclmul crc32_cryptoapi"
# Libraries kmod (>= 34) dlopen()s to read compressed modules.
dlopen_libs="liblzma.so.5 libzstd.so.1"
# Built inside the chroot, where its modprobe, depmod and ldd run; one
# directory per run, as runs of several targets' steps share chroots.
work=/tmp/sfab-vm.$$
stage=$work/stage
tree=$work/tree
# The payload the first stage puts onto the root.
payload=/sfab-vm
trap 'rm -rf "${root:?}$work"' EXIT

# inputs_key: a hash of everything the initramfs is made of.
inputs_key() {
	{
		echo "$root $kver $modules_boot $modules_suites $modules_optional"
		cat "$ko" "$tools"/* "$here/initramfs.sh" "$here"/suites/*.sh "$busybox"
		find "$here/guest" -type f -print0 | sort -z | xargs -0 cat
		find "$rdma_core" -type f -print0 | sort -z | xargs -0 cat
	} | sha256sum | cut -d' ' -f1
}

# make_root DIR: an empty merged-/usr root, so that /lib/modules and
# /usr/lib/modules, /bin and /usr/bin are the same whatever kmod expects.
make_root() {
	rm -rf "$1"
	mkdir -p "$1"/usr/{bin,sbin,lib,lib64}
	ln -s usr/bin "$1/bin"
	ln -s usr/sbin "$1/sbin"
	ln -s usr/lib "$1/lib"
	ln -s usr/lib64 "$1/lib64"
}

# add_modules: the closure of the modules, as the chroot's modprobe
# resolves it in a copy of the kernel's module tree that has sfab.ko in
# updates/.
add_modules() {
	local kmods=$root/sfab-kernel/lib/modules/$kver
	local smods=$root$stage/lib/modules/$kver
	local f m rel want=$modules_boot\ $modules_suites
	make_root "$root$stage"
	mkdir -p "$smods/updates"
	cp -al "$kmods/kernel" "$smods/"
	cp "$kmods"/modules.{builtin,builtin.modinfo,order} "$smods/"
	cp "$ko" "$smods/updates/"
	in_chroot "$target" depmod -b "$stage" "$kver"
	for m in $modules_optional; do
		if in_chroot "$target" modinfo -b "$stage" -k "$kver" -F filename "$m" >/dev/null 2>&1; then
			want+=" $m"
		fi
	done

	# shellcheck disable=SC2086 # the module list is meant to split
	for f in $(in_chroot "$target" modprobe -d "$stage" -S "$kver" -a \
		--show-depends $want | awk '$1 == "insmod" { print $2 }' | sort -u); do
		rel=${f#"$stage"/}
		mkdir -p "$(dirname "$root$tree/$rel")"
		cp "$root$f" "$root$tree/$rel"
		echo "module $rel"
	done
	mkdir -p "$root$tree/lib/modules/$kver"
	cp "$smods"/modules.{builtin,builtin.modinfo,order} "$root$tree/lib/modules/$kver/"
	in_chroot "$target" depmod -b "$tree" "$kver"
}

# add_kmod: the chroot's kmod with every library it needs (as the
# chroot's ldd sees it), for the first stage's modprobe.
add_kmod() {
	local kmod libs real i a
	kmod=$(in_chroot "$target" readlink -f /usr/bin/kmod)
	cp "$root$kmod" "$root$tree/usr/bin/kmod"
	for a in modprobe rmmod insmod lsmod depmod modinfo; do
		ln -s ../bin/kmod "$root$tree/usr/sbin/$a"
	done
	libs=$(in_chroot "$target" ldconfig -p | awk -v want=" $dlopen_libs " \
		'index(want, " " $1 " ") && /x86-64/ { print $NF }')
	# Symlinks in the chroot may be absolute: resolve them there.
	# shellcheck disable=SC2086 # lists of paths
	mapfile -t libs < <({
		in_chroot "$target" ldd "$kmod" $libs |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }'
		printf '%s\n' $libs
	} | sort -u)
	mapfile -t real < <(in_chroot "$target" readlink -f "${libs[@]}")
	for i in "${!libs[@]}"; do
		mkdir -p "$(dirname "$root$tree${libs[i]}")"
		cp "$root${real[i]}" "$root$tree${libs[i]}"
		echo "library ${libs[i]}"
	done
}

# distro_rdma_core_files: the files (not directories) of the chroot's
# packages built from the rdma-core source: what a vendor rdma-core
# package set replaces.
distro_rdma_core_files() {
	local f
	# shellcheck disable=SC2016 # dpkg-query formats, expanded by dpkg
	in_chroot "$target" sh -c 'dpkg-query -W -f "\${binary:Package} \${source:Package}\n" |
		awk "\$2 == \"rdma-core\" { print \$1 }" | xargs -r dpkg -L' |
		grep '^/' | sort -u | while read -r f; do
		# Not directories, nor symlinks to them (merged /usr: /lib, /sbin).
		if [ -d "$root$f" ]; then continue; fi
		if [ -L "$root$f" ] || [ -f "$root$f" ]; then echo "$f"; fi
	done
}

# add_payload: what the first stage puts onto the root.
add_payload() {
	local p=$root$tree$payload kind replaces=0
	stage_payload "$p"
	mkdir -p "$p/rdma-core"
	ln -s ../..$payload/bin/busybox "$root$tree/usr/bin/sh"

	# The kit's rdma-core: libsfab and its driver file; on vendor targets
	# also the kit's libibverbs, librdmacm, providers, tools and pyverbs
	# with rdma-core's tests, in place of the distro's.
	cp -a "$rdma_core/root/." "$p/rdma-core/"
	kind=$(sed -n 's/^kind=//p' "$rdma_core/info")
	if [ "$kind" = vendor ]; then
		distro_rdma_core_files >"$p/rdma-core.replaces"
		replaces=$(wc -l <"$p/rdma-core.replaces")
	fi
	echo "rdma-core $(tr '\n' ' ' <"$rdma_core/info")(replaces $replaces distro files)"
}

build_tools
key=$(inputs_key)
if [ -f "$out/initramfs.cpio.gz" ] && [ "$(cat "$out/initramfs.key" 2>/dev/null)" = "$key" ]; then
	log "[$target] initramfs is up to date: $out/initramfs.cpio.gz"
	exit 0
fi

start=$(date +%s)
log "[$target] building the initramfs for $kver"
mkdir -p "$out"
make_root "$root$tree"
{
	add_modules
	add_kmod
	add_payload
} >"$out/initramfs.list"
mkdir -p "$root$tree"/{dev,proc,sys,run,tmp}
# The kernel opens /dev/console for /init before devtmpfs is mounted.
mknod -m 600 "$root$tree/dev/console" c 5 1
install -m 755 "$here/guest/boot" "$root$tree/init"
(cd "$root$tree" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out/initramfs.cpio.gz.new"
mv "$out/initramfs.cpio.gz.new" "$out/initramfs.cpio.gz"
echo "$key" >"$out/initramfs.key"
log "[$target] initramfs $out/initramfs.cpio.gz ($(du -h "$out/initramfs.cpio.gz" | cut -f1)," \
	"$(grep -c '^module' "$out/initramfs.list") modules) in $(($(date +%s) - start))s"
