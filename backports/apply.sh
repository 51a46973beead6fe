#!/usr/bin/env bash
# usage: backports/apply.sh BUILDDIR AUTOCONF
# Applies to BUILDDIR, a copy of upstream's sources (prepare.sh), the
# Coccinelle backports that the probe answers in AUTOCONF select: a patch
# says when it applies with a "// sfab-unless: HAVE_X" or "// sfab-if:
# HAVE_X" line. This is the reviewed, per-kernel form of the backports;
# ci/build.sh checks that the merged source of gen-source.sh comes out
# the same for the kernel it builds for. A selected patch that changes
# nothing is an error: the upstream code no longer has what it rewrites.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: backports/apply.sh BUILDDIR AUTOCONF" >&2; exit 2; }
bp=$(cd "$(dirname "$0")" && pwd)
build=$1 autoconf=$2
[ -f "$autoconf" ] || { echo "apply.sh: $autoconf is missing: run the probes first" >&2; exit 1; }
command -v spatch >/dev/null || { echo "apply.sh: spatch is missing; run 'make deps'" >&2; exit 1; }

have() { grep -q "^#define $1 1\$" "$autoconf"; }

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
	rm -f "$build/$name.log"
	if [ "$before" = "$(cat "$build"/*.[ch] | sha256sum)" ]; then
		echo "apply.sh: $name is selected but changed nothing; fix or drop it" >&2
		exit 1
	fi
done
