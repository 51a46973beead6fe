#!/usr/bin/env bash
# usage: ci/kernel-tree.sh VERSION|TARGET
# Prints the path of the pristine kernel.org tree VERSION (e.g. 7.2.8, or
# the one ci/targets names for TARGET),
# extracted from Debian's linux_VERSION.orig.tar.xz (the Debian source
# version comes from ci/targets). Downloaded and extracted once into
# $SFAB_CACHE; an extraction without its completion stamp is redone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ci/kernel-tree.sh VERSION|TARGET"
ver=$1
if grep -qx "$ver" <<<"$(targets_all)"; then
	ver=$(target_field "$ver" tree)
	ver=${ver%-*}
fi
debver=$(awk -v v="$ver" '!/^#/ && index($4, v "-") == 1 { print $4; exit }' "$SFAB_TOP/ci/targets")
[ -n "$debver" ] || die "kernel.org tree $ver is not in ci/targets (column 4); add it there"

dl=$SFAB_CACHE/dl/linux-$debver
tarball=$dl/linux_$ver.orig.tar.xz
tree=$SFAB_CACHE/src/linux-$ver

if [ -f "$tree/.sfab-complete" ]; then
	echo "$tree"
	exit 0
fi
# Two steps may want the same tree at once: one extracts, the other waits.
mkdir -p "$SFAB_CACHE/src"
exec 9>"$SFAB_CACHE/src/.linux-$ver.lock"
flock 9
if [ -f "$tree/.sfab-complete" ]; then
	echo "$tree"
	exit 0
fi
if [ ! -f "$tarball" ] || ! xz -t "$tarball" 2>/dev/null; then
	"$SFAB_TOP/ci/apt-root.sh"
	log "downloading linux $debver source (kernel.org tarball)"
	rm -rf "$dl"
	mkdir -p "$dl"
	(cd "$dl" && apt_kit source --download-only --only-source "linux=$debver" >&2) ||
		die "cannot download linux=$debver from the registry; pick a version it serves in ci/targets"
	[ -f "$tarball" ] || die "linux=$debver came without $tarball"
fi
log "extracting linux $ver"
rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
tar -xf "$tarball" -C "$tree.tmp" --strip-components=1
date -u +%FT%TZ >"$tree.tmp/.sfab-complete"
mv "$tree.tmp" "$tree"
echo "$tree"
