#!/bin/sh
# usage: probe-diff.sh PROBEDIR AUTOCONF
# Prints, one per line, each probe in PROBEDIR whose answer in AUTOCONF (a
# header written by probe.sh) differs from upstream's: "missing HAVE_X"
# for a feature the kernel lacks, "old API HAVE_X" for an old API it still
# has (probes marked "sfab-probe: absent-upstream"). Each line is a shim
# the build uses; on the upstream tree itself the output must be empty.
# POSIX sh: it also runs from a DKMS build (backports/gen-source.sh).
set -eu
[ $# -eq 2 ] || { echo "usage: probe-diff.sh PROBEDIR AUTOCONF" >&2; exit 2; }
dir=$1 autoconf=$2
[ -f "$autoconf" ] || { echo "probe-diff.sh: $autoconf is missing: run the probes first" >&2; exit 1; }

for p in "$dir"/*.c; do
	base=$(basename "$p" .c)
	[ "$base" = sfab_probe_canary ] && continue
	name=HAVE_$(echo "$base" | tr '[:lower:]' '[:upper:]')
	have=no
	grep -q "^#define $name 1\$" "$autoconf" && have=yes
	if grep -q 'sfab-probe: absent-upstream' "$p"; then
		[ "$have" = no ] || echo "old API $name"
	else
		[ "$have" = yes ] || echo "missing $name"
	fi
done
