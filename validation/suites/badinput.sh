# shellcheck shell=sh
# Suite "badinput": what sfab does with packets and paths that are wrong.
# - sfab-rc-peer connects a hand-made RC requester to a real
#   ibv_rc_pingpong server on sfab1 (netns peer) and sends it crafted
#   packets: a PSN ahead (one PSN sequence NAK, then silence), a
#   duplicate (re-ACK), an unknown QP, a bad ICRC, a truncated packet, a
#   bad transport version, a pad count that leaves payload and pad off
#   the 4-byte boundary, the expected SEND from a forged source address
#   (all dropped silently and counted), the good SEND (ACK); then, with
#   the server's own SEND outstanding, a NAK for it from a forged address
#   and a NAK for a PSN long acknowledged (both dropped: the QP lives on),
#   an RDMA WRITE the QP does not allow (invalid request NAK, QP to
#   error), then a packet for the QP in error (dropped). A second
#   server gets a full SEND FIRST (ACK) and then a SEND LAST without
#   payload (invalid request NAK: a LAST packet carries data).
# - a lossy, duplicating, reordering and corrupting path (tc netem on
#   both veth ends): rping with data verification (the loss ends half
#   way, before its disconnect), ib_write_bw, ib_read_bw and
#   ib_atomic_bw still complete, and the retransmit counters show the
#   work.
# - bad verbs arguments from user space (guest/badverbs.py, pyverbs on
#   sfab0, a fresh pair of RC QPs per case): posting in RESET, too many
#   SGEs, a bad lkey, an SGE outside its MR, a receive too small or
#   without local write, a bad rkey, remote access not granted, a READ
#   past the MR's end, a misaligned atomic: EINVAL on posting, or the
#   completion status the IBA gives, on both sides where both see it.
# The kernel log must stay clean (run-vm.sh checks it). sfab only: the
# answers checked are the IBA's, as sfab gives them. Runs in the guest.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

# counter DEV NAME [peer]: one hw counter of DEV's port 1.
counter() {
	${3:+"$3"} rdma statistic show link "$1/1" |
		tr ' ' '\n' | awk -v n="$2" 'f { print; exit } $0 == n { f = 1 }'
}

# expect_step NAME ANSWER: sfab-rc-peer's answer to step NAME was ANSWER.
expect_step() {
	got=$(sed -n "s/^step $1: //p" /tmp/peer.out | sed -n 1p)
	[ "$got" = "$2" ] ||
		fail "step $1: expected '$2', got '${got:-no line}'; sfab-rc-peer said: $(tr '\n' ';' </tmp/peer.out)"
	echo "step $1: $got"
}

# crafted_run STEP...: sfab-rc-peer's STEPs against a fresh
# ibv_rc_pingpong server on sfab1, which expects our first PSN (256) and
# has no remote access; the answers in /tmp/peer.out.
crafted_run() {
	ip netns exec peer timeout 60 ibv_rc_pingpong -d sfab1 -g "$(gid_index sfab1 "$IP_B")" -n 3 \
		>/tmp/server.out 2>&1 &
	server=$!
	wait_secs 30 tcp_listening 18515 || fail "ibv_rc_pingpong did not listen"
	timeout 60 sfab-rc-peer "$IP_A" "$IP_B" "$@" >/tmp/peer.out 2>&1 ||
		fail "sfab-rc-peer failed: $(cat /tmp/peer.out)"
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
}

crafted() {
	crafted_run ahead:4:1000:a ahead2:4:1001:a dup:4:-1:a unknownqp:4:0:aq \
		badicrc:4:0:ac trunc:4:0:at tver:4:0:av padoff:4:0:ap spoofed:4:0:as good:4:0:a \
		spoofnak:17:0:nsSw stalenak:17:-100:nw \
		write:10:1:a after:4:2:a
	expect_step ahead "NAK code=0 psn=256"
	expect_step ahead2 "nothing"
	expect_step dup "ACK psn=255"
	expect_step unknownqp "nothing"
	expect_step badicrc "nothing"
	expect_step trunc "nothing"
	expect_step tver "nothing"
	expect_step padoff "nothing"
	expect_step spoofed "nothing"
	expect_step good "ACK psn=256"
	expect_step spoofnak "sent"
	expect_step stalenak "sent"
	expect_step write "NAK code=1 psn=257"
	expect_step after "nothing"
	crafted_run first:0:0:a emptylast:2:1:a
	expect_step first "ACK psn=256"
	expect_step emptylast "NAK code=1 psn=257"
}

# at_least NAME MIN: sfab1's counter NAME is at least MIN.
at_least() {
	v=$(counter sfab1 "$1" peer)
	[ "${v:-0}" -ge "$2" ] || fail "sfab1 $1 is ${v:-missing}, expected at least $2"
	echo "sfab1 $1 $v"
}

counted() {
	at_least seq_naks_sent 1
	at_least out_of_sequence 3
	at_least wrong_peer_dropped 2
	at_least duplicate_requests 1
	at_least unknown_qp_dropped 1
	at_least icrc_errors 1
	at_least malformed_dropped 3
	at_least other_naks_sent 2
}

run_badverbs() {
	gidx=$(gid_index "$DEV_A" "$IP_A") || fail "$DEV_A has no RoCE v2 GID of $IP_A"
	rc=0
	timeout -k 5 100 python3 /usr/share/sfab-vm/badverbs.py --dev "$DEV_A" --gid "$gidx" \
		>/tmp/badverbs.out 2>&1 || rc=$?
	cat /tmp/badverbs.out
	[ "$rc" -le 1 ] || fail "badverbs.py exited $rc"
	[ "$(grep -c ' ok ' /tmp/badverbs.out)" -gt 0 ] || fail "no case ran"
}

# verbs_case NAME: badverbs.py's case NAME gave the expected answer.
verbs_case() {
	line=$(grep "^$1 " /tmp/badverbs.out) || fail "case $1 did not run"
	echo "$line"
	case $line in "$1 ok "*) ;; *) fail "case $1 failed" ;; esac
}

# The lossy path's netem, on va and on vb; LOSS_OFF keeps only the delay
# (a "tc qdisc change" keeps the corruption it does not name).
LOSS_A="loss 3% duplicate 2% reorder 10% 50% delay 1ms corrupt 1%"
LOSS_B="loss 3% duplicate 2% delay 1ms corrupt 1%"
LOSS_OFF="loss 0% duplicate 0% corrupt 0% delay 1ms"

# netem add|change A B: netem A on va and B on vb.
netem() {
	# shellcheck disable=SC2086 # the parameters are meant to split
	must tc qdisc "$1" dev va root netem $2
	# shellcheck disable=SC2086
	must ip netns exec peer tc qdisc "$1" dev vb root netem $3
}

lossy() {
	must modprobe sch_netem
	netem add "$LOSS_A" "$LOSS_B"
	echo "netem both ways: loss 3%, duplicate 2%, corrupt 1%, delay 1 ms, reorder 10% (va)"
}

# rping's client ends with a disconnect request (DREQ) and destroys its
# CM ID at once; ib_cm then cancels the DREQ's retransmission, so a lost
# DREQ leaves the server waiting for ever, with any RDMA device. The loss
# therefore ends half way, once sfab1 has received 200 packets of the 50
# exchanges (about 9 each): the disconnect goes over a clean path, and
# the loss is back for the next tests.
lossy_rping() {
	rcvd=$IB/sfab1/ports/1/hw_counters/rcvd_pkts
	base=$(cat "$rcvd")
	(
		while [ $(($(cat "$rcvd") - base)) -lt 200 ]; do sleep 0.2; done
		netem change "$LOSS_OFF" "$LOSS_OFF"
		echo "the loss ended after $(($(cat "$rcvd") - base)) packets to sfab1:" \
			"$(tc qdisc show dev va | grep -o 'netem.*')"
	) >/tmp/loss-window.out 2>&1 &
	window=$!
	rc=0
	show_lines=4 run_rping cm_listening \
		"rping -s -a $IP_B -V -C 50 -S 4000" \
		"rping -c -a $IP_B -V -C 50 -S 4000" || rc=$?
	kill "$window" 2>/dev/null
	wait "$window" 2>/dev/null
	cat /tmp/loss-window.out
	netem change "$LOSS_A" "$LOSS_B"
	[ "$rc" -eq 0 ] || exit 1
	grep -q 'the loss ended' /tmp/loss-window.out || fail "rping ended before the loss did: its exchanges did not all run over the lossy path"
	! grep -qi 'mismatch' /tmp/server.* /tmp/client.* || fail "rping reported a data mismatch"
	echo "50 verified rping exchanges of 4000 B"
}

# lossy_perftest CLIENT ARGS: perftest's CLIENT with ARGS completes.
lossy_perftest() {
	gidx=$(gid_index "$DEV_A" "$IP_A")
	show_lines=4 run_perftest "tcp_listening 18515" \
		"$1 -d $DEV_B -x $gidx $2" \
		"$1 -d $DEV_A -x $gidx $2 $IP_B" || exit 1
	tail -n 2 /tmp/client.out
}

retransmitted() {
	a=$(counter "$DEV_A" retransmits)
	b=$(counter "$DEV_B" retransmits peer)
	echo "retransmits: $DEV_A $a, $DEV_B $b; icrc_errors: $(counter "$DEV_A" icrc_errors), $(counter "$DEV_B" icrc_errors peer)"
	[ $((a + b)) -gt 0 ] || fail "a lossy path and no retransmission"
}

unlossy() {
	must modprobe sch_netem
	must tc qdisc del dev va root
	must ip netns exec peer tc qdisc del dev vb root
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
use_pair sfab:sfab
t "sfab1 on vb (netns peer): port ACTIVE, RoCE v2 GID" add_rdma_dev sfab1 vb "$IP_B" peer
t "crafted packets to RC QPs: NAKs, ACKs and drops as the IBA says" crafted
t "sfab1 counted them (sequence, duplicate, unknown QP, ICRC, malformed, wrong peer, NAKs)" counted
t "sfab0 on va: port ACTIVE, RoCE v2 GID" add_rdma_dev sfab0 va "$IP_A"
t "bad verbs arguments, through pyverbs on sfab0: the cases run" run_badverbs
t "bad verbs: a good SEND between the case's QPs completes (control)" verbs_case good_send
t "bad verbs: post_send in RESET fails with EINVAL" verbs_case send_in_reset
t "bad verbs: post_recv in RESET fails with EINVAL" verbs_case recv_in_reset
t "bad verbs: more SGEs than max_send_sge fails on posting" verbs_case too_many_sges
t "bad verbs: an lkey of no MR completes with LOC_PROT_ERR" verbs_case bad_lkey
t "bad verbs: an SGE past its MR's end completes with LOC_PROT_ERR" verbs_case sge_outside_mr
t "bad verbs: after an error, the next WR is flushed (WR_FLUSH_ERR)" verbs_case flush_after_error
t "bad verbs: a receive too small: LOC_LEN_ERR there, REM_INV_REQ_ERR at the sender" verbs_case recv_too_small
t "bad verbs: a receive into an MR without local write: LOC_PROT_ERR there, REM_OP_ERR at the sender" verbs_case recv_no_local_write
t "bad verbs: SEND_WITH_INV of an rkey of no MR: REM_INV_REQ_ERR at both ends" verbs_case send_inv_bad_rkey
t "bad verbs: RDMA WRITE with an rkey of no MR: REM_ACCESS_ERR" verbs_case write_bad_rkey
t "bad verbs: RDMA WRITE to an MR without remote write: REM_ACCESS_ERR" verbs_case write_no_remote_access
t "bad verbs: RDMA READ past the remote MR's end: REM_ACCESS_ERR" verbs_case read_past_end
t "bad verbs: a misaligned atomic: REM_INV_REQ_ERR" verbs_case atomic_misaligned
t "bad verbs: atomics return the value before them and leave the IBA's result (64-bit carry, swap hit and miss)" verbs_case atomic_results
t "a lossy path: tc netem on va and vb" lossy
t "lossy path: ib_write_bw 64 KiB completes" lossy_perftest ib_write_bw "-s 65536 -n 100"
t "lossy path: rping -V, 50 exchanges, data verified (the loss ends before the disconnect)" lossy_rping
t "lossy path: ib_read_bw 64 KiB completes" lossy_perftest ib_read_bw "-s 65536 -n 100"
t "lossy path: ib_atomic_bw completes" lossy_perftest ib_atomic_bw "-n 500"
t "lossy path: the counters show retransmissions" retransmitted
t "netem off" unlossy
t "rdma link delete sfab0 and sfab1, sfab unloads" del_pair_devices
teardown_hosts
done_testing
