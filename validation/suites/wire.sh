# shellcheck shell=sh
# Suite "wire": what the devices put on the wire. dumpcap captures on va
# while real clients run across the two namespaces (RC SEND, RDMA WRITE,
# RDMA READ and atomics, UD SEND, rdma_cm's MADs on QP1); tshark then
# dissects the capture: every packet to UDP port 4791 must dissect as
# InfiniBand (RoCEv2), no packet may be malformed or carry an expert-info
# error, and each of those kinds of packet must be there. Runs in the
# guest; TAP on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

cap=/tmp/wire.pcapng

capturing() { grep -q "Capturing on" /tmp/dumpcap.out; }

start_capture() {
	rm -f "$cap"
	dumpcap -i va -q -w "$cap" >/tmp/dumpcap.out 2>&1 &
	echo $! >/tmp/dumpcap.pid
	wait_secs 30 capturing || fail "dumpcap did not start: $(cat /tmp/dumpcap.out)"
}

# traffic: the clients the capture is of; any failure fails the test.
traffic() {
	ga=$(gidx_a) || fail "$ga"
	gb=$(gidx_b) || fail "$gb"
	mtu=$(active_mtu "$DEV_A")
	tcp="tcp_listening 18515"
	run_pair "$tcp" "ibv_rc_pingpong -d $DEV_B -g $gb -s 4096 -n 20" \
		"ibv_rc_pingpong -d $DEV_A -g $ga -s 4096 -n 20 $IP_B" || exit 1
	run_pair "$tcp" "ibv_ud_pingpong -d $DEV_B -g $gb -s $mtu -n 20" \
		"ibv_ud_pingpong -d $DEV_A -g $ga -s $mtu -n 20 $IP_B" || exit 1
	for tool in ib_write_bw ib_read_bw ib_atomic_bw; do
		run_perftest "$tcp" "$tool -d $DEV_B -x $gb -F -n 50" \
			"$tool -d $DEV_A -x $ga -F -n 50 $IP_B" || exit 1
	done
	run_rping cm_listening "rping -s -a $IP_B -V -C 20 -S 64" \
		"rping -c -a $IP_B -V -C 20 -S 64" || exit 1
}

stop_capture() {
	pid=$(cat /tmp/dumpcap.pid)
	kill -INT "$pid" 2>/dev/null || fail "dumpcap is not running: $(cat /tmp/dumpcap.out)"
	wait_secs 30 sh -c "! kill -0 $pid" || fail "dumpcap did not stop"
	[ -s "$cap" ] || fail "no capture: $(cat /tmp/dumpcap.out)"
	tail -n 3 /tmp/dumpcap.out
}

# dissect: one tshark pass over the RoCEv2 packets, a line per packet:
# "opcode dest-QP mad-class", in decimal (empty fields as "-").
dissect() {
	tshark -r "$cap" -Y 'udp.dstport == 4791' -T fields -E occurrence=f \
		-e infiniband.bth.opcode -e infiniband.bth.destqp -e infiniband.mad.mgmtclass \
		2>/tmp/tshark.err >/tmp/wire.raw || fail "tshark failed: $(cat /tmp/tshark.err)"
	awk -F'\t' '
		function num(s,   i, v) {
			if (s == "") return "-"
			if (s !~ /^0x/) return s + 0
			v = 0
			for (i = 3; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
			return v
		}
		{ print num($1), num($2), num($3) }' /tmp/wire.raw >/tmp/wire.fields
}

all_infiniband() {
	dissect || exit 1
	total=$(wc -l </tmp/wire.fields)
	[ "$total" -gt 0 ] || fail "no packet to UDP port 4791 in the capture"
	notib=$(awk '$1 == "-"' /tmp/wire.fields | wc -l)
	echo "$total RoCEv2 packets, $notib not dissected as InfiniBand"
	[ "$notib" -eq 0 ] || fail "$notib packets to UDP 4791 are not InfiniBand"
}

# The RoCEv2 packets only: the capture also holds the clients' own TCP
# connection setup (perftest's port 18515), which tshark's heuristics
# sometimes take for another protocol and call malformed. One tshark pass
# (its start is seconds under TCG), a line per packet: number, UDP ports,
# the malformed marker, the expert-info severities (an error is 0x800000;
# tshark prints it in decimal or in hex, by version).
no_malformed() {
	tshark -r "$cap" -T fields -E occurrence=a -e frame.number -e udp.port -e _ws.malformed \
		-e _ws.expert.severity >/tmp/wire.ws 2>/tmp/tshark.err || fail "tshark failed: $(cat /tmp/tshark.err)"
	awk -F'\t' '{
			roce = $2 ~ /(^|,)4791(,|$)/
			bad = $3 != "" || $4 ~ /(^|,)(8388608|0x0*800000)(,|$)/
			print (roce ? "roce" : "other"), (bad ? "bad" : "good"), $1
		}' /tmp/wire.ws >/tmp/wire.class
	all=$(grep -c '^roce ' /tmp/wire.class) || true
	bad=$(grep -c '^roce bad ' /tmp/wire.class) || true
	echo "$all RoCEv2 packets captured, $bad malformed or with an expert-info error"
	other=$(grep -c '^other bad ' /tmp/wire.class) || true
	[ "$other" -eq 0 ] || echo "(not RoCEv2, not counted: $other packets tshark calls malformed or in error)"
	[ "$all" -gt 0 ] || fail "no RoCEv2 packet in the capture"
	if [ "$bad" -gt 0 ]; then
		# The first 20 bad frames, shown in full.
		sel=$(awk '$1 == "roce" && $2 == "bad" && n++ < 20 { printf "%sframe.number == %s", sep, $3; sep = " || " }' /tmp/wire.class)
		tshark -r "$cap" -Y "$sel" -V 2>&1 | head -n 200
		fail "$bad malformed packets (above: $sel)"
	fi
}

# BTH opcodes (IBTA vol. 1, 9.2): RC 0x00-0x14, UD SEND ONLY 0x64.
kinds() {
	echo "BTH opcodes seen (packets, opcode):"
	awk 'BEGIN {
			split("SEND_FIRST SEND_MIDDLE SEND_LAST SEND_LAST_IMM SEND_ONLY SEND_ONLY_IMM " \
				"WRITE_FIRST WRITE_MIDDLE WRITE_LAST WRITE_LAST_IMM WRITE_ONLY WRITE_ONLY_IMM " \
				"READ_REQUEST READ_RESPONSE_FIRST READ_RESPONSE_MIDDLE READ_RESPONSE_LAST " \
				"READ_RESPONSE_ONLY ACKNOWLEDGE ATOMIC_ACKNOWLEDGE CMP_SWAP FETCH_ADD", rc, " ")
			name[100] = "UD SEND_ONLY"; name[101] = "UD SEND_ONLY_IMM"
		}
		{
			k = $1
			if ($1 in name) k = name[$1]
			else if ($1 ~ /^[0-9]+$/ && $1 <= 20) k = "RC " rc[$1 + 1]
			if ($2 == 1) k = k " to QP1, MAD class " $3
			n[$1 " " k]++
		}
		END { for (k in n) print n[k], k }' /tmp/wire.fields | sort -n -k2 | awk '{ c = $1; $1 = $2 = ""; sub(/^ +/, ""); print c, $0 }'
	want='RC_SEND:^(0|1|2|3|4|5)$ RC_RDMA_WRITE:^(6|7|8|9|10|11)$ RC_READ_REQUEST:^12$
		RC_READ_RESPONSE:^(13|14|15|16)$ RC_ACK:^17$ RC_ATOMIC:^(19|20)$
		RC_ATOMIC_ACK:^18$ UD_SEND:^(100|101)$'
	for w in $want; do
		awk -v re="${w#*:}" '$1 ~ re { found = 1 } END { exit !found }' /tmp/wire.fields ||
			fail "no ${w%%:*} packet in the capture"
	done
	# rdma_cm's MADs: class 7 (CM) on QP1.
	awk '$2 == 1 && $3 == 7 { found = 1 } END { exit !found }' /tmp/wire.fields ||
		fail "no CM MAD (QP1, class 7) in the capture"
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
for pair in $(dev_pairs); do
	use_pair "$pair"
	label=$(pair_label)
	t "$DEV_A on va and $DEV_B on vb (netns peer): ports ACTIVE, RoCE v2 GIDs" pair_devices
	t "first RC exchange (the pair's other clients run only if it works), $label" first_exchange
	tp "dumpcap captures on va" start_capture
	tp "under capture: pingpongs RC and UD, ib_write/read/atomic_bw, rping, $label" traffic
	tp "the capture stops" stop_capture
	tp "every packet to UDP 4791 dissects as InfiniBand (tshark), $label" all_infiniband
	tp "no malformed packet, no expert-info error (tshark), $label" no_malformed
	tp "SEND, RDMA WRITE, READ, atomics, ACKs, UD SEND and CM MADs all on the wire" kinds
	t "rdma link delete $DEV_A and $DEV_B, device modules unload" del_pair_devices
done
teardown_hosts
done_testing
