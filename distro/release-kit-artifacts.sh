#!/usr/bin/env bash
# usage: distro/release-kit-artifacts.sh VERSION DEST
# The target-independent artifacts of a release (x.y.z) or hotfix
# (x.y.z+hfK): the DKMS source tarball and the RPM family, made by that
# version's own tree (release_tree in ci/lib.sh) with its own
# distro/dkms-tarball.sh and distro/rpm.sh, into DEST/dkms and DEST/rpm.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

[ $# -eq 2 ] || die "usage: distro/release-kit-artifacts.sh VERSION DEST"
ver=$1 dest=$2
tree=$SFAB_CACHE/work/release-tree-$ver-kit
out=$SFAB_CACHE/work/release-out-$ver-kit
release_tree "$ver" all "$tree"
rm -rf "$out"
for s in dkms-tarball rpm; do
	log "$ver: $s (its own distro/$s.sh)"
	SFAB_VERSION=$ver SFAB_OUT=$out "$tree/distro/$s.sh" >"$out.$s.log" 2>&1 || {
		tail -n 20 "$out.$s.log" >&2
		die "$ver: its distro/$s.sh failed (log: $out.$s.log)"
	}
done
mkdir -p "$dest"
rm -rf "$dest/dkms" "$dest/rpm"
cp -r "$out/dkms" "$out/rpm" "$dest/"
rm -rf "$tree" "$out" "$out".*.log
