#!/usr/bin/env bash
# usage: ci/check.sh
# What CI runs (make check): host tools, every target's chroot, the W=1
# build, every package (distro/package.sh), the upstream gates
# (checkpatch, in-tree build, sparse, coccicheck), shellcheck, the DKMS
# tarball and the RPMs; then for each target its package image (the
# packages installed with apt, DKMS building the module; purge) and the
# VM suites booted from that image, then the summary.
# A failure in one target does not stop the others. TARGETS="a b" limits
# the targets.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
"$SFAB_TOP/ci/deps.sh"
"$SFAB_TOP/ci/apt-root.sh"
rm -rf "$SFAB_OUT/results"
mapfile -t targets < <(targets_selected)
ci=$SFAB_TOP/ci

# The upstream gates need only the kernel.org tree: run them meanwhile.
upstream_gates() {
	run_step upstream checkpatch "fix the findings in upstream/linux" "$ci/checkpatch.sh" || true
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
	if grep -q '^pass' "$(result_file "$t" chroot)" 2>/dev/null; then
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
# Module signing, on the newest target's build.
sign_target=${targets[${#targets[@]}-1]}
if grep -q '^pass' "$(result_file "$sign_target" build)" 2>/dev/null; then
	run_step kit signing "see the log; ci/sign.sh" "$ci/sign-check.sh" "$sign_target" || true
else
	record kit signing skip 0 "needs the build of $sign_target"
fi
wait "$gates" || true

for t in "${targets[@]}"; do
	if grep -q '^pass' "$(result_file "$t" build)" 2>/dev/null &&
		grep -q '^pass' "$(result_file "$t" package)" 2>/dev/null; then
		if run_step "$t" image "see the image's install log" "$SFAB_TOP/validation/image.sh" "$t"; then
			run_step "$t" vm "see the TAP and console log of $t under out/" \
				"$SFAB_TOP/validation/run-vm.sh" "$t" || true
		else
			record "$t" vm skip 0 "needs the image"
		fi
	else
		record "$t" image skip 0 "needs the build and the packages"
		record "$t" vm skip 0 "needs the build and the packages"
	fi
done

log "make check took $(($(date +%s) - start))s"
"$ci/summary.sh"
