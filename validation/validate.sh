#!/usr/bin/env bash
# usage: validation/validate.sh
# make validate: every suite at full depth on every selected target
# ($TARGETS or all), each in its own guest, then the summary. The devices
# come from SFAB_VM_DEV as for validation/run-vm.sh (sfab, rxe, interop);
# the step is "vm" for sfab, "vm-rxe" or "vm-interop" otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"

export SFAB_VM_DEPTH=full
dev=${SFAB_VM_DEV:-sfab}
step=vm
[ "$dev" = sfab ] || step=vm-$dev
exec "$SFAB_TOP/ci/each-target.sh" "$step" "$here/run-vm.sh"
