#!/usr/bin/env bash
# usage: validation/run-vm.sh TARGET [SUITE...]
# Boots TARGET's own Debian kernel in QEMU with the validation initramfs and
# runs the suites (default: every validation/suites/*.sh) in the guest.
# Kernel console: out/logs/TARGET/vm-console.log; the suites' TAP:
# out/results/TARGET/vm.tap. Passes only if every test passed, every plan
# is complete and the console has no kernel warning, BUG, oops, lockdep,
# KASAN or UBSAN report. Records the result as step "vm".
# Environment: SFAB_VM_TIMEOUT (seconds, default 600), SFAB_VM_ACCEL (tcg or
# kvm: skip the KVM probe).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"

[ $# -ge 1 ] || die "usage: validation/run-vm.sh TARGET [SUITE...]"
target=$1
shift
target_field "$target" suite >/dev/null
need_tool qemu-system-x86_64 timeout
timeout_s=${SFAB_VM_TIMEOUT:-600}
start=$(date +%s)
console=$(log_file "$target" vm-console)
tap=$SFAB_OUT/results/$target/vm.tap
initrd=$SFAB_OUT/vm/$target/initramfs.cpio.gz
# What a kernel says when something is wrong.
bad_kernel_lines='WARNING:|BUG:|Oops|Call Trace|lockdep|possible circular locking|KASAN|UBSAN|kernel BUG|general protection|Kernel panic'

# finish pass|fail DETAIL: record the run, say how it went and exit.
finish() {
	local secs=$(($(date +%s) - start))
	record "$target" vm "$1" "$secs" "$2"
	if [ "$1" = pass ]; then
		log "[$target] vm: PASS, $2 (${secs}s)"
		exit 0
	fi
	log "[$target] vm: FAIL, $2 (${secs}s); console: $console, TAP: $tap"
	exit 1
}

# boot ACCEL CONSOLE_LOG TAP_FILE SECONDS KERNEL_ARGS: one QEMU run of the
# target's kernel; exits 124 if it had to be killed.
boot() {
	mkdir -p "$(dirname "$2")" "$(dirname "$3")"
	timeout -k 10 "$4" qemu-system-x86_64 -accel "$1" -cpu max -m 1024 -smp 2 \
		-nographic -no-reboot -monitor none -nic none \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic $5" \
		-serial "file:$2" -serial "file:$3" </dev/null
}

# TCG runs single-threaded: multi-threaded TCG races with the guest
# kernel's own text patching (int3-based static keys), which showed as an
# "Oops: int3" in sched_clock_cpu at boot on 7.2, before any test. It
# costs about a second per run here.
tcg="tcg,thread=single"

# pick_accel: kvm if a probe guest under KVM reached userspace on this host
# and QEMU, else tcg. KVM here may hang guests (PVM hosts), so it is tried
# once per host kernel and QEMU version, and the verdict cached.
pick_accel() {
	local qv verdict probe
	if [ -n "${SFAB_VM_ACCEL:-}" ]; then
		echo "$SFAB_VM_ACCEL"
		return
	fi
	[ -e /dev/kvm ] || { echo "$tcg" && return; }
	qv=$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')
	verdict=$SFAB_CACHE/vm/kvm-probe-$(uname -r)-qemu-$qv
	if [ ! -f "$verdict" ]; then
		log "[$target] vm: probing KVM on this host (once; up to 30s)"
		mkdir -p "$(dirname "$verdict")"
		probe=$SFAB_OUT/logs/$target/vm-kvm-probe
		boot kvm "$probe-console.log" "$probe.tap" 30 sfab_probe=1 >"$probe-qemu.log" 2>&1 || true
		if grep -q 'sfab-vm: userspace reached' "$probe-console.log"; then
			echo kvm >"$verdict"
		else
			echo tcg >"$verdict"
		fi
	fi
	if [ "$(cat "$verdict")" = kvm ]; then echo kvm; else echo "$tcg"; fi
}

# tap_report FILE SUITE...: per-test listing and failures; true if every
# test passed and every suite asked for ran to its complete plan.
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
			sub(/^(not )?ok [0-9]+ - /, "")
			printf "  %-6s %s %2d %s\n", fail_now ? "FAIL" : "ok", suite, n[suite], $0
			next
		}
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
			printf "%d tests, %d failed%s\n", total, failed, which ? " (" substr(which, 2) ")" : ""
			exit bad
		}' "$1"
}

root=$(chroot_dir "$target")
kver=$(chroot_kernel "$target")
kernel=$root/sfab-kernel/vmlinuz
[ -f "$kernel" ] || die "[$target] no kernel image $kernel; rebuild the chroot: ci/chroot.sh $target"
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	for f in "$here"/suites/*.sh; do
		suites+=("$(basename "$f" .sh)")
	done
fi
for s in "${suites[@]}"; do
	[ -f "$here/suites/$s.sh" ] || die "no suite '$s' in $here/suites"
done

"$here/initramfs.sh" "$target"
accel=$(pick_accel)
log "[$target] vm: booting $kver ($accel), suites: ${suites[*]} (timeout ${timeout_s}s)"
rm -f "$console" "$tap"
rc=0
boot "$accel" "$console" "$tap" "$timeout_s" "sfab_suites=$(
	IFS=,
	echo "${suites[*]}"
)" || rc=$?
failed='' detail=''
case $rc in
0) log "[$target] vm: guest done after $(($(date +%s) - start))s" ;;
124)
	log "[$target] vm: the guest did not finish within ${timeout_s}s; QEMU killed"
	failed=1 detail="the guest did not finish within ${timeout_s}s (QEMU killed); "
	;;
*) finish fail "QEMU exited with status $rc; see $console" ;;
esac

touch "$tap"
tr -d '\r' <"$tap" >"$tap.tmp" && mv "$tap.tmp" "$tap"
report=$(tap_report "$tap" "${suites[@]}") || failed=1
echo "$report" >&2
detail+=$(echo "$report" | tail -n 1)
detail+=$(echo "$report" | sed -n 's/^  \(suite .*\|the guest .*\)/; \1/p' | tr -d '\n')
problems=$(grep -aE "$bad_kernel_lines" "$console" || true)
if [ -n "$problems" ]; then
	failed=1
	log "[$target] vm: the kernel reported problems (console log):"
	grep -naE -B2 -A12 "$bad_kernel_lines" "$console" | sed -n 1,60p >&2
	detail+="; kernel: $(echo "$problems" | sed -n '1s/^\[[ 0-9.]*\] //p')"
	rip=$(grep -m 1 -ao 'RIP: 0010:.*' "$console" || true)
	[ -z "$rip" ] || detail+=" ($rip)"
fi
[ -z "$failed" ] || finish fail "$detail"
finish pass "$detail, kernel log clean"
