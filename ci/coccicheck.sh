#!/usr/bin/env bash
# usage: ci/coccicheck.sh
# make coccicheck MODE=report over sfab in the in-tree tree; any report
# fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_tool spatch
intree_prepare
sfab=drivers/infiniband/sw/sfab
out=$(intree_make M="$sfab" coccicheck MODE=report 2>&1) || {
	echo "$out"
	! grep -q 'No OCaml compiler found' <<<"$out" ||
		die "spatch cannot run the semantic patches with OCaml scripts: the OCaml compiler is missing; run 'make deps' (ci/host-packages: ocaml-nox)"
	die "make coccicheck failed on $sfab"
}
echo "$out"
# "No reports" means something only if spatch really ran, on sfab.
runs=$(grep -c -- '--cocci-file' <<<"$out" || true)
[ "$runs" -gt 0 ] || die "coccicheck ran no semantic patch (no spatch command in the output)"
grep -q "Entering directory '[^']*/$sfab'" <<<"$out" ||
	die "coccicheck did not run in $sfab"
nsp=$runs
if grep -E "^[^ ]+\.[ch]:[0-9]+" <<<"$out"; then
	die "coccicheck has reports (above)"
fi
echo "coccicheck: $nsp semantic patches over $sfab, no reports"
