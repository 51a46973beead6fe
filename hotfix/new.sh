#!/usr/bin/env bash
# usage: hotfix/new.sh RELEASE COMMIT [TARGET...]
# Carries the upstream commit COMMIT (a commit of this history that
# changes upstream/ only) to release RELEASE as the next patch of its
# hotfix queue: hotfix/RELEASE/NNNN-<subject>.patch, the commit as
# git format-patch writes it, with the trailers the queue requires:
#   Upstream-commit: <the full id of COMMIT>
#   Targets: all | TARGET... (the targets whose hotfix build applies it)
# (Fixes: comes from the commit itself: a hotfix carries a fix), and its
# name appended to hotfix/RELEASE/series. The patch must apply to the
# release with the queue's earlier patches; when it does not, backport it
# by hand in the file, keeping its change (hotfix/check.sh compares the
# lines it adds and removes with the commit's).
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

usage="usage: hotfix/new.sh RELEASE COMMIT [TARGET...]"
[ $# -ge 2 ] || die "$usage"
rel=$1 commit=$2
shift 2
release_commit "$rel" >/dev/null
full=$(git -C "$SFAB_TOP" rev-parse --verify -q "$commit^{commit}") ||
	die "'$commit' is no commit of this history: a hotfix carries an upstream commit, so land the fix in upstream/ first"
targets=${*:-all}
for t in $targets; do
	[ "$t" = all ] || target_field "$t" suite >/dev/null
done
others=$(git -C "$SFAB_TOP" diff-tree --no-commit-id --name-only -r "$full" | grep -v '^upstream/' || true)
[ -z "$others" ] || die "commit $full changes files outside upstream/ ($(echo "$others" | tr '\n' ' ')): a hotfix carries upstream commits only"
for p in $(hotfix_patches "$rel"); do
	[ "$(hotfix_header "$p" Upstream-commit)" != "$full" ] ||
		die "hotfix/$rel/$(basename "$p") already carries $full"
done

dir=$SFAB_TOP/hotfix/$rel
mkdir -p "$dir"
n=$(printf '%04d' $(($(hotfix_level "$rel") + 1)))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$SFAB_TOP" format-patch -q --no-signature --start-number "$n" -o "$tmp" -1 "$full" -- upstream
patch=$(ls "$tmp"/*.patch)
name=$(basename "$patch")
# The trailers go at the end of the message, before the "---" line.
git -C "$SFAB_TOP" interpret-trailers --in-place --where end \
	--trailer "Upstream-commit: $full" --trailer "Targets: $targets" "$patch"
[ -n "$(hotfix_header "$patch" Fixes)" ] ||
	die "commit $full has no Fixes: tag: a hotfix carries a fix of a commit in the release, and the tag says which"

# It must apply to the release with the queue before it.
cur=$(hotfix_version "$rel")
release_tree "${cur:-$rel}" all "$tmp/tree"
if ! (cd "$tmp/tree" && git apply -p1 --check "$patch" 2>"$tmp/apply.err"); then
	cp "$patch" "$dir/$name.rej"
	sed 's/^/    /' "$tmp/apply.err" >&2
	die "$(git -C "$SFAB_TOP" log -1 --format='%h ("%s")' "$full") does not apply to release $rel as it is; backport it by hand in hotfix/$rel/$name.rej (keep its change; the context may differ), rename it to $name and add it to hotfix/$rel/series"
fi
cp "$patch" "$dir/$name"
[ -f "$dir/series" ] || printf '# Hotfix queue of release %s: one patch per line, applied in order.\n' "$rel" >"$dir/series"
echo "$name" >>"$dir/series"
log "hotfix/$rel/$name: carries $(git -C "$SFAB_TOP" log -1 --format='%h ("%s")' "$full"), targets: $targets"
log "the queue is now at $rel+hf$(hotfix_level "$rel"); check it with 'make hotfix-check', build it with 'make hotfix RELEASE=$rel'"
