#!/usr/bin/env bash
# usage: ci/sparse.sh [--tool TREE]
# sparse (make C=2) over sfab in the in-tree tree, then over the vendor
# build of it (diag/kernel/ added); any finding fails.
# --tool TREE: only print the path of a sparse new enough for the kernel
# tree TREE (ci/series-check.sh uses it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# sparse_tool TREE: a sparse new enough for the kernel tree TREE (its own
# scripts/checker-valid.sh decides). Debian's stable sparse is too old for
# 7.x, so when it fails the kit builds the newest source the registry
# serves, cached by version.
sparse_tool() {
	local tree=$1 ver dir
	if [ "$("$tree/scripts/checker-valid.sh" sparse -m64)" = 1 ]; then
		command -v sparse
		return
	fi
	"$SFAB_TOP/ci/apt-root.sh"
	ver=$(apt_cache_kit showsrc sparse | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	[ -n "$ver" ] || die "the registry serves no sparse source"
	dir=$SFAB_CACHE/tools/sparse-$ver
	if [ ! -x "$dir/bin/sparse" ]; then
		log "building sparse $ver from Debian's source (the machine's is too old for this tree)"
		rm -rf "$dir"
		mkdir -p "$dir/src"
		(cd "$dir/src" && apt_kit source --download-only "sparse=$ver" >/dev/null) ||
			die "cannot download sparse $ver source"
		tar -xf "$dir"/src/sparse_*.orig.tar.* -C "$dir/src"
		make -C "$dir"/src/sparse-*/ -j"$(nproc)" sparse >"$dir/build.log" 2>&1 ||
			die "building sparse $ver failed (log: $dir/build.log)"
		mkdir -p "$dir/bin"
		cp "$dir"/src/sparse-*/sparse "$dir/bin/"
	fi
	[ "$("$tree/scripts/checker-valid.sh" "$dir/bin/sparse" -m64)" = 1 ] ||
		die "sparse $ver from the registry does not pass this tree's checker-valid.sh"
	echo "$dir/bin/sparse"
}

if [ "${1:-}" = --tool ]; then
	[ $# -eq 2 ] || die "usage: ci/sparse.sh [--tool TREE]"
	sparse_tool "$2"
	exit 0
fi
[ $# -eq 0 ] || die "usage: ci/sparse.sh [--tool TREE]"
intree_prepare
[ -f "$INTREE_OBJ/vmlinux" ] || die "the in-tree tree is not built yet; run 'make intree' first"
checker=$(sparse_tool "$INTREE_SRC")
"$checker" --version
sfab=drivers/infiniband/sw/sfab
out=$(intree_make M="$sfab" C=2 W=1 CHECK="$checker" modules 2>&1) || {
	echo "$out"
	die "make C=2 failed on $sfab"
}
echo "$out"
grep -q 'CHECK ' <<<"$out" || die "sparse did not run on any file (no CHECK line)"
if grep -E 'warning:|error:' <<<"$out"; then
	die "sparse has findings (above)"
fi
echo "sparse: $(grep -c 'CHECK ' <<<"$out") files, no findings"

# The vendor diagnostics, in a copy of the directory with diag/kernel/ added.
vendor=$sfab-vendor
rm -rf "${INTREE_SRC:?}/$vendor"
# The tree may be the series check's: leave nothing of ours in it.
trap 'rm -rf "${INTREE_SRC:?}/$vendor" "${INTREE_OBJ:?}/$vendor"' EXIT
cp -r "$INTREE_SRC/$sfab" "$INTREE_SRC/$vendor"
"$SFAB_TOP/diag/kernel/apply.sh" "$INTREE_SRC/$vendor"
out=$(intree_make M="$vendor" C=2 W=1 CHECK="$checker" modules 2>&1) || {
	echo "$out"
	die "make C=2 failed on the vendor build ($vendor: upstream + diag/kernel)"
}
echo "$out"
if grep -E 'warning:|error:' <<<"$out"; then
	die "sparse has findings in the vendor build (above)"
fi
echo "sparse (vendor build): $(grep -c 'CHECK ' <<<"$out") files, no findings"
