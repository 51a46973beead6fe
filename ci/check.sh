#!/usr/bin/env bash
# usage: ci/check.sh
# What CI runs (make check): host tools, every target's chroot, the W=1
# build, every package (distro/package.sh), the upstream gates (the
# exported series, checkpatch, its per-patch check, in-tree build,
# sparse, coccicheck; the rdma-core series), shellcheck, the DKMS
# tarball, the RPMs and the hotfix queues (upstream first); then for each
# target its package image (the packages installed with apt, DKMS
# building the module; purge) and the VM suites booted from that image,
# and the newest hotfix of each release built and validated the same way
# by the release's own tree (hotfix/validate.sh), two guests at a time;
# then the summary.
# A failure in one target does not stop the others. TARGETS="a b" limits
# the targets.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
"$SFAB_TOP/ci/deps.sh"
"$SFAB_TOP/ci/apt-root.sh"
rm -rf "$SFAB_OUT/results"
mapfile -t targets < <(targets_selected)
newest=${targets[${#targets[@]}-1]}
ci=$SFAB_TOP/ci

# passed TARGET STEP: STEP of TARGET passed in this run.
passed() { grep -q '^pass' "$(result_file "$1" "$2")" 2>/dev/null; }

# The upstream gates need only the kernel.org tree: run them meanwhile.
upstream_gates() {
	if run_step upstream series "see the log: ci/series/ and upstream/ make the series" "$ci/upstream-series.sh"; then
		run_step upstream checkpatch "the log names the patch; fix ci/series/linux or upstream/linux" "$ci/checkpatch.sh" || true
		run_step upstream series-check "the log names the patch and what broke" "$ci/series-check.sh" linux || true
	else
		record upstream checkpatch skip 0 "needs the exported series"
		record upstream series-check skip 0 "needs the exported series"
	fi
	if run_step upstream intree "see the log; the upstream code must build on the kernel.org base" "$ci/intree.sh"; then
		run_step upstream sparse "fix the sparse findings in upstream/linux" "$ci/sparse.sh" || true
	else
		record upstream sparse skip 0 "needs the in-tree build"
	fi
	run_step upstream coccicheck "fix the coccicheck reports in upstream/linux" "$ci/coccicheck.sh" || true
}
upstream_gates &
gates=$!

# Chroots two at a time (mostly download and dpkg), then the builds.
pids=()
for t in "${targets[@]}"; do
	{
		run_step "$t" chroot "check the registry and the log, then 'make chroots TARGETS=$t'" \
			"$ci/chroot.sh" "$t" || true
		run_step "$t" tree "check the registry and the log, then 'make trees TARGETS=$t'" \
			"$ci/kernel-tree.sh" "$t" || true
	} &
	pids+=("$!")
	if [ "${#pids[@]}" -eq 2 ]; then
		wait "${pids[@]}" || true
		pids=()
	fi
done
[ "${#pids[@]}" -eq 0 ] || wait "${pids[@]}" || true
for t in "${targets[@]}"; do
	if passed "$t" chroot; then
		run_step "$t" build "fix the build for $t (backports/ or upstream/)" "$ci/build.sh" "$t" || true
		run_step "$t" package "see the log; distro/ or upstream/rdma-core for $t" \
			"$SFAB_TOP/distro/package.sh" "$t" || true
	else
		record "$t" build skip 0 "needs the chroot"
		record "$t" package skip 0 "needs the chroot"
	fi
done
run_step kit shellcheck "fix the shellcheck findings" "$ci/shellcheck.sh" || true
run_step kit dkms-tarball "see the log" "$SFAB_TOP/distro/dkms-tarball.sh" || true
run_step kit rpm "see the log and out/rpm.new" "$SFAB_TOP/distro/rpm.sh" || true
run_step kit hotfix-queue "fix the hotfix queue: each patch carries an upstream commit unchanged" \
	"$SFAB_TOP/hotfix/check.sh" || true
# Module signing, on the newest target's build.
if passed "$newest" build; then
	run_step kit signing "see the log; ci/sign.sh" "$ci/sign-check.sh" "$newest" || true
else
	record kit signing skip 0 "needs the build of $newest"
fi
wait "$gates" || true
# The rdma-core series builds in the newest target's chroot.
if passed upstream series && passed "$newest" chroot; then
	run_step upstream series-rdma-core "the log names the patch and what broke" "$ci/series-check.sh" rdma-core || true
else
	record upstream series-rdma-core skip 0 "needs the exported series and the $newest chroot"
fi

# vm_job TARGET: this build's package image of TARGET and its VM suites.
vm_job() {
	if passed "$1" build && passed "$1" package; then
		if run_step "$1" image "see the image's install log" "$SFAB_TOP/validation/image.sh" "$1"; then
			run_step "$1" vm "see the TAP and console log of $1 under out/" \
				"$SFAB_TOP/validation/run-vm.sh" "$1" || true
		else
			record "$1" vm skip 0 "needs the image"
		fi
	else
		record "$1" image skip 0 "needs the build and the packages"
		record "$1" vm skip 0 "needs the build and the packages"
	fi
}

# hotfix_job TARGET: the hotfix packages of TARGET, validated like a
# release, once this build's image of TARGET is made (they share the
# suite's base root).
hotfix_job() {
	while [ ! -f "$(result_file "$1" image)" ]; do sleep 5; done
	if passed "$1" chroot && passed kit hotfix-queue; then
		run_step "$1" hotfix "see the log; the image's and the VM's logs are under out/hotfix/" \
			"$SFAB_TOP/hotfix/validate.sh" "$1" || true
	else
		record "$1" hotfix skip 0 "needs the chroot and a hotfix queue that passes hotfix/check.sh"
	fi
}

# Two jobs at a time, in this order: a guest runs single-threaded TCG,
# so each has a core of its own.
jobs=()
for t in "${targets[@]}"; do jobs+=("vm_job $t"); done
for t in "${targets[@]}"; do jobs+=("hotfix_job $t"); done
running=0
for j in "${jobs[@]}"; do
	if [ "$running" -ge 2 ]; then
		wait -n || true
		running=$((running - 1))
	fi
	$j &
	running=$((running + 1))
done
wait || true

log "make check took $(($(date +%s) - start))s"
"$ci/summary.sh"
