#!/usr/bin/env bash
# usage: ci/checkpatch.sh
# checkpatch.pl --strict, from the kernel.org base tree, over every patch
# of the exported kernel series (out/upstream/linux, what would be
# mailed: make upstream-series), over uncommitted changes under
# upstream/linux, and over each sfab source file whole, the vendor
# diagnostics of diag/kernel/ and their hook patches included; and
# kernel-doc -Wall over the sources (old kernels' W=1 builds run
# kernel-doc, 7.2's M= builds do not). A Fixes: tag must name a commit of
# this history with its subject. Any finding fails, and names the patch.
#
# This gate owns checkpatch of the series: ci/series-check.sh applies and
# builds the same patches and does not run it again. One type is not
# asked per patch: FILE_PATH_CHANGES ("added, moved or deleted file(s),
# does MAINTAINERS need updating?"), which every patch that adds a file
# without touching MAINTAINERS gets. The driver is added file by file and
# its MAINTAINERS entry comes with its documentation, so the question is
# answered for the whole series instead: ci/series-check.sh fails unless
# every file the series adds has a maintainer of that entry.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$SFAB_TOP/ci/series-lib.sh"

base=$(cat "$SFAB_TOP/ci/upstream-base")
tree=$("$SFAB_TOP/ci/kernel-tree.sh" "$base")
work=$SFAB_OUT/checkpatch
rm -rf "$work"
mkdir -p "$work"

cd "$SFAB_TOP"
series_require_current linux
mapfile -t patches < <(series_patches linux)
[ "${#patches[@]}" -gt 0 ] || die "the exported kernel series has no patch; run 'make upstream-series'"
git diff --relative=upstream/linux HEAD -- upstream/linux >"$work/uncommitted.diff"

failed=0
bad_patches=()
check() {
	local out
	# The tree has no git history: commit ids are checked below instead.
	out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --quiet --show-types \
		--ignore UNKNOWN_COMMIT_ID --color=never "$@" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out"
		failed=1
		return 1
	fi
}

# fixes_tags PATCH: each "Fixes: <12+ hex> ("subject")" must name a
# commit of this history (the series) with that subject.
fixes_tags() {
	local id subj real
	while read -r id subj; do
		real=$(git log -1 --format=%s "$id" -- 2>/dev/null) || real=
		if [ -z "$real" ]; then
			echo "Fixes: $id names no commit of this history"
			return 1
		elif [ "(\"$real\")" != "$subj" ]; then
			echo "Fixes: $id is (\"$real\"), not $subj"
			return 1
		fi
	done < <(sed -n 's/^Fixes: \([0-9a-f]\{12,40\}\) \(.*\)$/\1 \2/p' "$1")
}

for p in "${patches[@]}"; do
	echo "== patch $(patch_name "$p")"
	why=()
	check --ignore FILE_PATH_CHANGES "$p" || why+=("checkpatch --strict findings")
	fixes_tags "$p" || why+=("a Fixes: tag that names no commit of the history")
	if [ "${#why[@]}" -gt 0 ]; then
		failed=1
		bad_patches+=("patch $(patch_name "$p"): $(IFS=,; echo "${why[*]}")")
	fi
done
if [ -s "$work/uncommitted.diff" ]; then
	echo "== uncommitted changes under upstream/linux"
	check --no-signoff "$work/uncommitted.diff" || true
fi
files=$(find "$SFAB_TOP/upstream/linux/drivers/infiniband/sw/sfab" -type f | sort)
files="$files $SFAB_TOP/upstream/linux/include/uapi/rdma/sfab-abi.h"
files="$files $SFAB_TOP/upstream/linux/Documentation/infiniband/sfab.rst"
# The vendor diagnostics are kernel code too, held to the same rules.
files="$files $(find "$SFAB_TOP/diag/kernel" -name 'sfab_*.[ch]' | sort | tr '\n' ' ')"
for f in $files; do
	echo "== file ${f#"$SFAB_TOP"/}"
	check -f "$f" || true
done
for p in "$SFAB_TOP"/diag/kernel/patches/*.patch; do
	[ -e "$p" ] || continue
	echo "== vendor hook patch ${p#"$SFAB_TOP"/}"
	check --no-signoff --no-tree "$p" || true
done

echo "== kernel-doc -Wall"
# shellcheck disable=SC2046 # a list of paths
kdoc=$(cd "$tree" && perl scripts/kernel-doc -none -Wall \
	$(find "$SFAB_TOP/upstream/linux/drivers/infiniband/sw/sfab" "$SFAB_TOP/diag/kernel" -name '*.[ch]' | sort) 2>&1) || true
if [ -n "$kdoc" ]; then
	echo "$kdoc"
	failed=1
fi

if [ "${#bad_patches[@]}" -gt 0 ]; then
	die "$(printf '%s; ' "${bad_patches[@]}")see above and $(series_out linux); fix the message in ci/series/linux/ or the code in upstream/linux, then 'make upstream-series'"
fi
if [ "$failed" -ne 0 ]; then
	die "checkpatch --strict or kernel-doc has findings (above); fix them in upstream/linux or diag/kernel"
fi
echo "checkpatch --strict: ${#patches[@]} patches of the exported series and $(echo "$files" | wc -w) files, no findings; kernel-doc: no findings"
