#!/usr/bin/env bash
# usage: ci/each-target.sh STEP SCRIPT
# Runs SCRIPT TARGET as step STEP for every selected target ($TARGETS or
# all), going on after a failure, then prints the summary.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: ci/each-target.sh STEP SCRIPT"
step=$1 script=$2
# The verdict is this run's (ci/summary.sh).
export SFAB_RUN_SINCE=${SFAB_RUN_SINCE:-$(date +%s)}
for t in $(targets_selected); do
	run_step "$t" "$step" "see the log; rerun with 'make $step TARGETS=$t'" "$script" "$t" || true
done
"$SFAB_TOP/ci/summary.sh"
