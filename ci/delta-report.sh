#!/usr/bin/env bash
# usage: ci/delta-report.sh
# How far the vendor build is from upstream, in lines of code: upstream's
# sfab (driver and uAPI header), the hand-written backports (Coccinelle
# patches, compat header, probes), the vendor kernel diagnostics of
# diag/kernel/ (source files and hook patches) and each hotfix queue; then
# per target, what the backports change in the source that target
# compiles (the merged source of out/build/TARGET reduced with unifdef to
# that kernel's probe answers, against upstream plus diag/kernel) and the
# shims it uses. Each delta also as a percentage of upstream. Per-target
# rows need `make build` first; a target without a build says so.
# Writes the report to stdout and to out/delta-report.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_tool unifdef diff
up=$SFAB_TOP/upstream/linux
work=$(mktemp -d "${TMPDIR:-/tmp}/sfab-delta.XXXXXX")
trap 'rm -rf "$work"' EXIT

# lines FILE...: non-blank lines in the files.
lines() { cat "$@" | grep -cv '^[[:space:]]*$' || true; }
# changed DIFF: lines a unified diff (or a patch mail) adds or removes.
changed() { diff_changes <"$1" | grep -cv '^F ' || true; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", b ? 100 * a / b : 0 }'; }

upstream=$(lines "$up"/drivers/infiniband/sw/sfab/*.[ch] "$up/include/uapi/rdma/sfab-abi.h")
cocci=$(lines "$SFAB_TOP"/backports/cocci/*.cocci)
compat=$(lines "$SFAB_TOP"/backports/include/*.h)
probes=$(lines "$SFAB_TOP"/backports/probes/*.c)
diag_src=$(lines "$SFAB_TOP"/diag/kernel/sfab_*.[ch])
hooks=0
for p in "$SFAB_TOP"/diag/kernel/patches/*.patch; do
	[ -e "$p" ] || continue
	hooks=$((hooks + $(changed "$p")))
done

# The reference every target's source is compared with: upstream plus
# the vendor diagnostics, before any backport.
"$SFAB_TOP/backports/prepare.sh" "$work/ref" "$work/probes" >/dev/null

{
	echo "# sfab delta report ($("$SFAB_TOP/ci/version.sh"))"
	echo
	echo "Non-blank lines. Upstream: drivers/infiniband/sw/sfab and include/uapi/rdma/sfab-abi.h."
	echo
	echo "| part | lines | of upstream |"
	echo "|---|---|---|"
	echo "| upstream sfab | $upstream | 100% |"
	echo "| backports, hand-written: Coccinelle patches | $cocci | $(pct "$cocci" "$upstream") |"
	echo "| backports, hand-written: compat header (shims) | $compat | $(pct "$compat" "$upstream") |"
	echo "| backports, hand-written: compile probes | $probes | $(pct "$probes" "$upstream") |"
	echo "| diag/kernel: vendor source files | $diag_src | $(pct "$diag_src" "$upstream") |"
	echo "| diag/kernel: hook patches (lines changed in upstream files) | $hooks | $(pct "$hooks" "$upstream") |"
	for rel in $(hotfix_releases); do
		n=0
		for p in $(hotfix_patches "$rel"); do n=$((n + $(changed "$p"))); done
		echo "| hotfix $rel -> $(hotfix_version "$rel"): $(hotfix_level "$rel") patches (lines changed) | $n | $(pct "$n" "$upstream") |"
	done
	[ -n "$(hotfix_releases)" ] || echo "| hotfix queues | none yet | - |"
	echo
	echo "Per target: what the backports change in the source that target compiles"
	echo "(generated: the merged source reduced to the kernel's probe answers, against"
	echo "upstream plus diag/kernel), and the shims of the compat header it uses."
	echo
	echo "| target | kernel | generated lines changed | of upstream | Coccinelle backports | shims | hotfix lines changed |"
	echo "|---|---|---|---|---|---|---|"
	for t in $(targets_selected); do
		b=$SFAB_OUT/build/$t
		kernel=$(target_field "$t" series)
		hf=
		for rel in $(hotfix_releases); do
			n=0
			for p in $(hotfix_patches "$rel" "$t"); do n=$((n + $(changed "$p"))); done
			hf+="${hf:+, }$(hotfix_version "$rel"): $n"
		done
		hf=${hf:--}
		if [ ! -f "$b/src/compat/sfab_autoconf.h" ]; then
			echo "| $t | $kernel | no build: run make build | - | - | - | $hf |"
			continue
		fi
		defs=$(sed -n 's|^#define \(HAVE_[A-Z0-9_]*\) 1$|-D\1|p; s|^/\* #undef \(HAVE_[A-Z0-9_]*\) \*/$|-U\1|p' \
			"$b/src/compat/sfab_autoconf.h")
		n=0
		for f in "$work"/ref/*.[ch]; do
			rc=0
			# shellcheck disable=SC2086 # one option per probe
			unifdef $defs "$b/src/$(basename "$f")" >"$work/t.c" || rc=$?
			[ "$rc" -le 1 ] || die "unifdef failed on $t's $(basename "$f")"
			diff -u "$f" "$work/t.c" >"$work/t.diff" || true
			n=$((n + $(changed "$work/t.diff")))
		done
		nc=$(grep -c '^cocci ' "$b/src/BACKPORTS" || true)
		ns=$(grep -c '^shim ' "$b/src/BACKPORTS" || true)
		echo "| $t | $kernel | $n | $(pct "$n" "$upstream") | $nc | $ns | $hf |"
	done
} | tee "$work/report.md"
mkdir -p "$SFAB_OUT"
cp "$work/report.md" "$SFAB_OUT/delta-report.md"
