#!/usr/bin/env bash
# usage: distro/release-packages.sh VERSION TARGET
# The packages of a release (x.y.z, distro/releases) or of a hotfix of it
# (x.y.z+hfK: the first K patches of hotfix/x.y.z/series) for TARGET,
# built the way that release was: its own tree (release_tree in
# ci/lib.sh: the release commit's files, plus the hotfix patches) with its
# own distro/package.sh, SFAB_VERSION=VERSION, in TARGET's chroot. So a
# hotfix changes nothing but what its patches change, and its version,
# VERSION-1 in Debian's syntax, sorts after the release's x.y.z-1 and
# before the next release and every snapshot towards it (x.y.(z+1)~devN).
# Cached in $SFAB_CACHE/releases/VERSION/TARGET/ (the packages, their
# manifest and SHA256SUMS), rebuilt when the release commit or the
# patches change. Prints that directory.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

[ $# -eq 2 ] || die "usage: distro/release-packages.sh VERSION TARGET"
ver=$1 target=$2
rel=${ver%%+hf*}
case $ver in
[0-9]*.[0-9]*.[0-9]* | [0-9]*.[0-9]*.[0-9]*+hf[1-9]*) ;;
*) die "'$ver' is no release (x.y.z) or hotfix (x.y.z+hfK) version" ;;
esac
target_field "$target" suite >/dev/null
commit=$(release_commit "$rel")
patches=() what=''
case $ver in
*+hf*)
	mapfile -t patches < <(hotfix_patches "$rel" "$target" "${ver##*+hf}")
	what=" with ${#patches[@]} hotfix patches"
	;;
esac
key=$({
	echo "$commit"
	[ "${#patches[@]}" -eq 0 ] || cat "${patches[@]}"
} | sha256sum | cut -c1-16)

dest=$SFAB_CACHE/releases/$ver/$target
# A target's image (the package upgrade) and its hotfix image may want
# the same packages at once: one builds them, the other waits.
mkdir -p "$SFAB_CACHE/releases/$ver"
exec 6>"$SFAB_CACHE/releases/$ver/.$target.lock"
flock 6
if [ -f "$dest/.sfab-complete" ] && [ "$(cat "$dest/.sfab-key" 2>/dev/null)" = "$key" ]; then
	cache_note reused release-packages "$ver/$target/$key"
	echo "$dest"
	exit 0
fi
tree=$SFAB_CACHE/work/release-tree-$ver-$target
out=$SFAB_CACHE/work/release-out-$ver-$target
log "[$target] building $ver from $(git -C "$SFAB_TOP" log -1 --format='%h ("%s")' "$commit")$what (its own scripts)"
release_tree "$ver" "$target" "$tree"
# The release's scripts use the chroot's work paths as this build's do.
chroot_lock "$target"
rm -rf "$out"
rc=0
SFAB_VERSION=$ver SFAB_OUT=$out "$tree/distro/package.sh" "$target" >"$out.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 20 "$out.log" >&2
	die "[$target] building the packages of $ver failed (log: $out.log; tree: $tree); the previous ones in $dest are kept"
fi
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$out/$target"/* "$dest.new/"
echo "$key" >"$dest.new/.sfab-key"
date -u +%FT%TZ >"$dest.new/.sfab-complete"
rm -rf "$dest" "$out" "$out.log" "$tree"
mv "$dest.new" "$dest"
cache_note built release-packages "$ver/$target/$key"
log "[$target] $ver: $(grep -vc '^#' "$dest/manifest") packages in $dest"
echo "$dest"
