# shellcheck shell=sh
# Suite "rping": librdmacm's rping across the two network namespaces, so
# connections go through rdma_cm (CM MADs on QP1, GSI) and each ping is a
# SEND, an RDMA READ by the server and an RDMA WRITE back, with the data
# verified (-V) for many iterations; the client's count of pings must be
# complete. Server in netns peer (10.77.0.2), client in the init netns.
# The device pair comes from sfab_dev= (hosts.sh). Runs in the guest; TAP
# on stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

# "count:size" runs: many small pings, fewer large ones (rping's largest
# is 64 KiB - 1).
if [ "$DEPTH" = full ]; then
	runs="5000:64 500:65535"
else
	runs="500:64"
fi

# rping_verified COUNT SIZE: COUNT pings of SIZE bytes, verified on both
# sides; small pings are also printed (-v) so their number can be checked.
rping_verified() {
	count=$1 size=$2 v=''
	[ "$size" -gt 256 ] || v=-v
	show_lines=6 run_rping cm_listening \
		"rping -s -a $IP_B -V -C $count -S $size" \
		"rping -c -a $IP_B -V $v -C $count -S $size" || exit 1
	! grep -qi 'mismatch' /tmp/server.* /tmp/client.* || fail "rping reported a data mismatch"
	[ -n "$v" ] || return 0
	# Pings are numbered from 0: "ping data: rdma-ping-N: ...".
	sed -n 's/^ping data: rdma-ping-\([0-9]*\):.*/\1/p' /tmp/client.out >/tmp/pings
	got=$(wc -l </tmp/pings)
	sort /tmp/pings >/tmp/pings.sorted
	missing=$(seq 0 $((count - 1)) | sort | comm -23 - /tmp/pings.sorted | head -n 10 | tr '\n' ' ')
	if [ "$got" -ne "$count" ] || [ -n "$missing" ]; then
		fail "the client reported $got of $count pings; missing: ${missing:-none};" \
			"other lines: $(grep -v '^ping data: rdma-ping-[0-9]*: ' /tmp/client.out | head -n 5)"
	fi
	echo "$got of $count pings verified"
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
for pair in $(dev_pairs); do
	use_pair "$pair"
	label=$(pair_label)
	t "$DEV_A on va and $DEV_B on vb (netns peer): ports ACTIVE, RoCE v2 GIDs" pair_devices
	t "first RC exchange (the pair's other clients run only if it works), $label" first_exchange
	for r in $runs; do
		tp "rping -V, ${r%%:*} pings of ${r#*:} B, $label" rping_verified "${r%%:*}" "${r#*:}"
	done
	t "rdma link delete $DEV_A and $DEV_B, device modules unload" del_pair_devices
done
teardown_hosts
done_testing
