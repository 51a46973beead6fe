# shellcheck shell=sh
# Running real RDMA clients between the two hosts: a server in netns peer
# (on DEV_B, vb), a client in the init netns (on DEV_A, va), each under a
# timeout so that a hang fails one test and not the run. Sourced by the
# data-path suites after lib.sh and hosts.sh.

# The depth of the data-path suites: quick (make check) or full. A
# hotfix stage (SFAB_STAGE=hotfix:VERSION, validation/run-vm.sh) is the
# hotfix's smoke test before the upgrade: quick on every target.
# shellcheck disable=SC2034 # used by the suites that source this
case ${SFAB_STAGE:-build} in
hotfix:*) DEPTH=quick ;;
*) DEPTH=$(kparam sfab_depth quick) ;;
esac

# A client still running after this long has hung (the longest of them
# takes under 15 s on rxe under TCG); its server gets a little longer.
client_timeout=${SFAB_CLIENT_TIMEOUT:-60}

# Set when the current pair cannot carry traffic: its devices could not be
# made, or the first RC exchange between them failed.
pair_broken=/tmp/pair.broken

# wait_secs SECONDS COMMAND...: poll COMMAND quietly every 0.2 s until it
# succeeds, for up to SECONDS.
wait_secs() {
	ws_end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$ws_end" ] || return 1
		sleep 0.2
	done
}

# tcp_listening PORT: something listens on TCP PORT in netns peer.
tcp_listening() { [ -n "$(peer ss -Hltn "sport = :$1")" ]; }

# cm_listening: an rdma_cm ID listens on 10.77.0.2 (rping's server).
cm_listening() { rdma resource show cm_id | grep -q "state LISTEN.*src-addr $IP_B:"; }

# show BASE WHO: the last lines of a client's output (BASE.out) and of its
# errors (BASE.err), as diagnostics.
show() {
	echo "-- $2:"
	tail -n "${show_lines:-12}" "$1.out"
	[ ! -s "$1.err" ] || tail -n "${show_lines:-12}" "$1.err" | sed 's/^/stderr: /'
}

# run_pair READY SERVER_CMD CLIENT_CMD: starts SERVER_CMD in netns peer,
# waits until READY (a command) says it listens, runs CLIENT_CMD here,
# then waits for the server to finish. Each command is one string of
# words (no argument has spaces). Output in /tmp/server.out and
# /tmp/client.out, errors in .err next to them; fails, saying why, if
# either side fails or times out.
run_pair() {
	# Both sides' output is line-buffered, so what they printed survives
	# a kill.
	# shellcheck disable=SC2086 # the commands are meant to split
	ip netns exec peer timeout -k 5 $((client_timeout + 15)) stdbuf -oL $2 \
		>/tmp/server.out 2>/tmp/server.err &
	server_pid=$!
	# shellcheck disable=SC2086
	if ! wait_secs 30 ready_or_gone $1 || server_gone; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid"
		show /tmp/server "server ($2)"
		fail "the server did not start listening within 30s: $2"
	fi
	# If the client is still running just before its timeout, its
	# threads' stacks (client_stacks, what the retry classifiers read)
	# and then the state of both sides (pair_state) are taken first.
	rm -f /tmp/pair.state /tmp/pair.stacks /tmp/pair.after
	(
		sleep $((client_timeout > 10 ? client_timeout - 5 : 2))
		client_stacks "$3" >/tmp/pair.stacks 2>&1
		pair_state >/tmp/pair.state 2>&1
	) &
	watcher=$!
	crc=0
	# shellcheck disable=SC2086
	timeout -k 5 "$client_timeout" stdbuf -oL $3 >/tmp/client.out 2>/tmp/client.err || crc=$?
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null || true
	# The server ends when its client does; give it a few seconds. A
	# client that failed, or a server that is still running then, leaves
	# a record of both sides (server_record) before the server is
	# stopped: a hang or a reset is seen where it happened.
	[ "$crc" -eq 0 ] || server_record "$2" "when the client ended" >/tmp/pair.after 2>&1
	if ! wait_secs 15 server_gone; then
		server_record "$2" "15s later, before it was stopped" >>/tmp/pair.after 2>&1
		kill "$server_pid" 2>/dev/null
	fi
	src=0
	wait "$server_pid" || src=$?
	why=''
	case $crc in
	0) ;;
	124) why="the client timed out after ${client_timeout}s" ;;
	*) why="the client exited with status $crc" ;;
	esac
	case $src in
	0) ;;
	124 | 143) why="${why:+$why; }the server did not finish (killed)" ;;
	*) why="${why:+$why; }the server exited with status $src" ;;
	esac
	show /tmp/server "server: $2"
	show /tmp/client "client: $3"
	if [ "$crc" -eq 124 ] && [ -s /tmp/pair.state ]; then
		echo "-- before the client was stopped:"
		cat /tmp/pair.stacks /tmp/pair.state
	fi
	[ ! -s /tmp/pair.after ] || cat /tmp/pair.after
	[ -z "$why" ] || {
		echo "$why"
		return 1
	}
}

# pair_state: every device's counters and every QP's transport state and
# CM ID (both hosts: rdma netns mode is shared), for a client that hung.
pair_state() {
	for d in "$IB"/*; do
		printf '%s:' "${d##*/}"
		for c in "$d"/ports/1/hw_counters/*; do
			[ ! -f "$c" ] || printf ' %s=%s' "${c##*/}" "$(cat "$c")"
		done
		echo
	done
	rdma -dd res show qp
	rdma res show cm_id
}

# stacks_of WHO CMD: the kernel stack of each thread of each running
# process whose command line is CMD (as run_pair ran it), headed
# "WHO PID thread TID (COMM):".
stacks_of() {
	for p in $(pgrep -fx "$2"); do
		for t in /proc/"$p"/task/*; do
			echo "$1 $p thread ${t##*/} ($(cat "$t/comm"), $(sed -n 's/^State:[[:space:]]*//p' "$t/status")):"
			cat "$t/stack" 2>/dev/null || echo "wchan $(cat "$t/wchan")"
		done
	done
}

# client_stacks CMD: stacks_of the running client CMD.
client_stacks() { stacks_of client "$1"; }

# server_record SERVER_CMD WHEN: what the server was doing WHEN (its
# threads' stacks, or that it had ended), the TCP sockets of both hosts
# (the pingpongs exchange their addresses over TCP) and pair_state.
server_record() {
	echo "-- the server $2:"
	if server_gone; then
		echo "it had ended"
	else
		stacks_of server "$1"
	fi
	echo "TCP, init netns:"
	ss -tanoi
	echo "TCP, netns peer:"
	peer ss -tanoi
	pair_state
}

# A retry may hide nothing but a failure of the client program itself:
# each classifier below says why it matched, or why not, and a run whose
# client or server hung is never retried on the strength of a message.

# killed STATUS: STATUS is that of a command that timeout(1) stopped
# (124) or that a signal ended (128 + N: 137 KILL, 143 TERM).
killed() { [ "$1" -eq 124 ] || { [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; }; }

# rping_hang_signature: the client that hung hung in rping's own exit race
# (65.0), as the thread stacks taken before it was stopped (client_stacks,
# /tmp/pair.stacks) show: one client process of exactly two threads, the
# main thread joining the other (futex_wait: pthread_join) and that one,
# the CM event thread, in ucma_get_event (rdma_ucm's read of the event
# channel); and no thread of it in ib_core, ib_uverbs, rdma_cm or sfab,
# where a hang would be the driver's. Says what it found either way.
rping_hang_signature() {
	[ -s /tmp/pair.stacks ] || {
		echo "no thread stacks were taken before the client was stopped"
		return 1
	}
	awk '
		function verdict(why) { print why; bad = 1; exit 1 }
		/^client [0-9]+ thread [0-9]+ / {
			if (!($2 in procs)) { procs[$2] = 1; nprocs++ }
			threads++
			who = $2 == $4 ? "main" : "thread " $4
			if ($2 == $4) nmain++
			next
		}
		{
			frame = $0
			sub(/^\[<[0-9a-f]+>\] /, "", frame)
			sub(/^wchan /, "", frame)
			fn = frame
			sub(/[+ ].*/, "", fn)
			if (fn == "") next
			if (!(who in top)) top[who] = fn
			if (who == "main" && fn ~ /^futex_wait/) joining = 1
			if (who != "main" && fn == "ucma_get_event") { cmread = 1; cmthread = who }
			if (fn ~ /^(ib_|rdma_|sfab_|cma_|cm_)/ || frame ~ /\[(ib_core|ib_uverbs|ib_cm|rdma_cm|sfab)\]/)
				core = core ", " who ": " fn
		}
		END {
			if (bad) exit 1
			if (nprocs != 1) verdict("the stacks show " nprocs + 0 " client processes, not one")
			if (threads != 2 || nmain != 1)
				verdict("the client had " threads " threads, not exactly its main thread and the CM event thread")
			if (!joining) verdict("the main thread was not joining (no futex_wait in its stack; it was in " top["main"] ")")
			if (!cmread) verdict("no thread was in ucma_get_event (the CM event read)")
			if (core != "") verdict("a thread was in the RDMA core or the driver (" substr(core, 3) ")")
			print "main thread joining (futex_wait), the CM event thread (" cmthread ") in ucma_get_event, no thread in ib_core, ib_uverbs, rdma_cm or sfab"
		}' /tmp/pair.stacks
}

# rping_own_failure READY SERVER_CMD CLIENT_CMD: the rping pair run that
# just failed failed in rping itself, after its pings and its disconnect:
# the server ended normally on the client's disconnect request, the
# client reported no error of its own, and its exit lost one of the races
# of rping's CM event thread with the main thread's teardown. In
# rdma-core 56.1 (the rping of bullseye, bookworm and trixie here) that
# thread reads from the event channel after main has closed it
# ("rdma_get_cm_event: Bad file descriptor", exit status 255). In 65.0
# (sid), whose main stops that thread through an eventfd, main's
# rdma_destroy_id can take the DISCONNECTED event the thread was woken for
# by poll(), and the thread then blocks for ever in its read: the hang is
# rping's only with exactly the stacks of rping_hang_signature. Says
# which, or why the run is not rping's own failure, for run_once_more.
rping_own_failure() {
	[ "$src" -eq 0 ] || {
		echo "the rping server did not end normally (status $src)"
		return 1
	}
	grep -q '^server DISCONNECT EVENT' /tmp/server.err || {
		echo "the rping server saw no disconnect request"
		return 1
	}
	other=$(grep -v '^client DISCONNECT EVENT\|^rdma_get_cm_event: Bad file descriptor$' /tmp/client.err | head -n 1)
	[ -z "$other" ] || {
		echo "the rping client reported an error of its own ($other)"
		return 1
	}
	! grep -qi 'mismatch' /tmp/server.* /tmp/client.* || {
		echo "rping reported a data mismatch"
		return 1
	}
	case $crc in
	124)
		sig=$(rping_hang_signature) || {
			echo "the rping client hung, and not in rping's exit race: $sig"
			return 1
		}
		echo "the rping client hung in its own exit, its CM event thread in a read whose event rdma_destroy_id took ($sig); the server had ended normally"
		;;
	0)
		echo "the rping client passed; the server failed"
		return 1
		;;
	*)
		if killed "$crc"; then
			echo "the rping client was killed (status $crc)"
			return 1
		fi
		grep -q '^rdma_get_cm_event: Bad file descriptor$' /tmp/client.err || {
			echo "the rping client exited with status $crc without rping's exit race (no \"rdma_get_cm_event: Bad file descriptor\")"
			return 1
		}
		echo "the rping client's CM event thread read its closed event channel at exit (rdma_get_cm_event: Bad file descriptor); the server had ended normally"
		;;
	esac
}

# perftest_results FILE: perftest's results table in FILE: its header
# (the line with "#bytes") and at least one result row after it (the size
# and the iterations, then the figures).
perftest_results() {
	awk '/#bytes/ { head = 1; next }
		head && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && NF > 2 { row = 1 }
		END { exit !row }' "$1"
}

# perftest_side BASE: how far one side of the pair run got: "results"
# (its table printed), "clock" (its table's header, then its clock check
# failed where the row would be: "Can't produce a report", printed only
# once its iterations were complete), "exchange" (its header, then its
# exchange with the other side failed: "Couldn't read remote address"),
# or "none".
perftest_side() {
	if perftest_results "$1.out"; then
		echo results
	elif ! grep -q '#bytes' "$1.out"; then
		echo none
	elif grep -q "Can't produce a report" "$1.err"; then
		echo clock
	elif grep -q "Couldn't read remote address" "$1.err"; then
		echo exchange
	else
		echo none
	fi
}

# perftest_own_failure READY SERVER_CMD CLIENT_CMD: the pair run that just
# failed failed in perftest itself, after the data path had done its
# work: neither side timed out or was killed, no completion error was
# reported, the client printed its results (or its clock check failed in
# their place), the server got as far as perftest's servers do (below),
# and then perftest's own clock check ("Can't produce a report": under
# TCG the cycle counter can look too irregular to it) or its exchange
# after the results ("Couldn't read remote address") failed. Where the
# server prints results: ib_send_bw's server its own, before its last
# exchange; the write, read and atomic servers the client's, which they
# receive in that exchange (so its failure stands in for them); the
# latency servers none that are required. Says which, or why not.
perftest_own_failure() {
	pt_tool=${3%% *}
	if killed "$crc"; then
		echo "the client timed out or was killed (status $crc): a hang is never retried"
		return 1
	fi
	if killed "$src"; then
		echo "the server timed out or was killed (status $src): a hang is never retried"
		return 1
	fi
	cerr=$(grep -h "Completion with error\|Failed status\|Couldn't poll\|[Pp]oll CQ failed" /tmp/server.* /tmp/client.* | head -n 1)
	[ -z "$cerr" ] || {
		echo "a completion error was reported ($cerr)"
		return 1
	}
	own=$(grep -ho "Can't produce a report\|Couldn't read remote address" /tmp/server.err /tmp/client.err | head -n 1)
	[ -n "$own" ] || {
		echo "neither perftest's clock check nor its exchange after the results failed"
		return 1
	}
	cside=$(perftest_side /tmp/client)
	case $cside in
	results | clock) ;;
	*)
		echo "the client did not print its results (a \"#bytes\" header and a result row): it failed before its data path was done"
		return 1
		;;
	esac
	sside=$(perftest_side /tmp/server)
	case $pt_tool:$sside in
	ib_send_bw:results | ib_send_bw:clock) ;;
	ib_send_bw:*)
		echo "the $pt_tool server did not print its results: it failed before its data path was done"
		return 1
		;;
	ib_write_bw:results | ib_write_bw:exchange | ib_read_bw:results | ib_read_bw:exchange | ib_atomic_bw:results | ib_atomic_bw:exchange) ;;
	ib_*_bw:*)
		echo "the $pt_tool server neither printed the results nor failed in the exchange that brings them"
		return 1
		;;
	esac
	echo "perftest failed in itself after its results ($own; tables: client $cside, server $sside; exit: client $crc, server $src)"
}

# retry_name: the current test as suite/number, for the retry line.
retry_name() {
	rn_suite=${0##*/}
	# shellcheck disable=SC2154 # tap_count is lib.sh's, t's number
	echo "${rn_suite%.sh}/$tap_count"
}

# run_once_more OWN_FAILURE READY SERVER_CMD CLIENT_CMD: run_pair; a run
# that OWN_FAILURE (which says why) finds failed in the client program
# itself, not in the data path, is run once more. Either way the test
# says why; a retry is one line "retry: SUITE/TEST: REASON" (TAP "# retry:
# ...", which validation/run-vm.sh counts: more than one retry fails the
# step).
run_once_more() {
	own_failure=$1
	shift
	run_pair "$@" && return 0
	own_why=$("$own_failure" "$@") || {
		echo "not retried: $own_why"
		return 1
	}
	echo "retry: $(retry_name): $own_why"
	run_pair "$@" || return 1
	echo "the retry passed"
}

# run_rping, run_perftest READY SERVER_CMD CLIENT_CMD: run_pair for rping
# and perftest, with run_once_more.
run_rping() { run_once_more rping_own_failure "$@"; }
run_perftest() {
	case $(kparam sfab_plant none) in
	none) ;;
	stall)
		# $$ is the suite's shell: the first perftest run of each suite.
		if [ ! -e "/tmp/plant.$$" ]; then
			: >"/tmp/plant.$$"
			stalled run_once_more perftest_own_failure "$@"
			return
		fi
		;;
	*) fail "sfab_plant=$(kparam sfab_plant none) is not a plant: the one there is is stall" ;;
	esac
	run_once_more perftest_own_failure "$@"
}

# stalled COMMAND...: COMMAND run while DEV_A's completions are withheld
# (the vendor error injection's stall=1: a planted driver hang, the client
# waits for ever), then the stall off again; COMMAND's status. With
# sfab_plant=stall on the kernel command line (validation/run-vm.sh's
# SFAB_VM_PLANT=stall) the first perftest run of each suite runs so, and
# must fail its test: a driver hang is never retried into a pass.
stalled() {
	st_inj=/sys/kernel/debug/sfab/$DEV_A/inject
	mount_once debugfs /sys/kernel/debug
	[ -f "$st_inj" ] || fail "cannot plant the stall: $st_inj is missing ($DEV_A is not a vendor build's sfab device)"
	grep -q '^stall ' "$st_inj" || fail "cannot plant the stall: $st_inj has no stall setting (a build before it)"
	echo stall=1 >"$st_inj" || fail "cannot plant the stall: $st_inj refused stall=1"
	echo "planted: $DEV_A withholds its user CQs' completions (inject stall=1)"
	st_rc=0
	"$@" || st_rc=$?
	echo off >"$st_inj" || fail "cannot end the stall: $st_inj refused off"
	echo "completions withheld by the stall on $DEV_A so far: $(awk '$1 == "stalled" { print $2 }' "$st_inj")"
	return "$st_rc"
}

# ready_or_gone READY...: READY says the server listens, or it has exited.
ready_or_gone() { "$@" || server_gone; }

server_gone() { ! kill -0 "$server_pid" 2>/dev/null; }

# gidx_a, gidx_b: the RoCE v2 IPv4 GID index of DEV_A and DEV_B.
gidx_a() { gid_index "$DEV_A" "$IP_A" || fail "$DEV_A has no RoCE v2 GID of $IP_A"; }
gidx_b() { gid_index "$DEV_B" "$IP_B" || fail "$DEV_B has no RoCE v2 GID of $IP_B"; }

# active_mtu DEV: the port's active MTU in bytes (ibv_devinfo).
active_mtu() {
	ibv_devinfo -d "$1" | sed -n 's/^[[:space:]]*active_mtu:[[:space:]]*\([0-9]*\).*/\1/p'
}

# pair_label: how the tests name the current pair.
pair_label() { echo "$DEV_A (va) <-> $DEV_B (vb, netns peer)"; }

# pair_devices: the current pair's devices (hosts.sh), or the pair marked
# broken.
pair_devices() {
	rm -f "$pair_broken"
	if ! (add_pair_devices); then
		echo "the devices $DEV_A and $DEV_B could not be made" >"$pair_broken"
		exit 1
	fi
}

# first_exchange: ibv_rc_pingpong, 4 KiB, between the pair's hosts; if it
# fails, the pair is marked broken.
first_exchange() {
	[ ! -s "$pair_broken" ] || not_run
	ga=$(gidx_a) || fail "$ga"
	gb=$(gidx_b) || fail "$gb"
	if ! run_pair "tcp_listening 18515" "ibv_rc_pingpong -d $DEV_B -g $gb -s 4096 -n 10" \
		"ibv_rc_pingpong -d $DEV_A -g $ga -s 4096 -n 10 $IP_B"; then
		echo "the first RC exchange between $DEV_A and $DEV_B failed" >"$pair_broken"
		exit 1
	fi
}

# tp DESCRIPTION COMMAND...: a test of the current pair (t), failed at once
# if the pair is broken rather than after its client's timeout.
tp() {
	if [ -s "$pair_broken" ]; then
		t "$1" not_run
	else
		t "$@"
	fi
}

not_run() { fail "not run: $(cat "$pair_broken")"; }
