#!/usr/bin/env bash
# usage: backports/probe-diff.sh AUTOCONF
# Prints, one per line, each probe whose answer in AUTOCONF (a header
# written by probe.sh) differs from upstream's: "missing HAVE_X" for a
# feature the kernel lacks, "old API HAVE_X" for an old API it still has
# (probes marked "sfab-probe: absent-upstream"). Each line is a shim the
# build uses; on the upstream tree itself the output must be empty.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: backports/probe-diff.sh AUTOCONF" >&2; exit 2; }
bp=$(cd "$(dirname "$0")" && pwd)
autoconf=$1
[ -f "$autoconf" ] || { echo "probe-diff.sh: $autoconf is missing: run the probes first" >&2; exit 1; }

for p in "$bp"/probes/*.c; do
	name=HAVE_$(basename "$p" .c | tr '[:lower:]' '[:upper:]')
	have=no
	grep -q "^#define $name 1\$" "$autoconf" && have=yes
	if grep -q 'sfab-probe: absent-upstream' "$p"; then
		[ "$have" = no ] || echo "old API $name"
	else
		[ "$have" = yes ] || echo "missing $name"
	fi
done
