#!/usr/bin/env bash
# usage: ci/check.sh [all|targets|upstream]
# What CI runs (make check): the host tools and the kit's apt root, then
# the steps of ci/check.mk as one dependency graph, two jobs at a time,
# then the summary. Per target (TARGETS="a b" limits them): the chroot,
# the W=1 build, every package (distro/package.sh), the package image
# (the packages installed with apt, DKMS building the module; purge), the
# newest hotfix of each release built by the release's own tree and
# installed into an image of its own (hotfix/validate.sh --image), and
# one boot that runs the hotfix stage on the hotfix's image and then the
# suites on this build's (validation/run-vm.sh). The upstream gates (the
# exported series, checkpatch, its per-patch check, in-tree build,
# sparse, coccicheck; the rdma-core series) and the kit gates
# (shellcheck, the CI pipeline, the DKMS tarball, the RPMs, the hotfix
# queues, signing) fill the other core. A failure in one step skips only
# the steps that need it.
# "targets" runs only the per-target chains, "upstream" only the gates
# (make check-target, make check-upstream: the jobs of .gitlab-ci.yml).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

goal=${1:-all}
case $goal in
all | targets | upstream) ;;
*) die "usage: ci/check.sh [all|targets|upstream]" ;;
esac
start=$(date +%s)
export SFAB_RUN_SINCE=$start
"$SFAB_TOP/ci/deps.sh"
"$SFAB_TOP/ci/apt-root.sh"
rm -rf "$SFAB_OUT/results"
mkdir -p "$SFAB_OUT/results"
mapfile -t targets < <(targets_selected)
jobs=${SFAB_JOBS:-2}
log "make check ($goal): targets ${targets[*]}; $jobs steps at a time (ci/check.mk)"
rc=0
make -f "$SFAB_TOP/ci/check.mk" -j"$jobs" -k --no-print-directory \
	TARGETS="${targets[*]}" "$goal" || rc=$?
log "make check ($goal) took $(($(date +%s) - start))s"
"$SFAB_TOP/ci/summary.sh" || rc=1
# ci/step.sh always succeeds: make failing means a step could not even
# start (the summary shows it missing).
[ "$rc" -eq 0 ] || die "make check ($goal) failed: a step failed, or make could not run one (above)"
