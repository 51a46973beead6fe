#!/usr/bin/env bash
# usage: validation/validate.sh
# make validate: every suite at full depth on every selected target
# ($TARGETS or all), each in its own guest; then, for sfab, the newest
# hotfix of every release validated on its own as a release is
# (hotfix/validate.sh: its image and every suite at quick depth in a boot
# of its own, where make check runs only the hotfix stage's suites in
# this build's boot); then the summary. The devices come from
# SFAB_VM_DEV as for validation/run-vm.sh (sfab, rxe, interop); the step
# is "vm" for sfab, "vm-rxe" or "vm-interop" otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"

export SFAB_VM_DEPTH=full
export SFAB_RUN_SINCE=${SFAB_RUN_SINCE:-$(date +%s)}
dev=${SFAB_VM_DEV:-sfab}
step=vm
[ "$dev" = sfab ] || step=vm-$dev
for t in $(targets_selected); do
	run_step "$t" "$step" "see the TAP and console log of $t under out/" "$here/run-vm.sh" "$t" || true
done
if [ "$dev" = sfab ]; then
	for t in $(targets_selected); do
		run_step "$t" hotfix "see the log; the image's and the VM's logs are under out/hotfix/" \
			"$SFAB_TOP/hotfix/validate.sh" "$t" || true
	done
fi
"$SFAB_TOP/ci/summary.sh"
