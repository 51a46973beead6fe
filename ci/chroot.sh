#!/usr/bin/env bash
# usage: ci/chroot.sh TARGET
# Builds (or reuses) TARGET's debootstrap chroot: its own compiler, kernel
# headers, and its kernel image and modules extracted under /sfab-kernel for
# booting. Cached in $SFAB_CACHE/chroots/<suite>-<headers version>-<hash>;
# a chroot without its completion stamp is a half-built one and is rebuilt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ci/chroot.sh TARGET"
target=$1
suite=$(target_field "$target" suite)
need_root "ci/chroot.sh"
need_tool debootstrap chroot

"$SFAB_TOP/ci/apt-root.sh"
headers=$(apt_cache_kit madison linux-headers-amd64 |
	awk -F' *[|] *' -v s="$suite/main" 'index($3, " " s " ") && !n++ { print $2 }')
[ -n "$headers" ] || die "[$target] suite '$suite' serves no linux-headers-amd64; is the suite name right in ci/targets?"
pkgs=$(grep -v '^#' "$SFAB_TOP/ci/chroot-packages" | xargs)
# Raise when what this script puts into a chroot changes: old chroots are
# then rebuilt rather than reused.
layout=1
hash=$(printf '%s\n' "$layout" "$pkgs" | sha256sum | cut -c1-8)
key=$suite-$headers-$hash
root=$SFAB_CACHE/chroots
dir=$root/$key
mkdir -p "$root"

complete() {
	local k
	[ -f "$1/.sfab-complete" ] && [ -x "$1/usr/bin/gcc" ] || return 1
	k=$(cat "$1/.sfab-kernel" 2>/dev/null) || return 1
	[ -f "$1/sfab-kernel/vmlinuz" ] && [ -d "$1/sfab-kernel/lib/modules/$k/kernel" ] &&
		chroot "$1" test -f "/lib/modules/$k/build/Makefile"
}

if complete "$dir"; then
	ln -sfn "$key" "$root/$target.current"
	log "[$target] chroot $key is cached"
	cache_note reused chroot "$key"
	exit 0
fi
if [ -e "$dir" ]; then
	log "[$target] chroot $key is incomplete or damaged; rebuilding it"
	rm -rf "$dir"
fi

tmp=$dir.tmp
rm -rf "$tmp"
cleanup() {
	umount "$tmp/proc" 2>/dev/null || true
}
trap cleanup EXIT

log "[$target] debootstrap $suite (minbase)"
debootstrap_root "$tmp" "$suite" "$tmp.log"
rm -f "$tmp.log"
mount -t proc proc "$tmp/proc"

inside() {
	chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

log "[$target] installing $pkgs"
inside apt-get -q update
# shellcheck disable=SC2086 # the package list is meant to split
inside apt-get -q install -y --no-install-recommends $pkgs

# The kernel the headers are for, and its image and modules for booting.
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
kver=$(inside dpkg-query -W -f '${Depends}' linux-headers-amd64 |
	sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
[ -n "$kver" ] || die "[$target] cannot tell which kernel linux-headers-amd64 is for"
if inside apt-cache show "linux-image-$kver-unsigned" >/dev/null 2>&1; then
	kpkgs="linux-image-$kver-unsigned"
else
	kpkgs="linux-binary-$kver linux-modules-$kver"
fi
log "[$target] extracting $kpkgs for kernel $kver"
# shellcheck disable=SC2086
inside sh -c "mkdir -p /var/tmp/k && cd /var/tmp/k && apt-get -q download $kpkgs &&
	for d in *.deb; do dpkg -x \"\$d\" /sfab-kernel; done && rm -rf /var/tmp/k"
# Debian moved modules to /usr/lib/modules on newer suites: give both
# layouts one path, then index the extracted modules.
if [ -d "$tmp/sfab-kernel/usr/lib/modules" ] && [ ! -e "$tmp/sfab-kernel/lib" ]; then
	ln -s usr/lib "$tmp/sfab-kernel/lib"
fi
for v in "boot/vmlinuz-$kver" "usr/lib/modules/$kver/vmlinuz"; do
	if [ -f "$tmp/sfab-kernel/$v" ]; then
		ln -sf "$v" "$tmp/sfab-kernel/vmlinuz"
		break
	fi
done
# Split kernel packages leave the builtin-module lists to the headers.
for f in modules.order modules.builtin modules.builtin.modinfo; do
	m=$tmp/sfab-kernel/lib/modules/$kver
	[ -f "$m/$f" ] || [ ! -f "$tmp/lib/modules/$kver/$f" ] || cp "$tmp/lib/modules/$kver/$f" "$m/"
done
inside depmod -b /sfab-kernel "$kver"
inside apt-get -q clean

echo "$kver" >"$tmp/.sfab-kernel"
printf 'suite=%s\nheaders=%s\nkernel=%s\npackages=%s\ndate=%s\n' \
	"$suite" "$headers" "$kver" "$pkgs" "$(date -u +%FT%TZ)" >"$tmp/.sfab-complete"
umount "$tmp/proc"
complete "$tmp" || die "[$target] chroot build finished but is not complete (no gcc, headers, vmlinuz or modules for $kver)"
mv "$tmp" "$dir"
ln -sfn "$key" "$root/$target.current"
# Drop older chroots of this suite: the new one replaces them.
find "$root" -maxdepth 1 -name "$suite-*" ! -name "$key" -exec rm -rf {} +
log "[$target] chroot $key ready (kernel $kver)"
cache_note built chroot "$key"
