#!/usr/bin/env bash
# usage: ci/step.sh TARGET STEP [NEED...] -- COMMAND...
# One step of make check's graph (ci/check.mk): COMMAND runs as step STEP
# of TARGET through run_step (its log, its time, its result in
# out/results/TARGET/STEP), unless a step it needs (NEED: TARGET/STEP)
# did not pass in this run, in which case it is recorded as skipped and
# says which. Always exits 0: the result file is the verdict, so make
# goes on with the rest of the graph and ci/summary.sh reports.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || die "usage: ci/step.sh TARGET STEP [NEED...] -- COMMAND..."
target=$1 step=$2
shift 2
needs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	needs+=("$1")
	shift
done
[ "${1:-}" = -- ] || die "ci/step.sh: no -- before the command"
shift

# What to do when the step fails: the hint printed with its log's tail.
case $step in
chroot) hint="check the registry and the log, then 'make chroots TARGETS=$target'" ;;
build) hint="fix the build for $target (backports/ or upstream/)" ;;
package) hint="see the log; distro/ or upstream/rdma-core for $target" ;;
image) hint="see the image's install log" ;;
hotfix-image) hint="see the log; the hotfix's packages and image logs are under out/hotfix/" ;;
vm) hint="see the TAP and console log of $target under out/" ;;
series) hint="see the log: ci/series/ and upstream/ make the series" ;;
checkpatch) hint="the log names the patch; fix ci/series/linux or upstream/linux" ;;
series-check | series-rdma-core) hint="the log names the patch and what broke" ;;
intree) hint="see the log; the upstream code must build on the kernel.org base" ;;
sparse) hint="fix the sparse findings in upstream/linux" ;;
coccicheck) hint="fix the coccicheck reports in upstream/linux" ;;
shellcheck) hint="fix the shellcheck findings" ;;
hotfix-queue) hint="fix the hotfix queue: each patch carries an upstream commit unchanged" ;;
rpm) hint="see the log and out/rpm.new" ;;
pipeline) hint="fix .gitlab-ci.yml (the log says what the linter found)" ;;
*) hint="see the log" ;;
esac

for n in "${needs[@]}"; do
	read -r st _ <"$(result_file "${n%%/*}" "${n#*/}")" 2>/dev/null || st=missing
	if [ "$st" != pass ]; then
		record "$target" "$step" skip 0 "needs $n ($st)"
		log "[$target] $step: skipped, it needs $n, which did not pass ($st)"
		exit 0
	fi
done
# The step's own makes (kernel builds) use their own -j, not the
# jobserver of ci/check.mk, which they could not reach anyway.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKE_TERMOUT MAKE_TERMERR
run_step "$target" "$step" "$hint" "$@" || true
