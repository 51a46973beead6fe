#!/usr/bin/env bash
# usage: diag/kernel/apply.sh BUILDDIR
# Adds the vendor-only kernel diagnostics to BUILDDIR, a flat copy of
# upstream's sfab sources (backports/prepare.sh, or the in-tree directory
# for ci/sparse.sh): the source files of diag/kernel/ (sfab_*.[ch]),
# linked in through BUILDDIR/Kbuild (else its Makefile), and the
# hook patches of diag/kernel/patches/series, applied in order, with no
# fuzz. A patch that does not apply fails here, naming the patch: rebase
# it on upstream/ (see diag/kernel/README.md).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: diag/kernel/apply.sh BUILDDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$1
kbuild=$build/Kbuild
[ -f "$kbuild" ] || kbuild=$build/Makefile
[ -f "$kbuild" ] || { echo "diag/kernel/apply.sh: $build has no Kbuild or Makefile: lay it out with backports/prepare.sh first" >&2; exit 1; }

for f in "$here"/sfab_*.[ch]; do
	cp "$f" "$build/"
	case $f in
	*.c) echo "sfab-y += $(basename "${f%.c}").o" >>"$kbuild" ;;
	esac
done
while read -r p; do
	case $p in '' | '#'*) continue ;; esac
	out=$(patch -d "$build" -p1 -F0 -N --no-backup-if-mismatch -r - <"$here/patches/$p" 2>&1) || {
		echo "$out" >&2
		echo "diag/kernel/apply.sh: patches/$p does not apply to upstream's sources; rebase it (diag/kernel/README.md)" >&2
		exit 1
	}
done <"$here/patches/series"
