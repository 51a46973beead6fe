#!/usr/bin/env bash
# usage: ci/cut-release.sh VERSION   (make release VERSION=x.y.z)
# Cuts release VERSION (x.y.z) from HEAD: the tree must be clean and its
# VERSION file must say x.y.z. Into out/release/x.y.z/, from the release
# commit's own scripts (the way distro/release-packages.sh builds any
# release): the source tarball (git archive), every target's packages
# with their manifest and SHA256SUMS, the DKMS tarball and the RPMs, a
# changelog from git (the commits since the previous release, by
# subsystem) and SHA256SUMS over all of it. Only when all of that is
# built is the release recorded: the commit "distro: release x.y.z" adds
# "x.y.z COMMIT" to distro/releases and moves VERSION to x.(y+1).0, and
# the annotated tag vx.y.z marks the release commit. A failure records
# nothing and leaves an earlier out/release/x.y.z intact.
# For a release already recorded, it builds that release's artifacts
# again from its commit (and tags it if the tag is missing).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then die "usage: make release VERSION=x.y.z"; fi
ver=$1
case $ver in
[0-9]*.[0-9]*.[0-9]*) [[ $ver =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION=$ver: a release version is MAJOR.MINOR.PATCH" ;;
*) die "VERSION=$ver: a release version is MAJOR.MINOR.PATCH" ;;
esac
need_root "make release"
cd "$SFAB_TOP"

recorded=$(awk -v v="$ver" '!/^#/ && $1 == v { print $2 }' distro/releases)
if [ -n "$recorded" ]; then
	commit=$(release_commit "$ver")
	log "release $ver is recorded ($(git log -1 --format='%h ("%s")' "$commit")): building its artifacts again"
else
	if ! git diff --quiet HEAD -- || ! git diff --cached --quiet; then
		die "the tree has uncommitted changes: a release is a commit; commit or stash them first"
	fi
	git symbolic-ref -q HEAD >/dev/null || die "HEAD is detached: cut a release on a branch"
	[ "$(tr -d ' \n' <VERSION)" = "$ver" ] ||
		die "VERSION says $(tr -d ' \n' <VERSION), not $ver: a release is cut from a tree whose VERSION is its version; set VERSION to $ver and commit that first"
	while read -r v _; do
		case $v in '#'* | '') continue ;; esac
		dpkg --compare-versions "$ver" gt "$v" || die "$ver does not sort above release $v (distro/releases)"
	done <distro/releases
	commit=$(git rev-parse HEAD)
	export SFAB_CUTTING="$ver $commit"
	log "cutting release $ver from $(git log -1 --format='%h ("%s")' "$commit")"
fi

# The previous release: the newest recorded one below this.
prev='' prevc=''
while read -r v c; do
	case $v in '#'* | '') continue ;; esac
	dpkg --compare-versions "$v" lt "$ver" || continue
	if [ -z "$prev" ] || dpkg --compare-versions "$v" gt "$prev"; then prev=$v prevc=$c; fi
done <distro/releases

dest=$SFAB_OUT/release/$ver
new=$dest.new
rm -rf "$new"
mkdir -p "$new"
start=$(date +%s)
git archive --format=tar.gz --prefix="sfab-$ver/" -o "$new/sfab-$ver.tar.gz" "$commit"
log "release $ver: source tarball sfab-$ver.tar.gz"
for t in $(targets_selected); do
	pk=$("$SFAB_TOP/distro/release-packages.sh" "$ver" "$t")
	mkdir -p "$new/$t"
	cp "$pk"/* "$new/$t/"
done

# The DKMS tarball and the RPMs, by the release's own scripts.
"$SFAB_TOP/distro/release-kit-artifacts.sh" "$ver" "$new" ||
	die "release $ver: the DKMS tarball or the RPMs failed (above); nothing is recorded"

# The changelog: the commits since the previous release, by subsystem
# (the subject's prefix; the upstream ones first), newest first.
{
	echo "# sfab $ver"
	echo
	echo "Released from $(git log -1 --format='%H ("%s"), %cs' "$commit")."
	if [ -n "$prev" ]; then
		echo "Changes since $prev ($(git rev-parse --short=12 "$prevc")): $(git rev-list --count "$prevc..$commit") commits."
		range=$prevc..$commit
	else
		echo "The first release: every commit of the kit's history."
		range=$commit
	fi
	git log --no-merges --format='%s%x09%h' "$range" |
		awk -F'\t' '{ p = index($1, ": ") ? substr($1, 1, index($1, ": ") - 1) : "other"
			s = index($1, ": ") ? substr($1, index($1, ": ") + 2) : $1
			if (!(p in n)) order[++k] = p
			items[p, ++n[p]] = "- " s " (" $2 ")" }
			END { for (pass = 0; pass < 2; pass++) for (i = 1; i <= k; i++) { p = order[i]
				up = p ~ /^(RDMA|providers|Documentation)\//
				if (up != !pass) continue
				printf "\n## %s\n\n", p
				for (j = 1; j <= n[p]; j++) print items[p, j] } }'
} >"$new/CHANGELOG.md"
(cd "$new" && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs sha256sum >"$SFAB_CACHE/work/SHA256SUMS.$$" &&
	mv "$SFAB_CACHE/work/SHA256SUMS.$$" SHA256SUMS)
rm -rf "$dest"
mv "$new" "$dest"
log "release $ver: artifacts in out/release/$ver ($(($(date +%s) - start))s)"

if [ -z "$recorded" ]; then
	next=$(echo "$ver" | awk -F. '{ printf "%d.%d.0", $1, $2 + 1 }')
	echo "$ver $commit" >>distro/releases
	echo "$next" >VERSION
	git add distro/releases VERSION
	git commit -q -s -F - <<MSG
distro: release $ver

$ver is $(git log -1 --format='%h ("%s")' "$commit"), tagged v$ver.
VERSION moves to $next, so snapshots from here on sort after $ver.
MSG
	log "release $ver recorded in distro/releases; VERSION is now $next"
fi
if ! git rev-parse -q --verify "refs/tags/v$ver" >/dev/null; then
	git tag -a "v$ver" -m "sfab $ver" "$commit"
	log "tagged v$ver at $(git rev-parse --short=12 "$commit")"
fi
echo "out/release/$ver:"
(cd "$dest" && find . -maxdepth 2 -type f -printf '  %P\n' | LC_ALL=C sort)
