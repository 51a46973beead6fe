#!/usr/bin/env bash
# usage: hotfix/check.sh [RELEASE...]
# Upstream first, enforced on every hotfix queue (default: all of them,
# hotfix/*/series). For release RELEASE (recorded in distro/releases),
# each patch of hotfix/RELEASE/series must:
# - name in Upstream-commit: the full id of a commit of this history
#   (HEAD's) that changes upstream/ only and is not in the release;
# - change exactly what that commit changes: the same lines added and
#   removed in the same files (the context may differ: a backport);
# - carry the commit's Fixes: tags, and fix a commit that is in the
#   release (otherwise the release does not have the bug);
# - name in Targets: "all" or targets of ci/targets;
# - apply, after the patches before it, to the release for every target.
# Every .patch file in the directory must be in the series. Each failure
# names the patch and what is wrong; all are reported, then it fails.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

failed=0
bad() {
	echo "FAIL hotfix/$rel/$name: $*"
	failed=1 patch_failed=1
}

# sha OF: the full id of commit OF in this history, or nothing.
sha() { git -C "$SFAB_TOP" rev-parse --verify -q "$1^{commit}" 2>/dev/null || true; }

check_patch() {
	local p=$1 up full fixes f fc t out others
	patch_failed=0
	up=$(hotfix_header "$p" Upstream-commit)
	if [ "$(echo "$up" | grep -c .)" -ne 1 ] || ! grep -qxE '[0-9a-f]{40}' <<<"$up"; then
		bad "needs exactly one 'Upstream-commit: <40-hex id>' trailer (found: '$(echo "$up" | tr '\n' ' ')'); create patches with hotfix/new.sh"
		return
	fi
	full=$(sha "$up")
	if [ -z "$full" ] || ! git -C "$SFAB_TOP" merge-base --is-ancestor "$full" HEAD; then
		bad "Upstream-commit $up is not a commit of this history: land the fix in upstream/ first, then carry it"
		return
	fi
	others=$(git -C "$SFAB_TOP" diff-tree --no-commit-id --name-only -r "$full" | grep -v '^upstream/' || true)
	[ -z "$others" ] || bad "Upstream-commit $up changes files outside upstream/ ($(echo "$others" | tr '\n' ' ')): not an upstream commit"
	if git -C "$SFAB_TOP" merge-base --is-ancestor "$full" "$relcommit"; then
		bad "Upstream-commit $up is already in release $rel"
	fi
	others=$(sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' "$p" | grep -v '^upstream/' || true)
	[ -z "$others" ] || bad "changes files outside upstream/: $(echo "$others" | tr '\n' ' ')"
	out=$(diff <(git -C "$SFAB_TOP" show --format= "$full" -- upstream | diff_changes) <(diff_changes <"$p") | head -n 12) ||
		bad "its change differs from Upstream-commit $(git -C "$SFAB_TOP" log -1 --format='%h ("%s")' "$full") (< the commit, > the patch):
    ${out//$'\n'/$'\n'    }"

	fixes=$(hotfix_header "$p" Fixes)
	[ -n "$fixes" ] || bad "has no Fixes: trailer: a hotfix carries a fix, and says what it fixes"
	while read -r f; do
		[ -n "$f" ] || continue
		grep -qxF "$f" <<<"$fixes" || bad "lacks the upstream commit's 'Fixes: $f'"
	done < <(git -C "$SFAB_TOP" log -1 --format=%B "$full" | sed -n 's/^Fixes: *//p')
	while read -r f _; do
		[ -n "$f" ] || continue
		fc=$(sha "$f")
		if [ -z "$fc" ]; then
			bad "Fixes: $f names no commit of this history"
		elif ! git -C "$SFAB_TOP" merge-base --is-ancestor "$fc" "$relcommit"; then
			bad "fixes $f, which is not in release $rel: the release does not have the bug"
		fi
	done <<<"$fixes"

	t=$(hotfix_header "$p" Targets)
	if [ "$(echo "$t" | grep -c .)" -ne 1 ]; then
		bad "needs exactly one 'Targets: all | TARGET...' trailer"
	else
		for f in $t; do
			[ "$f" = all ] || grep -qx "$f" <<<"$(targets_all)" ||
				bad "Targets: names '$f', which is not a target of ci/targets"
		done
	fi
	[ "$patch_failed" -eq 1 ] ||
		echo "ok   hotfix/$rel/$name: carries $(git -C "$SFAB_TOP" log -1 --format='%h ("%s")' "$full"); targets: $t"
}

if [ $# -gt 0 ]; then releases=("$@"); else mapfile -t releases < <(hotfix_releases); fi
[ "${#releases[@]}" -gt 0 ] || { echo "no hotfix queue (hotfix/*/series)"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for rel in "${releases[@]}"; do
	relcommit=$(release_commit "$rel")
	[ -f "$SFAB_TOP/hotfix/$rel/series" ] || die "no hotfix/$rel/series"
	for f in "$SFAB_TOP/hotfix/$rel"/*.patch; do
		[ -e "$f" ] || continue
		name=$(basename "$f")
		grep -qxF "$name" "$SFAB_TOP/hotfix/$rel/series" || bad "is not in hotfix/$rel/series: add it there or remove it"
	done
	for p in $(hotfix_patches "$rel"); do
		name=$(basename "$p")
		check_patch "$p"
	done
	# The queue applies, in order, for every target (release_tree says
	# which patch does not).
	for t in $(targets_all); do
		name="series ($t)"
		(release_tree "$rel+hf$(hotfix_level "$rel")" "$t" "$work/tree") 2>"$work/err" ||
			bad "$(cat "$work/err")"
	done
	echo "hotfix/$rel: $(hotfix_level "$rel") patches, hotfix version $(hotfix_version "$rel")"
done
[ "$failed" -eq 0 ] || die "the hotfix queues break the upstream-first rules (above)"
echo "hotfix queues: upstream first holds"
