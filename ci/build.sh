#!/usr/bin/env bash
# usage: ci/build.sh TARGET
# Builds sfab.ko for TARGET inside its chroot, against its kernel headers,
# with W=1: backports/ probes the headers, applies what they select to a
# build copy, then kbuild builds it. Any compiler warning fails the build.
# Result: out/build/TARGET/{sfab.ko,src/,BACKPORTS}; a failed build leaves
# the previous result in place.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ci/build.sh TARGET"
target=$1
need_root "ci/build.sh"
root=$(chroot_dir "$target")
kver=$(chroot_kernel "$target")
kdir=/lib/modules/$kver/build

"$SFAB_TOP/backports/prepare.sh" "$root/tmp/sfab-build" "$root/tmp/sfab-probes"
echo "== probes against $kver"
in_chroot "$target" sh /tmp/sfab-probes/probe.sh /tmp/sfab-probes \
	/tmp/sfab-build/compat/sfab_autoconf.h -C "$kdir" ||
	die "[$target] the compile probes failed against $kver; see $root/tmp/sfab-probes/probe.log"
cat "$root/tmp/sfab-build/compat/sfab_autoconf.h"
"$SFAB_TOP/backports/apply.sh" "$root/tmp/sfab-build"
echo "== backports applied"
cat "$root/tmp/sfab-build/BACKPORTS"

echo "== make W=1 against $kver"
blog=$root/tmp/sfab-build.log
rc=0
in_chroot "$target" make -C "$kdir" M=/tmp/sfab-build W=1 -j"$(nproc)" modules >"$blog" 2>&1 || rc=$?
cat "$blog"
[ "$rc" -eq 0 ] || die "[$target] sfab does not build against $kver (make exit $rc)"
if grep -E 'warning:|error:' "$blog"; then
	die "[$target] the W=1 build of sfab against $kver has warnings (above); the kit allows none"
fi

dest=$SFAB_OUT/build/$target
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$root/tmp/sfab-build/sfab.ko" "$root/tmp/sfab-build/BACKPORTS" "$dest.new/"
cp -r "$root/tmp/sfab-build" "$dest.new/src"
echo "$kver" >"$dest.new/kernel"
rm -rf "$dest"
mv "$dest.new" "$dest"
echo "== $dest/sfab.ko for $kver"
