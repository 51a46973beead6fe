#!/usr/bin/env bash
# usage: validation/initramfs.sh TARGET
# Builds out/vm/TARGET/initramfs.cpio.gz for a validation guest of TARGET:
# busybox, the chroot's own ip, rdma, kmod, ibv_devices and ibv_devinfo
# with their libraries, the kit's rdma-core build over them (libsfab; on
# vendor targets the whole rdma-core), sfab.ko and the kernel modules the
# suites need with their dependency closure (depmod'ed), the guest /init,
# the suites and sfab-uverbs-check. Reused while its inputs are unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"

[ $# -eq 1 ] || die "usage: validation/initramfs.sh TARGET"
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
tool=$SFAB_OUT/vm/sfab-uverbs-check
# What the suites load; their dependencies come along.
modules="sfab ib_uverbs veth"
# Libraries kmod (>= 34) dlopen()s to read compressed modules.
dlopen_libs="liblzma.so.5 libzstd.so.1"
# Built inside the chroot, where its modprobe, depmod and ldd run.
stage=/tmp/sfab-vm/stage
tree=/tmp/sfab-vm/tree
trap 'rm -rf "$root/tmp/sfab-vm"' EXIT

# build_tool: sfab-uverbs-check, static, for any guest.
build_tool() {
	local src=$here/tools/sfab-uverbs-check.c
	[ "$tool" -nt "$src" ] && return
	mkdir -p "$(dirname "$tool")"
	gcc -static -O2 -Wall -Wextra -Werror -o "$tool" "$src" ||
		die "sfab-uverbs-check does not build"
}

# inputs_key: a hash of everything the initramfs is made of.
inputs_key() {
	{
		echo "$root $kver $modules"
		cat "$ko" "$tool" "$here/initramfs.sh" "$here"/guest/* "$here"/suites/*.sh "$busybox"
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

# add_modules: the closure of $modules, as the chroot's modprobe resolves it
# in a copy of the kernel's module tree that has sfab.ko in updates/.
add_modules() {
	local kmods=$root/sfab-kernel/lib/modules/$kver
	local smods=$root$stage/lib/modules/$kver
	local f rel
	make_root "$root$stage"
	mkdir -p "$smods/updates"
	cp -al "$kmods/kernel" "$smods/"
	cp "$kmods"/modules.{builtin,builtin.modinfo,order} "$smods/"
	cp "$ko" "$smods/updates/"
	in_chroot "$target" depmod -b "$stage" "$kver"

	# shellcheck disable=SC2086 # the module list is meant to split
	for f in $(in_chroot "$target" modprobe -d "$stage" -S "$kver" -a \
		--show-depends $modules | awk '$1 == "insmod" { print $2 }' | sort -u); do
		rel=${f#"$stage"/}
		mkdir -p "$(dirname "$root$tree/$rel")"
		cp "$root$f" "$root$tree/$rel"
		echo "module $rel"
	done
	mkdir -p "$root$tree/lib/modules/$kver"
	cp "$smods"/modules.{builtin,builtin.modinfo,order} "$root$tree/lib/modules/$kver/"
	in_chroot "$target" depmod -b "$tree" "$kver"
}

# add_tools: ip, rdma, kmod and the verbs tools from the chroot with every
# library they need (as the chroot's ldd sees it), the kit's rdma-core
# build over them, and busybox for everything else.
add_tools() {
	local bins libs real f a i want="ip rdma kmod ibv_devices ibv_devinfo"
	# shellcheck disable=SC2016,SC2086 # expanded inside the chroot; a list
	bins=$(in_chroot "$target" sh -c 'for t; do readlink -f "$(command -v "$t")"; done' \
		sh $want)
	[ "$(echo "$bins" | wc -w)" -eq "$(echo "$want" | wc -w)" ] ||
		die "[$target] the chroot lacks one of: $want"
	for f in $bins; do
		cp "$root$f" "$root$tree/usr/bin/"
	done
	for a in modprobe rmmod insmod lsmod depmod modinfo; do
		ln -s ../bin/kmod "$root$tree/usr/sbin/$a"
	done

	libs=$(in_chroot "$target" ldconfig -p | awk -v want=" $dlopen_libs " \
		'index(want, " " $1 " ") && /x86-64/ { print $NF }')
	# Symlinks in the chroot may be absolute: resolve them there.
	# shellcheck disable=SC2086 # lists of paths
	mapfile -t libs < <({
		in_chroot "$target" ldd $bins $libs |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }'
		printf '%s\n' $libs
	} | sort -u)
	mapfile -t real < <(in_chroot "$target" readlink -f "${libs[@]}")
	for i in "${!libs[@]}"; do
		mkdir -p "$(dirname "$root$tree${libs[i]}")"
		cp "$root${real[i]}" "$root$tree${libs[i]}"
		echo "library ${libs[i]}"
	done
	# libsfab and its driver file; on vendor targets also the kit's
	# libibverbs and tools, in place of the distro's.
	cp -a "$rdma_core/root/usr/." "$root$tree/usr/"
	mkdir -p "$root$tree/etc"
	cp -a "$rdma_core/root/etc/." "$root$tree/etc/"
	echo "rdma-core $(tr '\n' ' ' <"$rdma_core/info")"

	cp "$busybox" "$root$tree/usr/bin/busybox"
	for a in $("$busybox" --list); do
		[ -e "$root$tree/usr/bin/$a" ] || [ -e "$root$tree/usr/sbin/$a" ] ||
			ln -s busybox "$root$tree/usr/bin/$a"
	done
	cp "$tool" "$root$tree/usr/bin/"
}

# add_guest: /init, the suites and what they share.
add_guest() {
	local t=$root$tree
	mkdir -p "$t"/{dev,proc,sys,run,tmp,root,suites,usr/share/sfab-vm}
	mkdir -p "$t/var"
	ln -s ../run "$t/var/run"
	# The kernel opens /dev/console for /init before devtmpfs is mounted.
	mknod -m 600 "$t/dev/console" c 5 1
	install -m 755 "$here/guest/init" "$t/init"
	install -m 644 "$here/guest/lib.sh" "$here/guest/hosts.sh" "$t/usr/share/sfab-vm/"
	install -m 644 "$here"/suites/*.sh "$t/suites/"
}

build_tool
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
	add_tools
} >"$out/initramfs.list"
add_guest
(cd "$root$tree" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out/initramfs.cpio.gz.new"
mv "$out/initramfs.cpio.gz.new" "$out/initramfs.cpio.gz"
echo "$key" >"$out/initramfs.key"
log "[$target] initramfs $out/initramfs.cpio.gz ($(du -h "$out/initramfs.cpio.gz" | cut -f1)," \
	"$(grep -c '^module' "$out/initramfs.list") modules) in $(($(date +%s) - start))s"
