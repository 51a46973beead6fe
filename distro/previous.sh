#!/usr/bin/env bash
# usage: distro/previous.sh TARGET
# The packages of the previous release for TARGET, for the upgrade
# scenario of validation/image.sh: the newest release in distro/releases
# older than this tree's version, built from its own commit with its own
# scripts (git worktree; SFAB_VERSION set to the release's version) and
# cached in $SFAB_CACHE/releases/VERSION/TARGET/. Prints that directory;
# prints nothing if there is no earlier release.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

[ $# -eq 1 ] || die "usage: distro/previous.sh TARGET"
target=$1
current=$("$SFAB_TOP/ci/version.sh")
prev='' commit=''
while read -r v c; do
	case $v in '#'* | '') continue ;; esac
	dpkg --compare-versions "$v" lt "$current" || continue
	if [ -z "$prev" ] || dpkg --compare-versions "$v" gt "$prev"; then
		prev=$v commit=$c
	fi
done <"$SFAB_TOP/distro/releases"
[ -n "$prev" ] || exit 0

dest=$SFAB_CACHE/releases/$prev/$target
if [ -f "$dest/.sfab-complete" ]; then
	echo "$dest"
	exit 0
fi
git -C "$SFAB_TOP" cat-file -e "$commit^{commit}" 2>/dev/null ||
	die "release $prev names commit $commit, which this clone does not have (a shallow clone?); fetch the history"
log "[$target] building release $prev from $commit (for the upgrade scenario)"
tree=$SFAB_CACHE/work/release-$prev
out=$SFAB_CACHE/work/release-$prev-out
git -C "$SFAB_TOP" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
git -C "$SFAB_TOP" worktree prune
git -C "$SFAB_TOP" worktree add --detach "$tree" "$commit" >/dev/null 2>&1 ||
	die "cannot check out release $prev ($commit) into $tree"
rm -rf "$out"
rc=0
SFAB_VERSION=$prev SFAB_OUT=$out "$tree/distro/package.sh" "$target" >"$out.log" 2>&1 || rc=$?
git -C "$SFAB_TOP" worktree remove --force "$tree" || true
if [ "$rc" -ne 0 ]; then
	tail -n 20 "$out.log" >&2
	die "[$target] building the packages of release $prev failed (log: $out.log)"
fi
rm -rf "$dest"
mkdir -p "$dest"
cp "$out/$target"/*.deb "$out/$target/manifest" "$dest/"
date -u +%FT%TZ >"$dest/.sfab-complete"
rm -rf "$out"
echo "$dest"
