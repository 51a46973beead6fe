# shellcheck shell=sh
# Suite "diag": the field diagnostics against a live workload on sfab0
# (va) and sfab1 (vb, netns peer). The kernel side: each QP's state and
# counters in restrack (rdma res show qp -dd) and the vendor build's
# error injection (debugfs). sfabdiag (the sfab-diag package): status,
# version, counters (watch mode), qp list/show, capture (read back by
# tshark, no malformed packet), inject (loss, corruption and delay show
# in the counters while ibv_rc_pingpong still completes with its
# receive-buffer check), bundle (every item present) and --json that
# parses, against RC and UD traffic; and a planted driver hang (the
# injection's completion stall) that fails its perftest and rping runs
# without a retry. sfab only: with sfab_dev=rxe or
# interop the suite has nothing to test and says so; so it does, as one
# skipped test, on a build whose sfabdiag predates these commands (the
# hotfixes of release 0.1.0). Runs in the guest; TAP on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

DBG=/sys/kernel/debug
INJ_A=$DBG/sfab/sfab0/inject
INJ_B=$DBG/sfab/sfab1/inject

# json_ok FILE [PYTHON]: FILE holds one JSON document (and PYTHON, an
# expression over it as "d", holds).
json_ok() {
	python3 - "$1" "${2:-True}" <<'EOF' || fail "$1: $(head -c 400 "$1")"
import json, sys
d = json.load(open(sys.argv[1]))
if not eval(sys.argv[2]):
    sys.exit("%s: %s does not hold" % (sys.argv[1], sys.argv[2]))
EOF
}

# counter DEV NAME: the device counter NAME (sysfs hw_counters).
counter() { cat "$IB/$1/ports/1/hw_counters/$2"; }

# res_qp_attr DEV QPN NAME: driver attribute NAME of QP QPN of DEV, from
# rdma res show qp -dd (restrack).
res_qp_attr() {
	rdma -dd res show qp link "$1" lqpn "$2" | tr -s '[:space:]' '\n' |
		awk -v k="drv_$3" 'prev == k { print; exit } { prev = $0 }'
}

# workload rc|ud N SIZE: ibv_rc_pingpong or ibv_ud_pingpong, N exchanges
# of SIZE bytes with the receive check, in the background; pingpong_wait
# collects it, live_end stops it.
workload() {
	wl=ibv_$1_pingpong
	pkill -x "$wl" || true
	ga=$(gidx_a) || fail "$ga"
	gb=$(gidx_b) || fail "$gb"
	peer "$wl" -d "$DEV_B" -g "$gb" -s "$3" -n "$2" -c >/tmp/wl-server.out 2>/tmp/wl-server.err &
	wl_server=$!
	wait_secs 30 tcp_listening 18515 || fail "the $wl server did not listen: $(cat /tmp/wl-server.err)"
	"$wl" -d "$DEV_A" -g "$ga" -s "$3" -n "$2" -c "$IP_B" >/tmp/wl-client.out 2>/tmp/wl-client.err &
	wl_client=$!
}

pingpong_wait() {
	rc=0
	wait "$wl_client" || rc=$?
	wait "$wl_server" || rc=$?
	show /tmp/wl-client "client"
	show /tmp/wl-server "server"
	[ "$rc" -eq 0 ] || fail "the pingpong failed (status $rc)"
	! grep -q 'invalid data' /tmp/wl-client.* /tmp/wl-server.* || fail "the pingpong reported invalid data"
	grep -q " iters in " /tmp/wl-client.out || fail "the client reported no iterations"
}

# rc_qpn DEV: the QPN of DEV's RC QP in RTS (the workload's).
rc_qpn() {
	rdma res show qp link "$1" | awk '/type RC/ && /state RTS/ { for (i = 1; i < NF; i++) if ($i == "lqpn") { print $(i + 1); exit } }'
}

# live_workload rc|ud SIZE: a workload of more exchanges than the checks
# that observe it will ever take: the traffic is live for as long as they
# run, however fast or slow the guest is.
live_workload() { workload "$1" 100000000 "$2"; }

# live_end: the workload ran through every check that needed it (both
# sides were still running, no error reported); it is stopped.
live_end() {
	n=$(pgrep -cx "$wl") || true
	pkill -x "$wl"
	wait
	show /tmp/wl-client "client"
	show /tmp/wl-server "server"
	[ "$n" -eq 2 ] || fail "$wl ended during the checks ($n of its 2 sides left): the checks did not all see live traffic"
	! grep -qi 'invalid data\|failed\|error' /tmp/wl-client.* /tmp/wl-server.* || fail "$wl reported an error"
}

# --- kernel side ------------------------------------------------------------

restrack_live() {
	live_workload rc 4096
	wait_for sh -c "[ -n \"\$(rdma res show qp link $DEV_A | grep 'type RC.*state RTS')\" ]" ||
		fail "no RC QP in RTS on $DEV_A: $(rdma res show qp link "$DEV_A")"
	q=$(rc_qpn "$DEV_A")
	rdma -dd res show qp link "$DEV_A" lqpn "$q"
	for k in una_psn sq_posted rq_posted rd_atomic retry_left rnr_left timeout retry_cnt rnr_retry mtu udp_sport dgid sent_pkts rcvd_pkts retransmits; do
		v=$(res_qp_attr "$DEV_A" "$q" "$k")
		[ -n "$v" ] || fail "rdma res show qp -dd: no $k for QP $q"
	done
	[ "$(res_qp_attr "$DEV_A" "$q" dgid)" = "::ffff:$IP_B" ] || fail "dgid is not ::ffff:$IP_B"
	[ "$(res_qp_attr "$DEV_A" "$q" sent_pkts)" -gt 0 ] || fail "QP $q sent no packets"
	live_end
}

inject_raw() {
	mount_once debugfs "$DBG"
	[ -f "$INJ_B" ] || fail "$INJ_B is missing: not a vendor build"
	cat "$INJ_B"
	grep -qx 'drop_ppm 0' "$INJ_B" || fail "injection is not off at start"
	! echo "drop_ppm=2000000" >"$INJ_B" 2>/dev/null || fail "drop_ppm=2000000 was accepted"
	! echo "bogus=1" >"$INJ_B" 2>/dev/null || fail "bogus=1 was accepted"
	echo "drop_ppm=50000 qpn=7" >"$INJ_B" || fail "a valid write was refused"
	grep -qx 'qpn 7' "$INJ_B" || fail "qpn did not take"
	! echo "stall=2" >"$INJ_B" 2>/dev/null || fail "stall=2 was accepted"
	grep -qx 'stall 0' "$INJ_B" || fail "the stall is not off by default"
	echo "stall=1" >"$INJ_B" || fail "stall=1 was refused"
	grep -qx 'stall 1' "$INJ_B" || fail "stall did not take"
	grep -qx 'drop_ppm 0' "$INJ_B" || fail "stall=1 left drop_ppm set: a write is the whole setting"
	echo off >"$INJ_B"
	grep -qx 'qpn -1' "$INJ_B" || fail "off did not reset qpn"
	grep -qx 'drop_ppm 0' "$INJ_B" || fail "off did not reset drop_ppm"
	grep -qx 'stall 0' "$INJ_B" || fail "off did not end the stall"
}

# inj_count KEY: sfab1's inject counter KEY (dropped, corrupted, delayed).
inj_count() { awk -v k="$1" '$1 == k { print $2 }' "$INJ_B"; }

# running PID: PID is a live process, not a zombie.
running() {
	ps_st=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${ps_st#Z}" = "$ps_st" ]
}

# inject_until KEY BASE MIN OFF...: while the workload runs, waits until
# sfab1's inject counter KEY (which counts from the device's creation)
# has grown by MIN from BASE, then ends the injection with OFF. No RC
# application survives the loss of the ACK of its last message, whatever
# the transport: its peer has gone when the retransmission comes
# (ibv_rc_pingpong's server then fails with "transport retry counter
# exceeded"). So the injection must end while the workload runs, not
# after it: it does after MIN packets, a small part of what a run of 300
# exchanges sends.
inject_until() {
	k=$1
	base=$2
	min=$3
	shift 3
	while [ $(($(inj_count "$k") - base)) -lt "$min" ] && running "$wl_client"; do
		sleep 0.1
	done
	live=no
	! running "$wl_client" || live=yes
	"$@" || fail "cannot end the injection: $*"
	echo "injection ended after $(($(inj_count "$k") - base)) packets $k; workload still running: $live"
}

# inj_off: sfab1's injection off (debugfs).
inj_off() { echo off >"$INJ_B"; }

# inject_live SETTING COUNTER: SETTING (raw key=value) on sfab1 during
# a pingpong (inject_until), which still completes with the receive
# check, and COUNTER (of the inject file) and the sender's retransmits
# or the receiver's ICRC errors grew.
inject_live() {
	r0=$(counter "$DEV_A" retransmits)
	i0=$(counter "$DEV_B" icrc_errors)
	n0=$(inj_count "$2")
	echo "$1" >"$INJ_B" || fail "cannot write $1"
	workload rc 300 4096
	inject_until "$2" "$n0" 10 inj_off
	pingpong_wait
	cat "$INJ_B"
	n=$(($(inj_count "$2") - n0))
	[ "$n" -gt 0 ] || fail "nothing was $2"
	r1=$(counter "$DEV_A" retransmits)
	i1=$(counter "$DEV_B" icrc_errors)
	echo "retransmits on $DEV_A: $r0 -> $r1; icrc_errors on $DEV_B: $i0 -> $i1"
	case $2 in
	dropped) [ "$r1" -gt "$r0" ] || fail "no retransmit after $n drops" ;;
	corrupted)
		[ "$i1" -gt "$i0" ] || fail "no ICRC error after $n corrupted packets"
		[ "$r1" -gt "$r0" ] || fail "no retransmit after $n corrupted packets"
		;;
	esac
}

inject_unload() {
	echo "drop_ppm=500000 stall=1" >"$INJ_B" || fail "cannot write"
	del_pair_devices
	pair_devices
	grep -qx 'drop_ppm 0' "$INJ_B" || fail "injection survived the device: $(cat "$INJ_B")"
	grep -qx 'stall 0' "$INJ_B" || fail "the stall survived the device: $(cat "$INJ_B")"
}

# --- a planted driver hang: the retries cannot hide it ----------------------

# planted_hang rping|perftest: one client run of run_rping or run_perftest
# (validation/guest/clients.sh, with their retry classifiers) while sfab0
# withholds its user CQs' completions (stalled: inject stall=1), a client
# timeout of 10 s: the run fails, and is not retried (no "retry:" line, a
# classifier's "not retried:" verdict); the stall withheld completions
# and is off after it. The inner run's lines are shown indented.
planted_hang() {
	client_timeout=10
	ga=$(gidx_a) || fail "$ga"
	gb=$(gidx_b) || fail "$gb"
	rc=0
	case $1 in
	rping)
		(stalled run_rping cm_listening "rping -s -a $IP_B -V -C 20 -S 64" \
			"rping -c -a $IP_B -V -C 20 -S 64") >/tmp/planted.out 2>&1 || rc=$?
		;;
	perftest)
		(stalled run_perftest "tcp_listening 18515" \
			"ib_write_bw -d $DEV_B -x $gb -F -s 4096 -n 100" \
			"ib_write_bw -d $DEV_A -x $ga -F -s 4096 -n 100 $IP_B") >/tmp/planted.out 2>&1 || rc=$?
		;;
	esac
	sed 's/^/  | /' /tmp/planted.out
	grep -q '^planted: ' /tmp/planted.out || fail "the stall was not planted (above)"
	[ "$rc" -ne 0 ] || fail "the $1 run passed while $DEV_A withheld its completions: the stall did not stall"
	! grep -q '^retry: ' /tmp/planted.out ||
		fail "a planted driver hang was retried: the $1 retry classifier (validation/guest/clients.sh) would hide a driver bug"
	grep -q '^not retried: ' /tmp/planted.out ||
		fail "the failed run has no verdict of the $1 retry classifier"
	n=$(sed -n 's/^completions withheld by the stall on [^ ]* so far: \([0-9]*\)$/\1/p' /tmp/planted.out)
	[ "${n:-0}" -gt 0 ] || fail "the stall withheld no completion"
	grep -qx 'stall 0' "$INJ_A" || fail "the stall is still on: $(cat "$INJ_A")"
	echo "the $1 run failed, not retried, after $n withheld completions"
}

# after_stall: the stall off, the pair works: a short ibv_rc_pingpong.
after_stall() {
	grep -qx 'stall 0' "$INJ_A" || fail "the stall is still on: $(cat "$INJ_A")"
	ga=$(gidx_a) || fail "$ga"
	gb=$(gidx_b) || fail "$gb"
	run_pair "tcp_listening 18515" "ibv_rc_pingpong -d $DEV_B -g $gb -s 4096 -n 10 -c" \
		"ibv_rc_pingpong -d $DEV_A -g $ga -s 4096 -n 10 -c $IP_B" || exit 1
	grep -q "10 iters in" /tmp/client.out || fail "the client did not report 10 iterations"
}

# --- sfabdiag (the sfab-diag package) --------------------------------------

# sd NAME ARGS...: sfabdiag ARGS, output in /tmp/sd.NAME.out (and .err),
# exit status in $sd_rc; the output is shown, with how long it took.
sd() {
	n=$1
	shift
	sd_rc=0
	sd_t0=$(cut -d ' ' -f 1 /proc/uptime)
	sfabdiag "$@" >"/tmp/sd.$n.out" 2>"/tmp/sd.$n.err" || sd_rc=$?
	echo "\$ sfabdiag $* (exit $sd_rc, $(awk -v t="$sd_t0" '{ printf "%.1f", $1 - t }' /proc/uptime) s)"
	head -n 40 "/tmp/sd.$n.out"
	[ ! -s "/tmp/sd.$n.err" ] || sed 's/^/stderr: /' "/tmp/sd.$n.err" | head -n 10
}

sd_expect() { [ "$sd_rc" -eq "$1" ] || fail "sfabdiag exited $sd_rc, expected $1"; }

sd_no_device() {
	command -v sfabdiag >/dev/null || fail "sfabdiag is not installed"
	must modprobe sfab
	sd nodev status
	sd_expect 3
	grep -qi 'no sfab device' /tmp/sd.nodev.out /tmp/sd.nodev.err || fail "status does not say there is no sfab device"
}

sd_status() {
	sd status status
	[ "$sd_rc" -le 1 ] || fail "status exited $sd_rc"
	sd statusj --json status
	json_ok /tmp/sd.statusj.out "any(e.get('ifname') == 'sfab0' for e in d) and any(e.get('ifname') == 'sfab1' for e in d)"
	sd version version
	sd_expect 0
	sd versionj --json version
	json_ok /tmp/sd.versionj.out
}

# sd_live_rc: counters (watch), qp list/show and capture against a
# running ibv_rc_pingpong; the capture read back by tshark.
sd_live_rc() {
	live_workload rc 4096
	wait_for sh -c "[ -n \"\$(rdma res show qp link $DEV_A | grep 'type RC.*state RTS')\" ]" ||
		fail "no RC QP in RTS on $DEV_A"
	q=$(rc_qpn "$DEV_A")
	sd qpl --json qp list
	sd_expect 0
	json_ok /tmp/sd.qpl.out "any(e.get('ifname') == 'sfab0' and e.get('type') == 'RC' and e.get('state') == 'RTS' and (e.get('driver') or {}).get('dgid') == '::ffff:$IP_B' for e in d)"
	sd qps qp show "$q" -d "$DEV_A"
	sd_expect 0
	grep -q una_psn /tmp/sd.qps.out || fail "qp show has no una_psn"
	sd qpt qp list
	sd_expect 0
	sd cnt --json counters -d "$DEV_A" --qp -w 1 -n 2
	sd_expect 0
	sd cntt counters -d "$DEV_A" -w 1 -n 2
	sd_expect 0
	# Watch mode: one JSON document per sample, one sample per line.
	python3 - /tmp/sd.cnt.out "$q" <<'EOF2' || fail "counters -w: not 2 samples with sent_pkts rates over 0 for $DEV_A and QP $q"
import json, sys
samples = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
assert len(samples) == 2, len(samples)
last = samples[1]
dev = [e for e in last if e.get("entry") == "device"]
qp = [e for e in last if e.get("entry") == "qp" and e.get("lqpn") == int(sys.argv[2])]
assert dev and dev[0]["rates"]["sent_pkts"] > 0, dev
assert qp and qp[0]["rates"]["sent_pkts"] > 0, qp
EOF2
	sd cap capture -d "$DEV_A" -o /tmp/rc.pcapng -c 40 --duration 60
	sd_expect 0
	tshark_ok /tmp/rc.pcapng 40
	live_end
}

# tshark_ok FILE N [FIELD...]: tshark reads FILE: at least N packets,
# every one of them InfiniBand (RoCEv2), none malformed. In the same pass
# (tshark takes seconds to start under TCG), /tmp/tshark.out keeps the
# packets' FIELDs from its third column on.
tshark_ok() {
	ts_file=$1
	ts_min=$2
	shift 2
	k=$#
	for e in frame.protocols _ws.malformed "$@"; do set -- "$@" -e "$e"; done
	shift "$k"
	ts_t0=$(cut -d ' ' -f 1 /proc/uptime)
	tshark -r "$ts_file" -T fields "$@" >/tmp/tshark.out 2>/tmp/tshark.err ||
		fail "tshark -r $ts_file: $(cat /tmp/tshark.err)"
	echo "tshark -r $ts_file took $(awk -v t="$ts_t0" '{ printf "%.1f", $1 - t }' /proc/uptime) s"
	total=$(wc -l </tmp/tshark.out)
	ib=$(grep -c ':udp:infiniband' /tmp/tshark.out)
	bad=$(grep -ci 'malformed' /tmp/tshark.out)
	echo "tshark: $total packets, $ib InfiniBand, $bad malformed"
	head -n 5 /tmp/tshark.out
	[ "$total" -ge "$ts_min" ] || fail "fewer than $ts_min packets"
	[ "$ib" -eq "$total" ] || fail "not every packet is RoCEv2"
	[ "$bad" -eq 0 ] || fail "malformed packets"
}

# sd_live_ud: qp, counters, capture --qp and bundle against
# ibv_ud_pingpong (injection is left to RC: UD has no retransmission, a
# lost datagram stalls the pingpong by design).
sd_live_ud() {
	live_workload ud 512
	wait_for sh -c "[ -n \"\$(rdma res show qp link $DEV_B | grep 'type UD.*comm ibv_ud')\" ]" ||
		fail "no UD QP of ibv_ud_pingpong on $DEV_B"
	qb=$(rdma res show qp link "$DEV_B" | awk '/type UD/ && /ibv_ud/ { for (i = 1; i < NF; i++) if ($i == "lqpn") { print $(i + 1); exit } }')
	sd qpu --json qp list -d "$DEV_B"
	json_ok /tmp/sd.qpu.out "any(e.get('type') == 'UD' and e.get('lqpn') == $qb for e in d)"
	sd qpus qp show "$qb" -d "$DEV_B"
	sd_expect 0
	sd cntu --json counters -d "$DEV_B" --qp -w 1 -n 2
	sd_expect 0
	python3 - /tmp/sd.cntu.out "$qb" <<'EOF2' || fail "counters -w: no rcvd_pkts rate over 0 for UD QP $qb"
import json, sys
samples = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
qp = [e for e in samples[-1] if e.get("entry") == "qp" and e.get("lqpn") == int(sys.argv[2])]
assert qp and qp[0]["type"] == "UD" and qp[0]["rates"]["rcvd_pkts"] > 0, qp
EOF2
	sd capu capture -d "$DEV_A" -o /tmp/ud.pcapng -c 20 --qp "$qb" --duration 60
	sd_expect 0
	tshark_ok /tmp/ud.pcapng 20 infiniband.bth.destqp
	# As numbers: tshark 3.4 (bullseye) prints 8 hex digits, later ones 6.
	cut -f 3 /tmp/tshark.out | sort -u >/tmp/ud.qps
	[ "$(while read -r q; do printf '%d\n' "$q"; done </tmp/ud.qps)" = "$qb" ] ||
		fail "capture --qp $qb kept other QPs: $(cat /tmp/ud.qps)"
	sd_bundle
	live_end
}

# sd_inject COUNTER ARGS...: sfabdiag inject -d sfab1 ARGS during a
# pingpong, ended by sfabdiag inject off (inject_until); the pingpong
# completes verified, inject show has COUNTER grown and the injection off.
sd_inject() {
	cnt=$1
	shift
	r0=$(counter "$DEV_A" retransmits)
	n0=$(inj_count "$cnt")
	sd inj inject -d "$DEV_B" "$@"
	sd_expect 0
	workload rc 300 4096
	inject_until "$cnt" "$n0" 10 sfabdiag inject -d "$DEV_B" off
	pingpong_wait
	sd injs --json inject -d "$DEV_B" show
	sd_expect 0
	json_ok /tmp/sd.injs.out "d[0]['$cnt'] > $n0 and d[0]['active'] is False"
	sd cnta --json counters -d "$DEV_A"
	r1=$(counter "$DEV_A" retransmits)
	echo "retransmits on $DEV_A: $r0 -> $r1"
	[ "$r1" -gt "$r0" ] || fail "no retransmits on $DEV_A"
}

sd_bundle() {
	sd bun bundle -o /tmp/bundle.tar.gz
	sd_expect 0
	tar -tzf /tmp/bundle.tar.gz >/tmp/bundle.list || fail "the bundle is not a tar.gz"
	cat /tmp/bundle.list
	for item in MANIFEST sfabdiag/status.json sfabdiag/version.json sfabdiag/counters.json sfabdiag/qp-list.json kernel/dmesg.txt etc/os-release capture/ sfabdiag/inject-sfab0.txt sfabdiag/inject-sfab1.txt; do
		grep -q "/$item" /tmp/bundle.list || fail "the bundle has no $item"
	done
	grep -q 'sys/module/sfab/parameters\|sys/module/sfab/version' /tmp/bundle.list || fail "no module files"
	grep -q '^[^/]*/rdma/' /tmp/bundle.list || fail "no rdma dumps"
	grep -q '^[^/]*/system/' /tmp/bundle.list || fail "no package versions"
	mkdir -p /tmp/bundle && tar -xzf /tmp/bundle.tar.gz -C /tmp/bundle
	m=$(find /tmp/bundle -name MANIFEST)
	sed -n '/Not collected/,$p' "$m"
	python3 -c 'import json, sys; [json.load(open(f)) for f in sys.argv[1:]]' /tmp/bundle/*/sfabdiag/*.json ||
		fail "a JSON file of the bundle does not parse"
	# Taken during the UD traffic: the sample has sfab0's packets.
	tshark_ok "$(find /tmp/bundle -name sfab0.pcapng)" 1
}

sd_unprivileged() {
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups sfabdiag capture -d "$DEV_A" -o /tmp/np.pcapng -c 1 >/tmp/np.out 2>&1 || rc=$?
	cat /tmp/np.out
	[ "$rc" -eq 4 ] || fail "capture as nobody exited $rc, expected 4"
	grep -q CAP_NET_RAW /tmp/np.out || fail "capture as nobody does not name CAP_NET_RAW"
}

guest_setup
use_pair sfab:sfab
if [ "$(dev_pairs)" != sfab:sfab ]; then
	diag "sfab_dev=$(kparam sfab_dev sfab): the diag suite tests sfab's own diagnostics only"
	echo "1..0 # SKIP sfab_dev is not sfab"
	exit 0
fi
if ! sfabdiag --help 2>&1 | grep -qw capture; then
	echo "1..1"
	echo "ok 1 - the diag suite # SKIP $(sfabdiag --version) has no counters, qp, capture, inject or bundle command: it predates them"
	exit 0
fi
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
t "sfabdiag status with the module loaded and no sfab device: says so, exit 3" sd_no_device
t "sfab0 on va and sfab1 on vb (netns peer): ports ACTIVE, RoCE v2 GIDs" pair_devices
t "sfabdiag status and version: both devices, versions agree, JSON parses" sd_status
t "restrack: a live RC QP's transport state, peer GID and counters (rdma res show qp -dd)" restrack_live
t "inject (debugfs): bad values refused, a write is the whole setting, off resets" inject_raw
t "inject drop 5% on sfab1: ibv_rc_pingpong completes verified, sfab0 retransmits" inject_live "drop_ppm=50000" dropped
t "inject corrupt 5% on sfab1: ICRC errors counted, retransmits, data verified" inject_live "corrupt_ppm=50000" corrupted
t "inject delay 20 ms for 10% on sfab1: data verified" inject_live "delay_ppm=100000 delay_ms=20" delayed
t "sfabdiag qp, counters -w and capture on a live RC workload; tshark reads it, nothing malformed" sd_live_rc
t "sfabdiag qp, counters -w, capture --qp and bundle on a live UD workload" sd_live_ud
t "sfabdiag inject drop 5: pingpong verified, retransmits, show and off" sd_inject dropped drop 5
t "sfabdiag inject corrupt 5 delay 20 10: pingpong verified" sd_inject corrupted corrupt 5 delay 20 10
t "sfabdiag capture as nobody: exit 4, names CAP_NET_RAW" sd_unprivileged
t "a planted driver hang (sfab0's completions withheld, inject stall=1): ib_write_bw fails, not retried" planted_hang perftest
t "a planted driver hang (sfab0's completions withheld, inject stall=1): rping fails, not retried" planted_hang rping
t "the stall off: ibv_rc_pingpong between sfab0 and sfab1 completes" after_stall
t "inject left on: the device's deletion turns it off" inject_unload
t "rdma link delete sfab0 and sfab1, sfab unloads" del_pair_devices
teardown_hosts
done_testing
