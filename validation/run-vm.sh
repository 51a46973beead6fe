#!/usr/bin/env bash
# usage: validation/run-vm.sh TARGET [SUITE...]
# Boots TARGET's own Debian kernel in QEMU and runs the suites (default:
# every validation/suites/*.sh) in the guest. The guest's root is TARGET's
# package image (validation/image.sh: the suite's root with the kit's
# packages installed by apt and sfab.ko built by DKMS, booted with the
# distro's own initramfs; the guest scripts come over virtio-9p), or with
# SFAB_VM_ROOT=dev the developer build on TARGET's chroot (read-only over
# virtio-9p, under a tmpfs overlay, payload from the validation
# initramfs). Kernel console: out/logs/TARGET/STEP-console.log; the
# suites' TAP: out/results/TARGET/STEP.tap, where STEP is "vm" (vm-rxe,
# vm-interop for the other device types). Passes only if every test
# passed, every plan is complete and the console has no kernel warning,
# BUG, oops, lockdep, KASAN or UBSAN report. Records the result as step
# STEP.
# Environment:
#   SFAB_VM_DEV     the devices the data-path suites run on: sfab (default),
#                   rxe (the kernel's rdma_rxe) or interop (sfab on one host,
#                   rxe on the other, both ways round)
#   SFAB_VM_DEPTH   quick or full; default: validation/check-depth (what
#                   make check runs), quick for a target not listed there
#   SFAB_VM_TIMEOUT seconds for the whole guest (default 900, full 2400)
#   SFAB_VM_ACCEL   tcg or kvm: skip the KVM probe
#   SFAB_VM_ROOT    image (default) or dev (validation/vm-lib.sh)
#   SFAB_VM_HOTFIX  check (make check): the same boot first runs the
#                   hotfix stage: for the newest hotfix of every release,
#                   its own image (hotfix/validate.sh --image: its packages
#                   installed by apt), booted first as the guest's root,
#                   with the suites of SFAB_VM_HOTFIX_SUITES (default
#                   install,pingpong,perftest,rping) at quick depth; the
#                   guest then unloads its sfab and moves to this build's
#                   image, as an upgrade would (guest/image-init). Its
#                   tests are in this step's TAP as hotfix-VERSION/SUITE,
#                   and also recorded as step "hotfix".
#   SFAB_VM_PLANT   stall: a planted driver hang, to show that the suites
#                   catch one: the first perftest run of each suite runs
#                   with sfab0's completions withheld (the vendor error
#                   injection's stall=1), which must fail the step
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"
# shellcheck source=vm-lib.sh
. "$here/vm-lib.sh"

[ $# -ge 1 ] || die "usage: validation/run-vm.sh TARGET [SUITE...]"
target=$1
shift
target_field "$target" suite >/dev/null
need_tool qemu-system-x86_64 timeout
dev=${SFAB_VM_DEV:-sfab}
case $dev in
sfab) step=vm ;;
rxe | interop) step=vm-$dev ;;
*) die "SFAB_VM_DEV is '$dev'; it is sfab, rxe or interop" ;;
esac
depth=${SFAB_VM_DEPTH:-$(awk -v t="$target" '!/^#/ && $1 == t { print $2 }' "$here/check-depth")}
depth=${depth:-quick}
case $depth in
quick) timeout_s=${SFAB_VM_TIMEOUT:-900} ;;
full) timeout_s=${SFAB_VM_TIMEOUT:-2400} ;;
*) die "SFAB_VM_DEPTH is '$depth'; it is quick or full" ;;
esac
plant=${SFAB_VM_PLANT:-none}
case $plant in
none | stall) ;;
*) die "SFAB_VM_PLANT is '$plant'; it is stall (or unset)" ;;
esac
start=$(date +%s)
console=$(log_file "$target" "$step-console")
tap=$SFAB_OUT/results/$target/$step.tap

# finish pass|fail DETAIL: record the run, say how it went and exit.
finish() {
	local secs=$(($(date +%s) - start))
	record "$target" "$step" "$1" "$secs" "$2"
	if [ "$1" = pass ]; then
		log "[$target] $step: PASS, $2 (${secs}s)"
		exit 0
	fi
	log "[$target] $step: FAIL, $2 (${secs}s); console: $console, TAP: $tap"
	exit 1
}

# tap_report FILE SUITE...: per-test listing, failures and retries; true
# if every test passed and every suite asked for ran to its complete plan.
tap_report() {
	awk -v want="${*:2}" '
		/^# suite [^ ]+$/ { suite = $3; ran[suite] = 1; n[suite] = 0; fail_now = 0; next }
		/^# suite [^ ]+ exit / { next }
		/^# sfab-vm done/ { finished = 1; next }
		/^1\.\.[0-9]+/ { plan[suite] = substr($1, 4) + 0; next }
		/^Bail out!/ { print "  " suite ": " $0; bad = 1; next }
		/^(not )?ok / {
			n[suite]++; total++
			fail_now = /^not ok/
			if (fail_now) { failed++; bad = 1; which = which " " suite "/" n[suite] }
			skip_now = !fail_now && / # SKIP/
			if (skip_now) { skipped++; skips = skips " " suite "/" n[suite] }
			sub(/^(not )?ok [0-9]+ - /, "")
			printf "  %-6s %s %2d %s\n", fail_now ? "FAIL" : skip_now ? "SKIP" : "ok", suite, n[suite], $0
			next
		}
		/^# retry: / { print "           " $0; next }
		/^#/ && fail_now { print "           " $0 }
		END {
			split(want, w, " ")
			for (i in w) {
				s = w[i]
				if (!ran[s]) { print "  suite " s ": did not run"; bad = 1 }
				else if (!(s in plan) || plan[s] != n[s]) {
					printf "  suite %s: plan incomplete (%d tests, plan %s)\n", s, n[s], (s in plan) ? plan[s] : "missing"
					bad = 1
				}
			}
			if (!finished) { print "  the guest did not finish its suites"; bad = 1 }
			printf "%d tests, %d failed%s, %d skipped%s\n", total, failed, which ? " (" substr(which, 2) ")" : "", skipped, skips ? " (" substr(skips, 2) ")" : ""
			exit bad
		}' "$1"
}

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	for f in "$here"/suites/*.sh; do
		suites+=("$(basename "$f" .sh)")
	done
fi
for s in "${suites[@]}"; do
	[ -f "$here/suites/$s.sh" ] || die "no suite '$s' in $here/suites"
done

vm_prepare
# The hotfix stages: each hotfix's image, booted before this build's.
stages='' hotfix_disks=() hotfix_want=()
hotfix_suites=${SFAB_VM_HOTFIX_SUITES:-install,pingpong,perftest,rping}
if [ "${SFAB_VM_HOTFIX:-}" = check ] && [ "$vm_root" = image ]; then
	for rel in $(hotfix_releases); do
		hv=$(hotfix_version "$rel")
		[ -n "$hv" ] || continue
		f=$SFAB_OUT/hotfix/$hv/image-$target
		[ -f "$f" ] || die "[$target] no image of hotfix $hv ($f); make it with: hotfix/validate.sh --image $target"
		himg=$(cat "$f")
		[ -f "$himg/root.img" ] || die "[$target] the image of hotfix $hv ($himg) has no root.img; rebuild it: hotfix/validate.sh --image $target"
		hk=$(sed -n 's/^boot=//p' "$himg/info")
		[ "$hk" = "$kver" ] || die "[$target] hotfix $hv's image boots $hk, this build's $kver: both must boot the suite's current kernel"
		hotfix_disks+=("$himg/root.img")
		stages+="hotfix:$hv,"
		for s in ${hotfix_suites//,/ }; do
			[ -f "$here/suites/$s.sh" ] || die "SFAB_VM_HOTFIX_SUITES names '$s': no such suite"
			hotfix_want+=("hotfix-$hv/$s")
		done
	done
	if [ -n "$stages" ]; then timeout_s=$((timeout_s + 600 * ${#hotfix_disks[@]})); fi
fi
accel=$(pick_accel)
[ -z "$stages" ] || log "[$target] $step: hotfix stages first: ${stages%,} (suites $hotfix_suites), each from its own image"
log "[$target] $step: booting $kver ($accel), devices $dev, depth $depth${SFAB_VM_PLANT:+, planted $plant}, suites: ${suites[*]} (timeout ${timeout_s}s)"
# QEMU writes to files of this run only; they take the usual names when
# it is over, so that two runs of one target cannot mix their output.
run_console=$console.$$ run_tap=$tap.$$
trap 'rm -f "$run_console" "$run_tap"' EXIT
rc=0
stage_args=
[ -z "$stages" ] || stage_args=" sfab_stages=${stages}build sfab_hotfix_suites=$hotfix_suites"
boot "$accel" "$run_console" "$run_tap" "$timeout_s" "sfab_dev=$dev sfab_depth=$depth sfab_plant=$plant sfab_suites=$(
	IFS=,
	echo "${suites[*]}"
)$stage_args" || rc=$?
touch "$run_console" "$run_tap"
mv "$run_console" "$console"
tr -d '\r' <"$run_tap" >"$tap"
failed='' detail="devices $dev, depth $depth${SFAB_VM_PLANT:+, planted $plant}: "
case $rc in
0) log "[$target] $step: guest done after $(($(date +%s) - start))s" ;;
124)
	log "[$target] $step: the guest did not finish within ${timeout_s}s; QEMU killed"
	failed=1 detail+="the guest did not finish within ${timeout_s}s (QEMU killed); "
	;;
*) finish fail "QEMU exited with status $rc; see $console" ;;
esac

# The hotfix stages on their own, as step "hotfix" (the summary's column).
if [ -n "$stages" ]; then
	hrc=0
	hreport=$(awk '/^# suite / { keep = ($3 ~ /^hotfix-/) } /^# sfab-vm done/ || keep' "$tap" |
		tap_report /dev/stdin "${hotfix_want[@]}") || hrc=$?
	hdetail="hotfix ${stages%,}, suites $hotfix_suites in this build's boot: $(echo "$hreport" | tail -n 1)"
	if [ "$hrc" -eq 0 ]; then
		record "$target" hotfix pass "$(($(date +%s) - start))" "$hdetail"
	else
		record "$target" hotfix fail "$(($(date +%s) - start))" "$hdetail (TAP: $tap)"
	fi
fi
# Where the guest's time went: each suite's seconds (guest/init).
times=$(sed -n 's/^# suite \([^ ]*\) exit [0-9]*, \([0-9]*s\), busy \([0-9]*%\)$/\1 \2 (\3)/p' "$tap" | paste -sd , - | sed 's/,/, /g')
[ -z "$times" ] || log "[$target] $step: seconds per suite in the guest (and how busy its CPUs were): $times"
report=$(tap_report "$tap" "${hotfix_want[@]}" "${suites[@]}") || failed=1
echo "$report" >&2
detail+=$(echo "$report" | tail -n 1)
detail+=$(echo "$report" | sed -n 's/^  \(suite .*\|the guest .*\)/; \1/p' | tr -d '\n')
# Every retry of a client run (validation/guest/clients.sh, one TAP line
# "# retry: SUITE/TEST: REASON") is counted and named; more than one in a
# step fails it, passed tests or not: a retry may hide no more than one
# failure of the client programs themselves in a whole run.
mapfile -t retries < <(sed -n 's/^# retry: //p' "$tap")
if [ ${#retries[@]} -gt 0 ]; then
	named=''
	for r in "${retries[@]}"; do
		[ ${#r} -le 160 ] || r="${r:0:157}..."
		named+="${named:+; }$r"
	done
	n_retries="${#retries[@]} retries"
	[ ${#retries[@]} -gt 1 ] || n_retries="1 retry"
	detail+="; $n_retries ($named)"
	if [ ${#retries[@]} -gt 1 ]; then
		failed=1
		detail+=": more than one retry in one step fails it (see each test's reason in the TAP)"
		log "[$target] $step: $n_retries, more than one: the step fails (TAP: $tap)"
	fi
fi
problems=$(grep -aE "$bad_kernel_lines" "$console" || true)
if [ -n "$problems" ]; then
	failed=1
	log "[$target] $step: the kernel reported problems (console log):"
	grep -naE -B2 -A12 "$bad_kernel_lines" "$console" | sed -n 1,60p >&2
	detail+="; kernel: $(echo "$problems" | sed -n '1s/^\[[ 0-9.]*\] //p')"
	rip=$(grep -m 1 -ao 'RIP: 0010:.*' "$console" || true)
	[ -z "$rip" ] || detail+=" ($rip)"
fi
[ -z "$failed" ] || finish fail "$detail"
finish pass "$detail, kernel log clean"
