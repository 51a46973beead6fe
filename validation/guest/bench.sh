# shellcheck shell=sh
# The benchmark's guest side (sfab_bench=1; validation/bench.sh reads it):
# on the same veth pair, in the same boot, sfab, rdma_rxe and one TCP
# stream, each between va (init netns) and vb (netns peer). Not a test: a
# measurement that cannot be made is reported as "n/a" with its reason
# and the others go on. Output, one line each:
#   bench METRIC DEVICE VALUE
#   bench METRIC DEVICE n/a REASON
#   info KEY VALUE...
# METRIC: send_bw_4k send_bw_64k write_bw_4k write_bw_64k (MiB/s),
# msg_rate_64 (Mpps, ib_send_bw -s 64), send_lat_8 write_lat_8 (usec,
# typical); DEVICE: sfab, rxe or tcp (iperf3, bandwidth only).

# shellcheck source=lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=clients.sh
. /usr/share/sfab-vm/clients.sh

client_timeout=60
# Seconds each bandwidth run lasts.
secs=5

# one_line TEXT: TEXT on one line, at most 100 characters.
one_line() { echo "$*" | tr '\n\t' '  ' | tr -s ' ' | cut -c1-100; }

# reason: why the last run_pair failed, from its output in /tmp/bench.run.
reason() {
	r=$(grep -v '^--\|^stderr: *$' /tmp/bench.run | grep -i 'fail\|error\|couldn\|unable\|timed out\|exited\|not ' | tail -n 2)
	one_line "${r:-$(tail -n 1 /tmp/bench.run)}"
}

# perf_metric METRIC TYPE TOOL SIZE COLUMN ARGS...: one perftest run on the
# current pair; reports column COLUMN of its result line for SIZE.
perf_metric() {
	metric=$1 type=$2 tool=$3 size=$4 col=$5
	shift 5
	ga=$(gid_index "$DEV_A" "$IP_A") gb=$(gid_index "$DEV_B" "$IP_B")
	(run_pair "tcp_listening 18515" \
		"$tool -d $DEV_B -x $gb -F -s $size $*" \
		"$tool -d $DEV_A -x $ga -F -s $size $* $IP_B") >/tmp/bench.run 2>&1
	rc=$?
	v=$(awk -v s="$size" -v c="$col" '$1 == s && NF >= c && $c ~ /^[0-9.]+$/ { v = $c } END { print v }' /tmp/client.out)
	if [ -n "$v" ]; then
		echo "bench $metric $type $v"
		# perftest's teardown failure comes after its results.
		[ "$rc" -eq 0 ] || echo "info note $type $metric: result kept, the run failed after it: $(reason)"
	else
		echo "bench $metric $type n/a $(reason)"
	fi
}

# rdma_metrics TYPE: every RDMA measurement on a TYPE:TYPE pair, or n/a
# for all of them if the devices cannot be made or do not pass an RC
# pingpong across the namespaces.
rdma_metrics() {
	type=$1
	use_pair "$type:$type"
	why=''
	if ! (add_pair_devices) >/tmp/bench.run 2>&1; then
		why="no devices: $(one_line "$(tail -n 2 /tmp/bench.run)")"
	else
		ga=$(gid_index "$DEV_A" "$IP_A") gb=$(gid_index "$DEV_B" "$IP_B")
		(run_pair "tcp_listening 18515" "ibv_rc_pingpong -d $DEV_B -g $gb -s 4096 -n 20" \
			"ibv_rc_pingpong -d $DEV_A -g $ga -s 4096 -n 20 $IP_B") >/tmp/bench.run 2>&1 ||
			why="ibv_rc_pingpong across the namespaces fails: $(reason)"
	fi
	if [ -n "$why" ]; then
		for m in send_bw_4k send_bw_64k write_bw_4k write_bw_64k msg_rate_64 send_lat_8 write_lat_8; do
			echo "bench $m $type n/a $why"
		done
	else
		echo "info device $type $(ibv_devinfo -d "$DEV_A" | sed -n 's/^[[:space:]]*\(fw_ver\|vendor_part_id\):[[:space:]]*/\1=/p' | tr '\n' ' ')"
		perf_metric send_bw_4k "$type" ib_send_bw 4096 4 -D "$secs"
		perf_metric send_bw_64k "$type" ib_send_bw 65536 4 -D "$secs"
		perf_metric write_bw_4k "$type" ib_write_bw 4096 4 -D "$secs"
		perf_metric write_bw_64k "$type" ib_write_bw 65536 4 -D "$secs"
		perf_metric msg_rate_64 "$type" ib_send_bw 64 5 -D "$secs"
		perf_metric send_lat_8 "$type" ib_send_lat 8 5 -n 1000
		perf_metric write_lat_8 "$type" ib_write_lat 8 5 -n 1000
	fi
	(del_pair_devices) >/dev/null 2>&1
}

# tcp METRIC LEN: one iperf3 stream from va to vb, LEN-byte writes, MiB/s.
tcp() {
	(run_pair "tcp_listening 5201" "iperf3 -s -1" \
		"iperf3 -c $IP_B -t $secs -l $2 -J") >/tmp/bench.run 2>&1
	v=$(python3 -c 'import json, sys
r = json.load(open("/tmp/client.out"))
print("%.1f" % (r["end"]["sum_received"]["bits_per_second"] / 8 / 2**20))' 2>/tmp/bench.py)
	if [ -n "$v" ]; then
		echo "bench $1 tcp $v"
	else
		echo "bench $1 tcp n/a $(reason) $(one_line "$(tail -n 1 /tmp/bench.py)")"
	fi
}

# copy_ceiling: what one copy to user space costs here: dd reading a
# 256 MiB tmpfs file (page cache to user) to /dev/null, MiB/s.
copy_ceiling() {
	dd if=/dev/zero of=/dev/shm/bench bs=1M count=256 2>/dev/null
	s=$(date +%s.%N)
	dd if=/dev/shm/bench of=/dev/null bs=64k 2>/dev/null
	e=$(date +%s.%N)
	rm -f /dev/shm/bench
	echo "info copy_ceiling $(echo "$s $e" | awk '{ printf "%.0f", 256 / ($2 - $1) }')"
}

guest_setup
echo "info kernel $(uname -r)"
echo "info perftest $(dpkg-query -W -f '${Version}' perftest 2>/dev/null)"
echo "info iperf3 $(dpkg-query -W -f '${Version}' iperf3 2>/dev/null)"
if ! (setup_hosts) >/tmp/bench.run 2>&1; then
	echo "info error the two hosts could not be set up: $(one_line "$(cat /tmp/bench.run)")"
	exit 1
fi
copy_ceiling
rdma_metrics sfab
rdma_metrics rxe
tcp send_bw_4k 4096
tcp send_bw_64k 65536
teardown_hosts
