# shellcheck shell=sh
# Running real RDMA clients between the two hosts: a server in netns peer
# (on DEV_B, vb), a client in the init netns (on DEV_A, va), each under a
# timeout so that a hang fails one test and not the run. Sourced by the
# data-path suites after lib.sh and hosts.sh.

# The depth of the data-path suites: quick (make check) or full.
# shellcheck disable=SC2034 # used by the suites that source this
DEPTH=$(kparam sfab_depth quick)

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
	# shellcheck disable=SC2086 # the commands are meant to split
	ip netns exec peer timeout -k 5 $((client_timeout + 15)) $2 \
		>/tmp/server.out 2>/tmp/server.err &
	server_pid=$!
	# shellcheck disable=SC2086
	if ! wait_secs 30 ready_or_gone $1 || server_gone; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid"
		show /tmp/server "server ($2)"
		fail "the server did not start listening within 30s: $2"
	fi
	# The client's output is line-buffered, so what it printed survives
	# a kill; if it is still running just before its timeout, the state
	# of both sides is taken first (pair_state).
	rm -f /tmp/pair.state /tmp/pair.stacks
	(
		sleep $((client_timeout > 5 ? client_timeout - 3 : 2))
		pair_state >/tmp/pair.state 2>&1
		client_stacks "$3" >/tmp/pair.stacks 2>&1
	) &
	watcher=$!
	crc=0
	# shellcheck disable=SC2086
	timeout -k 5 "$client_timeout" stdbuf -oL $3 >/tmp/client.out 2>/tmp/client.err || crc=$?
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null || true
	# The server ends when its client does; give it a few seconds.
	if ! wait_secs 15 server_gone; then
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
		cat /tmp/pair.state /tmp/pair.stacks
	fi
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

# client_stacks CMD: the kernel stack of each thread of the running
# client CMD (the command line run_pair ran).
client_stacks() {
	for p in $(pgrep -fx "$1"); do
		for t in /proc/"$p"/task/*; do
			echo "client $p thread ${t##*/} ($(cat "$t/comm")):"
			cat "$t/stack" 2>/dev/null || echo "wchan $(cat "$t/wchan")"
		done
	done
}

# rping_own_failure: the rping pair run that just failed failed in rping
# itself, after its pings and its disconnect: the server ended normally
# on the client's disconnect request, the client reported no error of
# its own, and its exit lost one of the races of rping's CM event thread
# with the main thread's teardown. In rdma-core 56.1 (the rping of
# bullseye, bookworm and trixie here) that thread reads from the event
# channel after main has closed it ("rdma_get_cm_event: Bad file
# descriptor", exit status 255). In 65.0 (sid), whose main stops that
# thread through an eventfd, main's rdma_destroy_id can take the
# DISCONNECTED event the thread was woken for by poll(), and the thread
# then blocks for ever in its read (ucma_get_event in its stack). Says
# which, for run_once_more.
rping_own_failure() {
	[ "$src" -eq 0 ] && grep -q '^server DISCONNECT EVENT' /tmp/server.err || return 1
	! grep -v '^client DISCONNECT EVENT\|^rdma_get_cm_event: Bad file descriptor$' /tmp/client.err |
		grep -q . || return 1
	! grep -qi 'mismatch' /tmp/server.* /tmp/client.* || return 1
	case $crc in
	124)
		grep -q 'ucma_get_event' /tmp/pair.stacks 2>/dev/null || return 1
		echo "the rping client hung in its own exit, its CM event thread in a read whose event rdma_destroy_id took; the server had ended normally"
		;;
	0) return 1 ;;
	*)
		grep -q '^rdma_get_cm_event: Bad file descriptor$' /tmp/client.err || return 1
		echo "the rping client's CM event thread read its closed event channel at exit (rdma_get_cm_event: Bad file descriptor); the server had ended normally"
		;;
	esac
}

# perftest_own_failure: the pair run that just failed failed in perftest
# itself, not in the data path: no completion error on either side, and
# perftest's clock check gave up (under TCG the cycle counter can look
# too irregular to it: "Can't produce a report") or its exchange after
# the results did ("Couldn't read remote address"). Says which, for
# run_once_more.
perftest_own_failure() {
	! grep -q "Completion with error\|Failed status" /tmp/server.* /tmp/client.* || return 1
	own=$(grep -ho "Can't produce a report\|Couldn't read remote address" /tmp/server.* /tmp/client.* | head -n 1)
	[ -n "$own" ] || return 1
	echo "perftest failed in itself, not in the data path ($own)"
}

# run_once_more OWN_FAILURE READY SERVER_CMD CLIENT_CMD: run_pair; a run
# that OWN_FAILURE (which says why) finds failed in the client program
# itself, not in the data path, is run once more, and the test says so.
run_once_more() {
	own_failure=$1
	shift
	run_pair "$@" && return 0
	own_why=$("$own_failure") || return 1
	echo "retrying: $own_why"
	run_pair "$@" || return 1
	echo "the retry passed"
}

# run_rping, run_perftest READY SERVER_CMD CLIENT_CMD: run_pair for rping
# and perftest, with run_once_more.
run_rping() { run_once_more rping_own_failure "$@"; }
run_perftest() { run_once_more perftest_own_failure "$@"; }

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
