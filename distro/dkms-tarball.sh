#!/usr/bin/env bash
# usage: distro/dkms-tarball.sh
# The DKMS source tarball, for any distro with DKMS: out/dkms/
# sfab-VERSION-source-only.dkms.tar.gz, made by dkms mktarball from the
# generated source (backports/gen-source.sh) and dkms.conf, and loaded
# back with dkms ldtarball into a scratch DKMS tree to prove it loads.
# Install it with: dkms ldtarball FILE && dkms install -m sfab -v VERSION
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

need_tool dkms
version=$("$SFAB_TOP/ci/version.sh")
work=$(mktemp -d "${TMPDIR:-/tmp}/sfab-dkms.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/src/sfab-$version
"$SFAB_TOP/backports/gen-source.sh" "$src"
sed "s/#MODULE_VERSION#/$version/" "$SFAB_TOP/distro/dkms/dkms.conf.in" >"$src/dkms.conf"
mkdir -p "$work/tree" "$work/archive"
opts=(--dkmstree "$work/tree" --sourcetree "$work/src")
if ! dkms add -m sfab -v "$version" "${opts[@]}" >"$work/dkms.log" 2>&1 ||
	! dkms mktarball -m sfab -v "$version" --source-only --archive "sfab-$version-source-only.dkms.tar.gz" \
		"${opts[@]}" >>"$work/dkms.log" 2>&1; then
	cat "$work/dkms.log" >&2
	die "dkms could not make the source tarball (above)"
fi
tarball=$(find "$work/tree" -name "sfab-$version-source-only.dkms.tar.gz" | head -n 1)
[ -n "$tarball" ] || die "dkms mktarball wrote no tarball (log above)"
mkdir -p "$work/check/tree" "$work/check/src"
dkms ldtarball "$tarball" --dkmstree "$work/check/tree" --sourcetree "$work/check/src" >"$work/ld.log" 2>&1 || {
	cat "$work/ld.log" >&2
	die "dkms ldtarball cannot load the tarball it made"
}
[ -f "$work/check/src/sfab-$version/dkms.conf" ] || die "dkms ldtarball gave no sfab-$version source"
dest=$SFAB_OUT/dkms
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$tarball" "$dest.new/"
(cd "$dest.new" && sha256sum -- *.tar.gz >SHA256SUMS)
rm -rf "$dest"
mv "$dest.new" "$dest"
log "out/dkms/$(basename "$tarball") (dkms ldtarball loads it)"
