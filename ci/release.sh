#!/usr/bin/env bash
# usage: ci/release.sh
# The kit's main job (make): from this tree, sfab for every target, each
# built in its distro's chroot against its kernel. Results in out/build/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SFAB_TOP/ci/deps.sh"
rm -rf "$SFAB_OUT/results"
rc=0
for t in $(targets_selected); do
	run_step "$t" chroot "check the registry and the log" "$SFAB_TOP/ci/chroot.sh" "$t" &&
		run_step "$t" build "fix the build for $t" "$SFAB_TOP/ci/build.sh" "$t" || rc=1
done
"$SFAB_TOP/ci/summary.sh" || rc=1
for t in $(targets_selected); do
	[ -f "$SFAB_OUT/build/$t/sfab.ko" ] && echo "out/build/$t/sfab.ko for $(cat "$SFAB_OUT/build/$t/kernel")"
done
exit "$rc"
