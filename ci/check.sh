#!/usr/bin/env bash
# usage: ci/check.sh
# What CI runs (make check): host tools, every target's chroot, W=1
# build and rdma-core with libsfab, the upstream gates (checkpatch, in-tree build, sparse,
# coccicheck), shellcheck, and each target's VM suite, then the summary.
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
		run_step "$t" rdma-core "fix libsfab or backports/rdma-core-prepare.sh for $t" \
			"$ci/rdma-core.sh" "$t" || true
	else
		record "$t" build skip 0 "needs the chroot"
		record "$t" rdma-core skip 0 "needs the chroot"
	fi
done
run_step kit shellcheck "fix the shellcheck findings" "$ci/shellcheck.sh" || true
wait "$gates" || true

for t in "${targets[@]}"; do
	if grep -q '^pass' "$(result_file "$t" build)" 2>/dev/null &&
		grep -q '^pass' "$(result_file "$t" rdma-core)" 2>/dev/null; then
		run_step "$t" vm "see the TAP and console log of $t under out/" \
			"$SFAB_TOP/validation/run-vm.sh" "$t" || true
	else
		record "$t" vm skip 0 "needs the build and rdma-core"
	fi
done

log "make check took $(($(date +%s) - start))s"
"$ci/summary.sh"
