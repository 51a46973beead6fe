#!/usr/bin/env bash
# usage: distro/deb.sh TARGET
# Builds the kit's own Debian packages for TARGET with dpkg-buildpackage
# in TARGET's chroot (its compiler, its debhelper and dh_dkms): sfab-dkms
# (the DKMS source from backports/gen-source.sh and distro/dkms/dkms.conf.in)
# and sfab-diag (diag/sfabdiag). Then lintian: any error or warning that
# is not overridden (distro/debian/sfab/*.lintian-overrides, each with its
# reason) fails. Result in out/pkg/TARGET/sfab/ (the .debs, .changes,
# lintian.txt); a failed build leaves the previous result in place.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

[ $# -eq 1 ] || die "usage: distro/deb.sh TARGET"
target=$1
suite=$(target_field "$target" suite)
need_root "distro/deb.sh"
need_tool lintian
root=$(chroot_dir "$target")
version=$("$SFAB_TOP/ci/version.sh")
debver=$("$SFAB_TOP/ci/version.sh" deb)
[ -f "$SFAB_TOP/diag/sfabdiag/Makefile" ] || die "diag/sfabdiag is missing; the sfab-diag package needs it"

work=$root/tmp/sfab-deb
src=$work/sfab-$version
rm -rf "$work"
mkdir -p "$src/diag"
"$SFAB_TOP/backports/gen-source.sh" "$src/dkms"
cp -a "$SFAB_TOP/diag/sfabdiag" "$src/diag/"
make -s -C "$src/diag/sfabdiag" clean >/dev/null
cp -a "$SFAB_TOP/distro/debian/sfab" "$src/debian"
cp "$SFAB_TOP/distro/dkms/dkms.conf.in" "$src/debian/sfab-dkms.dkms"
maint="$(git -C "$SFAB_TOP" config user.name 2>/dev/null || echo "sfab release kit") <$(git -C "$SFAB_TOP" config user.email 2>/dev/null || echo root@localhost)>"
sed -i "s|@MAINTAINER@|$maint|" "$src/debian/control"
if git -C "$SFAB_TOP" rev-parse HEAD >/dev/null 2>&1; then
	what="Built from the kit at $(git -C "$SFAB_TOP" rev-parse --short=12 HEAD)."
	when=$(git -C "$SFAB_TOP" log -1 --format=%cD)
else
	what="Built from an exported kit tree." when=$(date -R)
fi
cat >"$src/debian/changelog" <<CL
sfab ($debver) $suite; urgency=medium

  * sfab $version for $suite.
  * $what

 -- $maint  $when
CL

log "[$target] dpkg-buildpackage sfab $debver"
blog=$work/build.log
rc=0
# shellcheck disable=SC2016 # expanded in the chroot
in_chroot "$target" sh -c 'cd "$1" &&
	DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends satisfy \
		"$(sed -n "s/^Build-Depends: //p" debian/control)" &&
	DEB_BUILD_OPTIONS="parallel=2" dpkg-buildpackage -b -uc -us' \
	sh "/tmp/sfab-deb/sfab-$version" >"$blog" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || {
	tail -n 30 "$blog" >&2
	die "[$target] dpkg-buildpackage of sfab failed (log: $blog)"
}
changes=$work/sfab_${debver#*:}_amd64.changes
[ -f "$changes" ] || die "[$target] the build wrote no $(basename "$changes")"

rc=0
lintian --info --fail-on error,warning "$changes" >"$work/lintian.txt" 2>&1 || rc=$?
cat "$work/lintian.txt"
[ "$rc" -eq 0 ] || die "[$target] lintian found errors or warnings in sfab's packages (above); fix them or override each with a reason in distro/debian/sfab/"

dest=$SFAB_OUT/pkg/$target/sfab
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$work"/*.deb "$changes" "$work/lintian.txt" "$dest.new/"
rm -rf "$dest"
mv "$dest.new" "$dest"
log "[$target] $(find "$dest" -name '*.deb' -printf '%f ')in out/pkg/$target/sfab; lintian: $(grep -c '^[EW]:' "$dest/lintian.txt" || true) errors/warnings"
