#!/usr/bin/env bash
# usage: ci/build.sh TARGET
# Builds sfab.ko for TARGET inside its chroot, against its kernel headers,
# with W=1, from the one source DKMS packages ship (backports/
# gen-source.sh): its configure-kernel probes the headers, then kbuild
# builds. Any compiler warning fails the build. The merged source must
# come out, for this kernel's probe answers, exactly as the Coccinelle
# backports make it (backports/apply.sh, checked with unifdef).
# Result: out/build/TARGET/{sfab.ko,src/,BACKPORTS,kernel}; a failed build
# leaves the previous result in place. With SFAB_SIGN_KEY and
# SFAB_SIGN_CERT set (PEM files), sfab.ko is stripped of debug info and
# signed with them (scripts/sign-file of that kernel).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ci/build.sh TARGET"
target=$1
need_root "ci/build.sh"
need_tool unifdef
root=$(chroot_dir "$target")
chroot_lock "$target"
kver=$(chroot_kernel "$target")
kdir=/lib/modules/$kver/build
src=$root/tmp/sfab-build

"$SFAB_TOP/backports/gen-source.sh" "$src"
echo "== probes against $kver"
in_chroot "$target" /tmp/sfab-build/configure-kernel "$kdir" ||
	die "[$target] the compile probes failed against $kver; see $src/probes/probe.log"
cat "$src/compat/sfab_autoconf.h"
echo "== backports for $kver"
cat "$src/BACKPORTS"

echo "== the merged source against the Coccinelle backports"
ref=$root/tmp/sfab-build-ref
"$SFAB_TOP/backports/prepare.sh" "$ref" "$ref.probes"
"$SFAB_TOP/backports/apply.sh" "$ref" "$src/compat/sfab_autoconf.h"
defs=$(sed -n 's|^#define \(HAVE_[A-Z0-9_]*\) 1$|-D\1|p; s|^/\* #undef \(HAVE_[A-Z0-9_]*\) \*/$|-U\1|p' \
	"$src/compat/sfab_autoconf.h")
for f in "$ref"/*.[ch]; do
	rc=0
	# shellcheck disable=SC2086 # one option per probe
	unifdef $defs "$src/$(basename "$f")" >"$ref.unifdef" || rc=$?
	[ "$rc" -le 1 ] || die "[$target] unifdef failed on $(basename "$f")"
	diff -u "$f" "$ref.unifdef" ||
		die "[$target] the merged $(basename "$f") differs (above) from the Coccinelle backports for $kver; fix backports/ifdef-merge.py or the patch"
done
rm -rf "$ref" "$ref.probes" "$ref.unifdef"

echo "== make W=1 against $kver"
blog=$root/tmp/sfab-build.log
rc=0
in_chroot "$target" make -C "$kdir" M=/tmp/sfab-build W=1 -j"$(nproc)" modules >"$blog" 2>&1 || rc=$?
cat "$blog"
[ "$rc" -eq 0 ] || die "[$target] sfab does not build against $kver (make exit $rc)"
if grep -E 'warning:|error:' "$blog"; then
	die "[$target] the W=1 build of sfab against $kver has warnings (above); the kit allows none"
fi
if [ -n "${SFAB_SIGN_KEY:-}" ] || [ -n "${SFAB_SIGN_CERT:-}" ]; then
	"$SFAB_TOP/ci/sign.sh" "$target" "$src/sfab.ko"
fi

dest=$SFAB_OUT/build/$target
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$src/sfab.ko" "$src/BACKPORTS" "$dest.new/"
cp -r "$src" "$dest.new/src"
echo "$kver" >"$dest.new/kernel"
rm -rf "$dest"
mv "$dest.new" "$dest"
echo "== $dest/sfab.ko ($(in_chroot "$target" /sbin/modinfo -F version /tmp/sfab-build/sfab.ko)) for $kver"
