#!/usr/bin/env bash
# usage: ci/checkpatch.sh
# checkpatch.pl --strict, from the kernel.org base tree, over every patch of
# the upstream series (the commits under upstream/linux since the base
# import), over uncommitted changes there, and over each sfab source file
# whole. Any error, warning or check fails.
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
	out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --quiet --show-types \
		--color=never "$@" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out"
		failed=1
	fi
}

n=0
for p in "$work"/series/*.patch; do
	[ -e "$p" ] || continue
	n=$((n + 1))
	echo "== patch $(basename "$p")"
	check "$p"
done
[ "$n" -gt 0 ] || die "the upstream series is empty (no commit under upstream/linux after the base import $import): nothing was checked as patches"
if [ -s "$work/uncommitted.diff" ]; then
	echo "== uncommitted changes under upstream/linux"
	check --no-signoff "$work/uncommitted.diff"
fi
files=$(find "$SFAB_TOP/upstream/linux/drivers/infiniband/sw/sfab" -type f | sort)
files="$files $SFAB_TOP/upstream/linux/include/uapi/rdma/sfab-abi.h"
files="$files $SFAB_TOP/upstream/linux/Documentation/infiniband/sfab.rst"
for f in $files; do
	echo "== file ${f#"$SFAB_TOP"/}"
	check -f "$f"
done

if [ "$failed" -ne 0 ]; then
	die "checkpatch --strict has findings (above); fix them in upstream/linux"
fi
echo "checkpatch --strict: $n patches and $(echo "$files" | wc -w) files, no findings"
