#!/usr/bin/env bash
# usage: backports/apply.sh BUILDDIR
# Applies to the build copy in BUILDDIR the Coccinelle semantic patches
# that its probe results (BUILDDIR/compat/sfab_autoconf.h) select. A patch
# says when it applies with a "// sfab-unless: HAVE_X" or "// sfab-if:
# HAVE_X" line. A selected patch that changes nothing is an error: the
# upstream code no longer has what it rewrites.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: backports/apply.sh BUILDDIR" >&2; exit 2; }
bp=$(cd "$(dirname "$0")" && pwd)
build=$1
autoconf=$build/compat/sfab_autoconf.h
[ -f "$autoconf" ] || { echo "apply.sh: $autoconf is missing: run the probes first" >&2; exit 1; }
command -v spatch >/dev/null || { echo "apply.sh: spatch is missing; run 'make deps'" >&2; exit 1; }

have() { grep -q "^#define $1 1\$" "$autoconf"; }

: >"$build/BACKPORTS"
for sp in "$bp"/cocci/*.cocci; do
	name=$(basename "$sp")
	unless=$(sed -n 's|^// sfab-unless: *||p' "$sp")
	if_=$(sed -n 's|^// sfab-if: *||p' "$sp")
	if [ -n "$unless" ] && have "$unless"; then continue; fi
	if [ -n "$if_" ] && ! have "$if_"; then continue; fi
	before=$(cat "$build"/*.[ch] | sha256sum)
	spatch --very-quiet --sp-file "$sp" --in-place --dir "$build" >"$build/$name.log" 2>&1 || {
		cat "$build/$name.log" >&2
		echo "apply.sh: $name failed on the build copy" >&2
		exit 1
	}
	if [ "$before" = "$(cat "$build"/*.[ch] | sha256sum)" ]; then
		echo "apply.sh: $name is selected but changed nothing; fix or drop it" >&2
		exit 1
	fi
	echo "cocci $name" >>"$build/BACKPORTS"
done
# The shims in use: where this kernel differs from upstream.
"$bp/probe-diff.sh" "$autoconf" | sed 's/^/shim for /' >>"$build/BACKPORTS"
