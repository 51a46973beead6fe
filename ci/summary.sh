#!/usr/bin/env bash
# usage: ci/summary.sh
# One screen: every target x step, and the upstream and kit gates, from
# out/results. Exits 1 if any recorded step failed; with SFAB_RUN_SINCE
# (seconds since the epoch, set by ci/check.sh and ci/each-target.sh),
# only steps recorded since then count, and older failures are listed
# as stale.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

target_steps="chroot build package image hotfix-image vm hotfix"
gate_rows="upstream:series,checkpatch,series-check,series-rdma-core upstream:intree,sparse,coccicheck kit:shellcheck,pipeline,dkms-tarball,rpm,signing,hotfix-queue"

cell() {
	local f st secs
	f=$(result_file "$1" "$2")
	if [ ! -f "$f" ]; then
		echo "-"
		return
	fi
	read -r st secs _ <"$f"
	echo "$st ${secs}s"
}

echo
echo "== summary ($(date -u +'%F %H:%M UTC'), logs in out/logs/)"
printf '%-10s %-8s' target kernel
for s in $target_steps; do printf ' %-12s' "$s"; done
echo
for t in $(targets_all); do
	printf '%-10s %-8s' "$t" "$(target_field "$t" series)"
	for s in $target_steps; do printf ' %-12s' "$(cell "$t" "$s")"; done
	echo
done
for row in $gate_rows; do
	name=${row%%:*}
	printf '%-10s' "$name"
	for s in ${row#*:}; do
		s=${s//,/ }
		for g in $s; do printf ' %s: %-11s' "$g" "$(cell "$name" "$g")"; done
	done
	echo
done
# What each step built and what it reused from the cache (ci/lib.sh
# cache_note), by key.
caches=$(for f in "$SFAB_OUT"/results/*/*; do
	[ -f "$f" ] || continue
	case $f in *.tap) continue ;; esac
	c=$(sed -n 's/.*cache: //p' "$f")
	[ -z "$c" ] || echo "  ${f#"$SFAB_OUT"/results/}: $c"
done)
[ -z "$caches" ] || printf 'caches (built or reused, by key):\n%s\n' "$caches"

# failed_tests TAP: the first five failed tests of TAP, each its line and
# the last 23 of its diagnostics, so that the end of a CI log names what
# went wrong.
failed_tests() {
	awk '
		function flush() {
			if (!n) return
			if (++shown > 5) { more++; n = 0; return }
			print "    " b[1]
			from = n > 24 ? n - 22 : 2
			if (from > 2) print "    # (" from - 2 " lines left out)"
			for (i = from; i <= n; i++) print "    " b[i]
			n = 0
		}
		/^# suite [^ ]+$/ { suite = $3; k = 0 }
		/^(ok|not ok) / { flush(); k++; keep = /^not ok/ && !/# (SKIP|TODO)/ }
		keep && /^(not ok|#)/ && !/^# (suite |sfab-vm )/ { b[++n] = (/^not ok/ ? suite "/" k ": " : "") $0 }
		/^Bail out!/ { flush(); print "    " suite ": " $0 }
		END { flush(); if (more) print "    (" more " more failed tests: see the TAP)" }
	' "$1"
}

since=${SFAB_RUN_SINCE:-0}
# Each VM step's retries of client runs, passed or failed: one line
# "# retry: SUITE/TEST: REASON" of its TAP each (validation/guest/clients.sh;
# validation/run-vm.sh fails a step with more than one).
for tap in "$SFAB_OUT"/results/*/*.tap; do
	[ -f "$tap" ] || continue
	r=${tap#"$SFAB_OUT"/results/}
	r=${r%.tap}
	f=$SFAB_OUT/results/$r
	if [ ! -f "$f" ] || [ "$(stat -c %Y "$f")" -lt "$since" ]; then
		continue
	fi
	mapfile -t retried < <(sed -n 's/^# retry: //p' "$tap")
	[ ${#retried[@]} -gt 0 ] || continue
	echo "retries in ${r%%/*} ${r#*/}: ${#retried[@]}$([ ${#retried[@]} -le 1 ] || echo ' (more than one: the step fails)')"
	printf '    %s\n' "${retried[@]}"
done

# The verdict comes from the result files themselves, not from the table.
failed=0
for f in "$SFAB_OUT"/results/*/*; do
	[ -f "$f" ] || continue
	read -r st _ detail <"$f"
	[ "$st" = fail ] || continue
	r=${f#"$SFAB_OUT"/results/}
	if [ "$(stat -c %Y "$f")" -lt "$since" ]; then
		echo "stale (an earlier run, not this one's): ${r%%/*} ${r#*/} failed: $detail"
		continue
	fi
	failed=1
	echo "FAILED ${r%%/*} ${r#*/}: $detail"
	tap=$SFAB_OUT/results/$r.tap
	case $detail in
	*"TAP: "*)
		tap=${detail#*TAP: }
		tap=${tap%%[);]*}
		;;
	esac
	[ ! -f "$tap" ] || failed_tests "$tap"
done
# A run that recorded nothing has not passed.
recorded=$(find "$SFAB_OUT/results" -type f ! -name '*.tap' -newermt "@$since" 2>/dev/null | wc -l)
if [ "$recorded" -eq 0 ]; then
	echo "FAILED: no step recorded a result${since:+ in this run}"
	failed=1
fi
if [ "$failed" -ne 0 ]; then
	echo "== result: FAILED"
	exit 1
fi
if [ "$since" -gt 0 ]; then
	echo "== result: every step of this run passed"
else
	echo "== result: all recorded steps passed"
fi
