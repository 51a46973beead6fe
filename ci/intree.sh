#!/usr/bin/env bash
# usage: ci/intree.sh
# The in-tree build: upstream/linux laid onto the pristine kernel.org base
# tree, configured with INFINIBAND and RDMA_SFAB=m (ci/intree.config),
# the whole tree built (so modpost checks every symbol), then sfab
# rebuilt alone with make M= W=1, which must give no warning. Last, every
# backports probe must give its known answer on this tree (the upstream
# code uses each feature a probe tests), else the probe is broken.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

intree_prepare
sfab=drivers/infiniband/sw/sfab
# The object directory is kept between runs: sfab's objects are not, so
# that an object whose source is gone cannot stand in for it.
rm -rf "${INTREE_OBJ:?}/$sfab"
log "in-tree: building v$(cat "$SFAB_TOP/ci/upstream-base") (allnoconfig + RDMA; first run takes minutes)"
intree_make >"$INTREE_OBJ/../build.log" 2>&1 || {
	tail -n 40 "$INTREE_OBJ/../build.log"
	die "the in-tree kernel build failed (log: $INTREE_OBJ/../build.log)"
}
[ -f "$INTREE_OBJ/$sfab/sfab.ko" ] || die "the in-tree build made no $sfab/sfab.ko: is RDMA_SFAB wired into Kconfig and the Makefile?"

echo "== make M=$sfab W=1"
intree_make M="$sfab" clean >/dev/null
out=$(intree_make M="$sfab" W=1 modules 2>&1) || {
	echo "$out"
	die "sfab does not build in-tree with make M=$sfab"
}
echo "$out"
if grep -E 'warning:|error:' <<<"$out"; then
	die "the in-tree W=1 build of sfab has warnings (above)"
fi

echo "== backports probes on the upstream tree"
probes=$SFAB_CACHE/work/intree-probes
"$SFAB_TOP/backports/prepare.sh" "$probes/build" "$probes/probes"
sh "$probes/probes/probe.sh" "$probes/probes" "$probes/autoconf.h" \
	-C "$INTREE_SRC" O="$INTREE_OBJ"
cat "$probes/autoconf.h"
# On the upstream tree no probe may differ from upstream's answer.
broken=$(sh "$SFAB_TOP/backports/probe-diff.sh" "$probes/probes" "$probes/autoconf.h")
[ -z "$broken" ] ||
	die "broken probes: on the upstream tree, where the answer is known, they say: $(echo "$broken" | tr '\n' ';') (log: $probes/probes/probe.log)"
echo "in-tree: sfab.ko built in v$(cat "$SFAB_TOP/ci/upstream-base") with no warnings; every probe answers right there"
