#!/usr/bin/env bash
# usage: ci/checkpatch.sh
# checkpatch.pl --strict, from the kernel.org base tree, over every patch of
# the upstream series (the commits under upstream/linux since the base
# import), over uncommitted changes there, and over each sfab source file
# whole, the vendor diagnostics of diag/kernel/ included; and kernel-doc
# -Wall over the sources (old kernels' W=1 builds
# run kernel-doc, 7.2's M= builds do not). Any finding fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=$(cat "$SFAB_TOP/ci/upstream-base")
tree=$("$SFAB_TOP/ci/kernel-tree.sh" "$base")
work=$SFAB_OUT/checkpatch
rm -rf "$work"
mkdir -p "$work/series"

cd "$SFAB_TOP"
# (sed, not head: under pipefail an early-closing reader fails the pipe)
import=$(git rev-list --reverse HEAD -- upstream/linux | sed -n 1p)
[ -n "$import" ] || die "no commit touches upstream/linux: nothing to check"
git format-patch -q --relative=upstream/linux -o "$work/series" "$import..HEAD" -- upstream/linux
git diff --relative=upstream/linux HEAD -- upstream/linux >"$work/uncommitted.diff"

failed=0
check() {
	local out
	# The tree has no git history: commit ids are checked below instead.
	out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --quiet --show-types \
		--ignore UNKNOWN_COMMIT_ID --color=never "$@" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out"
		failed=1
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
			failed=1
		elif [ "(\"$real\")" != "$subj" ]; then
			echo "Fixes: $id is (\"$real\"), not $subj"
			failed=1
		fi
	done < <(sed -n 's/^Fixes: \([0-9a-f]\{12,40\}\) \(.*\)$/\1 \2/p' "$1")
}

n=0
for p in "$work"/series/*.patch; do
	[ -e "$p" ] || continue
	n=$((n + 1))
	echo "== patch $(basename "$p")"
	check "$p"
	fixes_tags "$p"
done
[ "$n" -gt 0 ] || die "the upstream series is empty (no commit under upstream/linux after the base import $import): nothing was checked as patches"
if [ -s "$work/uncommitted.diff" ]; then
	echo "== uncommitted changes under upstream/linux"
	check --no-signoff "$work/uncommitted.diff"
fi
files=$(find "$SFAB_TOP/upstream/linux/drivers/infiniband/sw/sfab" -type f | sort)
files="$files $SFAB_TOP/upstream/linux/include/uapi/rdma/sfab-abi.h"
files="$files $SFAB_TOP/upstream/linux/Documentation/infiniband/sfab.rst"
# The vendor diagnostics are kernel code too, held to the same rules.
files="$files $(find "$SFAB_TOP/diag/kernel" -name 'sfab_*.[ch]' | sort | tr '\n' ' ')"
for f in $files; do
	echo "== file ${f#"$SFAB_TOP"/}"
	check -f "$f"
done
for p in "$SFAB_TOP"/diag/kernel/patches/*.patch; do
	[ -e "$p" ] || continue
	echo "== vendor hook patch ${p#"$SFAB_TOP"/}"
	check --no-signoff --no-tree "$p"
done

echo "== kernel-doc -Wall"
# shellcheck disable=SC2046 # a list of paths
kdoc=$(cd "$tree" && perl scripts/kernel-doc -none -Wall \
	$(find "$SFAB_TOP/upstream/linux/drivers/infiniband/sw/sfab" "$SFAB_TOP/diag/kernel" -name '*.[ch]' | sort) 2>&1) || true
if [ -n "$kdoc" ]; then
	echo "$kdoc"
	failed=1
fi

if [ "$failed" -ne 0 ]; then
	die "checkpatch --strict or kernel-doc has findings (above); fix them in upstream/linux or diag/kernel"
fi
echo "checkpatch --strict: $n patches and $(echo "$files" | wc -w) files, no findings; kernel-doc: no findings"
