# shellcheck shell=sh
# Suite "perftest": the perftest clients across the two network
# namespaces: ib_send_bw, ib_write_bw, ib_read_bw, ib_atomic_bw,
# ib_send_lat, ib_write_lat, ib_read_lat over RC, and ib_send_bw over UD.
# A test passes when both sides exit 0 and the client reports its result
# line for the size and iterations asked for. perftest sometimes fails
# only at teardown (its results printed, then "Couldn't read remote
# address"): such a run is retried once, and the TAP says so; any other
# failure, that message before any result included, is a failure. Performance is not judged here (make bench). Runs in the guest;
# TAP on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

# "tool:size" runs over RC; quick runs each tool once.
if [ "$DEPTH" = full ]; then
	rc_runs="ib_send_bw:4096 ib_send_bw:65536 ib_write_bw:4096 ib_write_bw:1048576
		ib_read_bw:4096 ib_read_bw:65536 ib_atomic_bw:8
		ib_send_lat:8 ib_send_lat:4096 ib_write_lat:8 ib_write_lat:4096
		ib_read_lat:8 ib_read_lat:4096"
	bw_iters=500 lat_iters=1000
else
	rc_runs="ib_send_bw:65536 ib_write_bw:65536 ib_read_bw:65536 ib_atomic_bw:8
		ib_send_lat:8 ib_write_lat:8 ib_read_lat:8"
	bw_iters=100 lat_iters=200
fi

# result_line SIZE ITERS: the client's result line for SIZE bytes and
# ITERS iterations (perftest prints "#bytes #iterations ..." then it).
result_line() {
	awk -v s="$1" -v n="$2" '$1 == s && $2 == n { print; found = 1 } END { exit !found }' /tmp/client.out
}

# perf_once TOOL SIZE ITERS ARGS...: one run (two if perftest itself
# failed); 0, or 1 on failure.
perf_once() {
	tool=$1 size=$2 iters=$3
	shift 3
	ga=$(gidx_a) || fail "$ga"
	gb=$(gidx_b) || fail "$gb"
	show_lines=8 run_perftest "tcp_listening 18515" \
		"$tool -d $DEV_B -x $gb -F -s $size -n $iters${*:+ $*}" \
		"$tool -d $DEV_A -x $ga -F -s $size -n $iters${*:+ $*} $IP_B"
}

# perf TOOL SIZE ARGS...: a run that must report its result (run_perftest
# runs it once more if perftest itself failed).
perf() {
	tool=$1 size=$2
	shift 2
	case $tool in *_lat) iters=$lat_iters ;; *) iters=$bw_iters ;; esac
	# Large messages: a few dozen are plenty, and each costs under TCG.
	[ "$size" -le 65536 ] || iters=50
	perf_once "$tool" "$size" "$iters" "$@" || fail "$tool failed"
	line=$(result_line "$size" "$iters") ||
		fail "$tool reported no result for $size B x $iters"
	echo "result: $line"
}

# ud_send_bw: ib_send_bw over UD, with messages of the path MTU.
ud_send_bw() {
	mtu=$(active_mtu "$DEV_A")
	[ -n "$mtu" ] || fail "no active MTU for $DEV_A"
	perf ib_send_bw "$mtu" -c UD
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
for pair in $(dev_pairs); do
	use_pair "$pair"
	label=$(pair_label)
	t "$DEV_A on va and $DEV_B on vb (netns peer): ports ACTIVE, RoCE v2 GIDs" pair_devices
	t "first RC exchange (the pair's other clients run only if it works), $label" first_exchange
	for r in $rc_runs; do
		tp "${r%%:*} RC, ${r#*:} B, $label" perf "${r%%:*}" "${r#*:}"
	done
	tp "ib_send_bw UD, path-MTU messages, $label" ud_send_bw
	t "rdma link delete $DEV_A and $DEV_B, device modules unload" del_pair_devices
done
teardown_hosts
done_testing
