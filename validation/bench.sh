#!/usr/bin/env bash
# usage: validation/bench.sh [TARGET...]
# make bench: for each target ($TARGETS, or every target), one guest boot
# in which sfab, rdma_rxe and one TCP stream (iperf3) are measured on the
# same veth pair between two network namespaces (validation/guest/
# bench.sh): ib_send_bw and ib_write_bw at 4 KiB and 64 KiB, the message
# rate at 64 B (ib_send_bw), ib_send_lat and ib_write_lat at 8 B. Prints a
# table with the ratios sfab/rxe and sfab/TCP and writes it, with the date,
# target and kernel, to out/bench/TARGET.md. Never a pass/fail gate: a
# measurement that cannot be made shows "n/a (reason)"; the script fails
# only if a guest gives no results at all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"
# shellcheck source=vm-lib.sh
. "$here/vm-lib.sh"

need_tool qemu-system-x86_64 timeout
timeout_s=${SFAB_VM_TIMEOUT:-1200}

# bench_accel: KVM where it works, else multi-threaded TCG. The suites'
# single-threaded TCG runs the two vCPUs in turns, so a client spinning on
# one vCPU waits for its peer's turn: latencies there come out as
# multiples of about 2 ms, whatever the device. Multi-threaded TCG gives
# each vCPU a host thread (its boot-time text-patching hazard shows in the
# console, which the table's notes report).
bench_accel() {
	local a
	a=$(pick_accel)
	case $a in tcg*) echo tcg,thread=multi ;; *) echo "$a" ;; esac
}
# metric|what|unit|better: higher or lower
rows="send_bw_4k|ib_send_bw 4 KiB|MiB/s|higher
send_bw_64k|ib_send_bw 64 KiB|MiB/s|higher
write_bw_4k|ib_write_bw 4 KiB|MiB/s|higher
write_bw_64k|ib_write_bw 64 KiB|MiB/s|higher
msg_rate_64|message rate, ib_send_bw 64 B|Mpps|higher
send_lat_8|ib_send_lat 8 B, typical|usec|lower
write_lat_8|ib_write_lat 8 B, typical|usec|lower"

# value FILE METRIC DEVICE: the measured value, or "n/a (reason)", or "-"
# if it was not measured. TCP has one stream per write size: its value
# stands for SEND and WRITE alike.
value() {
	local m=$2
	[ "$3" != tcp ] || m=${m/write_bw/send_bw}
	awk -v m="$m" -v d="$3" '$1 == "bench" && $2 == m && $3 == d {
			if ($4 == "n/a") { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); v = "n/a (" $0 ")" }
			else v = $4
		} END { print (v == "" ? "-" : v) }' "$1"
}

# ratio A B BETTER: A/B (B/A for latency, so that above 1 is better), or "-".
ratio() {
	awk -v a="$1" -v b="$2" -v better="$3" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || a + 0 == 0 || b + 0 == 0) { print "-"; exit }
		printf "%.2f\n", better == "lower" ? b / a : a / b }'
}

# table FILE: the markdown table of one guest's results.
table() {
	local m what unit better s r c
	echo "| measurement | unit | sfab | rxe | TCP | sfab/rxe | sfab/TCP |"
	echo "|---|---|---|---|---|---|---|"
	while IFS='|' read -r m what unit better; do
		s=$(value "$1" "$m" sfab)
		r=$(value "$1" "$m" rxe)
		c=$(value "$1" "$m" tcp)
		echo "| $what | $unit | $s | $r | $c | $(ratio "$s" "$r" "$better") | $(ratio "$s" "$c" "$better") |"
	done <<<"$rows"
}

# bench_target TARGET: one guest, one table.
bench_target() {
	local out console results md rc=0 problems accel
	target=$1
	target_field "$target" suite >/dev/null
	vm_prepare
	out=$SFAB_OUT/bench
	console=$(log_file "$target" bench-console)
	results=$SFAB_OUT/logs/$target/bench.out
	md=$out/$target.md
	mkdir -p "$out"
	accel=$(bench_accel)
	log "[$target] bench: booting $kver ($accel), sfab vs rxe vs TCP (up to ${timeout_s}s)"
	# Files of this run only, so that two runs cannot mix their output.
	boot "$accel" "$console.$$" "$results.$$" "$timeout_s" sfab_bench=1 || rc=$?
	touch "$console.$$" "$results.$$"
	mv "$console.$$" "$console"
	tr -d '\r' <"$results.$$" >"$results" && rm -f "$results.$$"
	if ! grep -q '^bench ' "$results"; then
		log "[$target] bench: the guest gave no results (QEMU status $rc); console: $console"
		return 1
	fi
	problems=$(grep -aE "$bad_kernel_lines" "$console" | head -n 3 || true)
	{
		echo "## make bench: $target, $(date -u +'%F %H:%M UTC')"
		echo
		echo "Kernel $kver ($(target_field "$target" series)), QEMU $accel, 2 vCPUs, one guest," \
			"veth between two network namespaces; perftest $(awk '$2 == "perftest" { print $3 }' "$results")," \
			"iperf3 $(awk '$2 == "iperf3" { print $3 }' "$results") (one stream)."
		echo "Ratios above 1 favour sfab (latency: rxe or TCP over sfab)."
		echo
		table "$results"
		echo
		echo "Guest single-copy ceiling (256 MiB from tmpfs to user space):" \
			"$(awk '$2 == "copy_ceiling" { print $3 }' "$results") MiB/s."
		sed -n 's/^info note /Note: /p; s/^info error /Error: /p' "$results"
		[ "$rc" -eq 0 ] || echo "Note: the guest did not finish (QEMU status $rc); missing rows show \"-\"."
		[ -z "$problems" ] || echo "Note: the guest kernel reported problems (see $console): $problems"
	} >"$md"
	echo
	cat "$md"
	log "[$target] bench: $md"
}

if [ $# -eq 0 ]; then
	mapfile -t targets < <(targets_selected)
else
	targets=("$@")
fi
failed=0
for t in "${targets[@]}"; do
	bench_target "$t" || failed=1
done
exit "$failed"
