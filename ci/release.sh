#!/usr/bin/env bash
# usage: ci/release.sh
# The kit's main job (make): from this tree, for every target, sfab built
# in its distro's chroot against its kernel (out/build/) and rdma-core
# with libsfab (out/rdma-core/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SFAB_TOP/ci/deps.sh"
rm -rf "$SFAB_OUT/results"
rc=0
for t in $(targets_selected); do
	run_step "$t" chroot "check the registry and the log" "$SFAB_TOP/ci/chroot.sh" "$t" &&
		run_step "$t" build "fix the build for $t" "$SFAB_TOP/ci/build.sh" "$t" &&
		run_step "$t" rdma-core "fix libsfab for $t" "$SFAB_TOP/ci/rdma-core.sh" "$t" || rc=1
done
"$SFAB_TOP/ci/summary.sh" || rc=1
for t in $(targets_selected); do
	if [ -f "$SFAB_OUT/build/$t/sfab.ko" ]; then
		echo "out/build/$t/sfab.ko for $(cat "$SFAB_OUT/build/$t/kernel")"
	fi
	info=$SFAB_OUT/rdma-core/$t/info
	if [ -f "$info" ]; then
		echo "out/rdma-core/$t: $(sed -n 's/^kind=//p' "$info") rdma-core" \
			"$(sed -n 's/^source=//p' "$info") with libsfab"
	fi
done
exit "$rc"
