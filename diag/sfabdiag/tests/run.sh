#!/usr/bin/env bash
# usage: tests/run.sh [SFABDIAG]
# Runs sfabdiag (default ./sfabdiag) on fake system trees through
# SFABDIAG_ROOT and checks its exit codes, its human output and its JSON.
#
# Needs python3 (JSON checks). One thing cannot be faked: addresses come
# from getifaddrs(3) of this network namespace. The healthy tree binds
# sfab0 to a real interface that has an IPv4 address (lo, where loopback
# is up); the "no IP" tree uses a name no real interface has.
set -euo pipefail

command -v python3 >/dev/null || { echo "tests/run.sh: python3 is needed for the JSON checks" >&2; exit 1; }
bin=$(realpath "${1:-./sfabdiag}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$("$bin" --version | awk '{ print $2 }')
# The version the fake packages carry: sfabdiag's own, unless it was built
# without one; then the module's is the reference the others match.
kitver=$version
ref=sfabdiag
ref_state=reference
if [ "$version" = unknown ]; then
	kitver=1.2.3
	ref=module
	ref_state=no_version
fi
tests=0
failed=0

# "NAME ADDRESS" of an interface with an IPv4 address here, lo first.
probe=$(python3 - <<'EOF'
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
names = sorted((n for _, n in socket.if_nameindex()), key=lambda n: n != "lo")
for n in names:
    try:
        r = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", n.encode()[:15]))
    except OSError:
        continue
    print(n, socket.inet_ntoa(r[20:24]))
    break
EOF
)
nd=${probe%% *}
nd_addr=${probe#* }

# ---- fake trees -------------------------------------------------------

# put ROOT PATH LINE: a one-line file, with its directories.
put() {
	mkdir -p "$(dirname "$1$2")"
	printf '%s\n' "$3" >"$1$2"
}

add_kernel() { # ROOT TAINT
	put "$1" /proc/sys/kernel/osrelease 6.1.0-test-amd64
	put "$1" /proc/sys/kernel/tainted "$2"
	put "$1" /sys/module/ib_core/parameters/netns_mode Y
}

add_module() { # ROOT VERSION TAINT
	put "$1" /sys/module/sfab/initstate live
	put "$1" /sys/module/sfab/version "$2"
	put "$1" /sys/module/sfab/taint "$3"
}

add_versions() { # ROOT DKMS PROVIDER DIAG
	put "$1" /usr/share/sfab/versions/dkms "$2"
	put "$1" /usr/share/sfab/versions/provider "$3"
	put "$1" /usr/share/sfab/versions/diag "$4"
}

add_provider() { # ROOT LIBDIR
	put "$1" /etc/libibverbs.d/sfab.driver "driver sfab"
	put "$1" "$2/libsfab-rdmav34.so" ""
}

add_netdev() { # ROOT NAME MTU FLAGS CARRIER
	put "$1" "/sys/class/net/$2/mtu" "$3"
	put "$1" "/sys/class/net/$2/flags" "$4"
	put "$1" "/sys/class/net/$2/carrier" "$5"
}

# add_ibdev ROOT NAME NODE_DESC NETDEV STATE PHYS_STATE
add_ibdev() {
	local d="/sys/class/infiniband/$2" p="/sys/class/infiniband/$2/ports/1"
	local zero=0000:0000:0000:0000:0000:0000:0000:0000

	put "$1" "$d/node_desc" "$3"
	put "$1" "$d/node_guid" 5054:00ff:fe12:3456
	put "$1" "$p/state" "$5"
	put "$1" "$p/phys_state" "$6"
	put "$1" "$p/gids/0" fe80:0000:0000:0000:5054:00ff:fe12:3456
	put "$1" "$p/gids/1" 0000:0000:0000:0000:0000:ffff:0a00:0001
	put "$1" "$p/gids/2" "$zero"
	put "$1" "$p/gid_attrs/types/0" "RoCE v2"
	put "$1" "$p/gid_attrs/types/1" "RoCE v2"
	put "$1" "$p/gid_attrs/ndevs/0" "$4"
	put "$1" "$p/gid_attrs/ndevs/1" "$4"
}

# A working machine: sfab0 on $nd, the kit's packages, and two RDMA
# devices that are not sfab's: rxe0, and an adapter whose node
# description root set to "sfab" (it has a parent device).
make_healthy() { # ROOT
	add_kernel "$1" 4096
	add_module "$1" "$kitver" O
	add_versions "$1" "$kitver" "$kitver" "$kitver"
	add_provider "$1" /usr/lib64/libibverbs
	add_netdev "$1" "$nd" 65536 0x9 1
	add_ibdev "$1" sfab0 sfab "$nd" "4: ACTIVE" "5: LinkUp"
	add_ibdev "$1" rxe0 rxe "$nd" "4: ACTIVE" "5: LinkUp"
	add_ibdev "$1" mlx5_0 sfab eth0 "4: ACTIVE" "5: LinkUp"
	ln -s ../../../devices/pci0000:00/0000:00:03.0 \
		"$1/sys/class/infiniband/mlx5_0/device"
}

# ---- checks -----------------------------------------------------------

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# run NAME RC ROOT ARGS...: run sfabdiag, expect exit code RC.
run() {
	local name=$1 want=$2 root=$3 rc=0

	shift 3
	tests=$((tests + 1))
	SFABDIAG_ROOT=$root "$bin" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: sfabdiag $* exited $rc, expected $want"
		sed 's/^/    /' "$work/$name.out" "$work/$name.err"
	fi
}

has() { # NAME TEXT: the output of NAME has TEXT
	tests=$((tests + 1))
	grep -qF -- "$2" "$work/$1.out" "$work/$1.err" ||
		fail "$1: output lacks '$2'"
}

lacks() { # NAME TEXT
	tests=$((tests + 1))
	! grep -qF -- "$2" "$work/$1.out" ||
		fail "$1: output has '$2'"
}

# json NAME [PYTHON_EXPR...]: the output parses; each expression, on
# d (the parsed array), e(kind) (its entries of that kind) and
# ids(kind) (their ids), holds.
json() {
	local name=$1 expr

	shift
	tests=$((tests + 1))
	python3 -m json.tool "$work/$name.out" >/dev/null ||
		{ fail "$name: JSON does not parse"; return; }
	for expr in "$@"; do
		tests=$((tests + 1))
		python3 - "$work/$name.out" "$expr" <<-'EOF' || fail "$name: JSON: $expr"
			import json, sys
			d = json.load(open(sys.argv[1]))
			def e(kind): return [x for x in d if x.get("entry") == kind]
			def ids(kind): return [x["id"] for x in e(kind)]
			sys.exit(0 if eval(sys.argv[2]) else 1)
		EOF
	done
}

# ---- cases ------------------------------------------------------------

test_usage() {
	run usage_none 2 /nonexistent
	has usage_none "no command given"
	run usage_cmd 2 /nonexistent bogus
	has usage_cmd "unknown command 'bogus'"
	run usage_opt 2 /nonexistent --bogus status
	has usage_opt "bad option '--bogus'"
	run usage_optarg 2 /nonexistent --json=yes status
	has usage_optarg "bad option '--json=yes'"
	run usage_cmdopt 2 /nonexistent status -x
	has usage_cmdopt "unknown option '-x'"
	run usage_arg 2 /nonexistent version extra
	has usage_arg "unexpected argument 'extra'"
	run help 0 /nonexistent --help
	has help "status"
	has help "version"
	run help_status 0 /nonexistent status --help
	has help_status "sfabdiag-status(8)"
	run version_opt 0 /nonexistent --version
	has version_opt "sfabdiag $version"
	tests=$((tests + 1))
	if [ -w /dev/full ]; then
		local rc=0
		"$bin" --version >/dev/full 2>/dev/null || rc=$?
		[ "$rc" -eq 5 ] || fail "write error: exit $rc, expected 5"
	fi
}

test_healthy() {
	local r=$work/healthy

	make_healthy "$r"
	run healthy 0 "$r" status
	has healthy "sfab0"
	has healthy "ACTIVE"
	has healthy "LINK_UP"
	has healthy "RoCE v2"
	has healthy "fe80::5054:ff:fe12:3456"
	has healthy "::ffff:10.0.0.1"
	has healthy "current"
	has healthy "6.1.0-test-amd64"
	has healthy "/usr/lib64/libibverbs/libsfab-rdmav34.so"
	has healthy "expected for the kit's DKMS-built module"
	has healthy "healthy"
	lacks healthy "rxe0"
	lacks healthy "mlx5_0"
	has healthy "$nd_addr/"
	run healthy_json 0 "$r" --json status
	json healthy_json \
		'e("system")[0]["result"] == "healthy"' \
		'e("system")[0]["exit_code"] == 0' \
		'e("system")[0]["kernel_taint_flags"] == ["O"]' \
		'[x["ifname"] for x in e("device")] == ["sfab0"]' \
		"e(\"device\")[0][\"netdev\"] == \"$nd\"" \
		'e("device")[0]["active_mtu"] == 4096' \
		'e("device")[0]["netdev_mtu"] == 65536' \
		'e("device")[0]["physical_state"] == "LINK_UP"' \
		'[g["index"] for g in e("device")[0]["gids"]] == [0, 1]' \
		'ids("problem") == []' \
		'ids("note") == ["module_taint", "kernel_taint"]'
	run healthy_json_after 0 "$r" status --json
	json healthy_json_after 'e("system")[0]["result"] == "healthy"'

	run healthy_version 0 "$r" version
	has healthy_version "Versions match: $kitver"
	run healthy_version_json 0 "$r" -j version
	json healthy_version_json \
		'[x["component"] for x in d] == ["sfabdiag", "module", "dkms", "provider", "diag"]' \
		"d[0][\"state\"] == \"$ref_state\"" \
		'[x["state"] for x in d[2:]] == ["match"] * 3'

	# A module without MODULE_VERSION: noted, not compared.
	rm "$r/sys/module/sfab/version"
	run nover 0 "$r" status
	has nover "module sfab carries no version"
	has nover "no version"
}

test_no_device() {
	local r=$work/nodev

	add_kernel "$r" 0
	add_versions "$r" "$kitver" "$kitver" "$kitver"
	add_provider "$r" /usr/lib/libibverbs
	run nodev 3 "$r" status
	has nodev "no sfab device"
	has nodev "rdma link add sfab0 type sfab netdev IFACE"
	has nodev "module sfab is not loaded"
	has nodev "modprobe sfab"
	run nodev_json 3 "$r" --json status
	json nodev_json \
		'e("system")[0]["result"] == "no_device"' \
		'e("system")[0]["module"] == "not_loaded"' \
		'e("device") == []' \
		'ids("problem") == ["module_not_loaded", "no_device"]'
	run nodev_version 0 "$r" version
	has nodev_version "module not loaded"

	# RDMA devices, none of them sfab's.
	add_ibdev "$r" rxe0 rxe eth0 "4: ACTIVE" "5: LinkUp"
	run nodev_rxe 3 "$r" status
	lacks nodev_rxe "rxe0"
}

test_mismatch() {
	local r=$work/mismatch

	make_healthy "$r"
	put "$r" /usr/share/sfab/versions/dkms 0.0.9
	run mismatch_version 1 "$r" version
	has mismatch_version "MISMATCH"
	has mismatch_version "dkms has 0.0.9 where $ref has $kitver"
	has mismatch_version "install one kit release's packages together"
	run mismatch_version_json 1 "$r" --json version
	json mismatch_version_json \
		'[x["state"] for x in d if x["component"] == "dkms"] == ["mismatch"]'
	run mismatch 1 "$r" status
	has mismatch "versions differ: dkms has 0.0.9"
	run mismatch_json 1 "$r" --json status
	json mismatch_json \
		'ids("problem") == ["versions_mismatch"]' \
		'e("system")[0]["versions_match"] is False'

	# Only the loaded module differs from the installed sfab-dkms.
	[ "$ref" = sfabdiag ] || return 0
	put "$r" /usr/share/sfab/versions/dkms "$kitver"
	put "$r" /sys/module/sfab/version 0.0.8
	run stale_module 1 "$r" version
	has stale_module "module has 0.0.8"
	has stale_module "the loaded module is not the installed one"
}

test_port_down() {
	local r=$work/down

	make_healthy "$r"
	rm -r "${r:?}/etc" "${r:?}/usr/lib64"
	put "$r" /sys/class/infiniband/sfab0/ports/1/state "1: DOWN"
	put "$r" /sys/class/infiniband/sfab0/ports/1/phys_state "3: Disabled"
	add_netdev "$r" "$nd" 65536 0x8 0
	run down 1 "$r" status
	has down "port 1 is DOWN: netdevice $nd is administratively down"
	has down "ip link set $nd up"
	has down "DISABLED"
	has down "the sfab provider is not installed"
	run down_json 1 "$r" --json status
	json down_json \
		'ids("problem") == ["port_down", "provider_missing"]' \
		'e("device")[0]["state"] == "DOWN"' \
		'e("system")[0]["provider_driver"] is None'

	add_netdev "$r" "$nd" 65536 0x1003 0
	run nocarrier 1 "$r" status
	has nocarrier "netdevice $nd has no carrier"
	add_netdev "$r" "$nd" 300 0x1003 1
	run smallmtu 1 "$r" status
	has smallmtu "netdevice $nd has MTU 300; RoCEv2 needs at least 352"

	# Only the library is missing.
	put "$r" /etc/libibverbs.d/sfab.driver "driver sfab"
	run nolib 1 "$r" status
	has nolib "no libsfab-rdmav*.so in"
}

test_netdev() {
	local r=$work/noip

	make_healthy "$r"
	add_ibdev "$r" sfab0 sfab sfabtest9 "4: ACTIVE" "5: LinkUp"
	add_netdev "$r" sfabtest9 1500 0x1003 1
	run noip 1 "$r" status
	has noip "netdevice sfabtest9 has no IP address"
	has noip "ip address add ADDRESS/PREFIX dev sfabtest9"
	has noip "1024"
	run noip_json 1 "$r" --json status
	json noip_json \
		'ids("problem") == ["netdev_no_ip"]' \
		'e("device")[0]["active_mtu"] == 1024' \
		'e("device")[0]["addresses"] == []'

	# The netdevice lives in another namespace: a note, not a problem.
	r=$work/otherns
	make_healthy "$r"
	add_ibdev "$r" sfab0 sfab sfabtest8 "4: ACTIVE" "5: LinkUp"
	run otherns 0 "$r" status
	has otherns "other"
	has otherns "not in this network namespace"
	run otherns_json 0 "$r" --json status
	json otherns_json \
		'e("device")[0]["netns"] == "other"' \
		'e("device")[0]["addresses"] is None' \
		'"netdev_other_netns" in ids("note")'
}

test_taint() {
	local r=$work/taint

	make_healthy "$r"
	put "$r" /proc/sys/kernel/tainted 4608
	put "$r" /sys/module/sfab/taint OP
	run taint 1 "$r" status
	has taint "the kernel is tainted: W (kernel issued a warning)"
	has taint "journalctl -k -b"
	has taint "module sfab taints the kernel with P (proprietary module loaded)"
	run taint_json 1 "$r" --json status
	json taint_json \
		'sorted(ids("problem")) == ["kernel_taint", "module_taint"]' \
		'e("system")[0]["kernel_taint_flags"] == ["W", "O"]'
}

# Text from the system goes through JSON escaping and terminal sanitizing.
test_escaping() {
	local r=$work/escape

	make_healthy "$r"
	printf 'a"b\\c\td\001\377\n' >"$r/usr/share/sfab/versions/dkms"
	run escape_json 1 "$r" --json version
	json escape_json \
		'd[2]["version"] == "a\"b\\c\td\u0001\ufffd"'
	run escape 1 "$r" version
	tests=$((tests + 1))
	if LC_ALL=C grep -q $'[\001\t\377]' "$work/escape.out"; then
		fail "escape: raw control or invalid bytes reach the terminal"
	fi
}

test_permission() {
	local r=$work/perm rc=0 as=()

	make_healthy "$r"
	chmod 000 "$r/sys/class/infiniband/sfab0/ports/1/state"
	if [ "$(id -u)" -eq 0 ]; then
		# Root reads anything: drop to nobody, where that is possible.
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		chmod 755 "$work"
		if [ -n "${FAKEROOTKEY:-}" ] ||
			! "${as[@]}" test -x "$bin" -a -r "$r/proc/sys/kernel/tainted" 2>/dev/null; then
			echo "skip: permission (cannot run sfabdiag as nobody here)"
			return
		fi
	fi
	tests=$((tests + 1))
	SFABDIAG_ROOT=$r "${as[@]}" "$bin" status >"$work/perm.out" 2>&1 || rc=$?
	[ "$rc" -eq 4 ] || fail "perm: exit $rc, expected 4"
	has perm "cannot read /sys/class/infiniband/sfab0/ports/1/state: Permission denied"
	has perm "needs root"

	chmod 000 "$r/usr/share/sfab/versions/dkms"
	rc=0
	tests=$((tests + 1))
	SFABDIAG_ROOT=$r "${as[@]}" "$bin" version >"$work/perm_version.out" 2>&1 || rc=$?
	[ "$rc" -eq 4 ] || fail "perm_version: exit $rc, expected 4"
	has perm_version "cannot read /usr/share/sfab/versions/dkms: Permission denied"
}

test_usage
test_no_device
test_netdev
test_escaping
if [ -n "$nd" ]; then
	test_healthy
	test_mismatch
	test_port_down
	test_taint
	test_permission
else
	echo "skip: healthy, mismatch, port down, taint, permission: no interface here has an IPv4 address (a sandbox without network?)"
fi

# ---- capture, inject, bundle: begin ------------------------------------
# capture cannot be run for real here (no privilege, no sfab device): the
# pcapng writer and the frame filter are checked through tests/frametest,
# which make check builds from pcapng.o and roce_frame.o alone, with
# tshark and python3 reading its file back; the command itself for its
# usage errors and for "needs CAP_NET_RAW" as nobody. A fake tree says
# that debugfs is mounted as a real /proc does: a debugfs line for
# /sys/kernel/debug in ROOT/proc/self/mounts.

frametest=$(cd "$(dirname "$0")" && pwd)/frametest

# nobody_cmd: sets the array nobody to the prefix that runs a command
# without privilege (empty when this is not root), or returns 1.
nobody_cmd() {
	local cap

	nobody=()
	if [ "$(id -u)" -ne 0 ]; then
		# Not with CAP_NET_RAW (bit 13): capture would work.
		cap=$(awk '/^CapEff/ { print $2 }' /proc/self/status 2>/dev/null)
		[ -n "$cap" ] && (((16#$cap >> 13 & 1) == 0))
		return
	fi
	command -v setpriv >/dev/null || return 1
	[ -z "${FAKEROOTKEY:-}" ] || return 1
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	chmod 755 "$work"
	"${nobody[@]}" test -x "$bin" 2>/dev/null
}

# run_nobody NAME RC ROOT ARGS...: run() as an unprivileged user.
run_nobody() {
	local name=$1 want=$2 root=$3 rc=0

	shift 3
	tests=$((tests + 1))
	SFABDIAG_ROOT=$root "${nobody[@]}" "$bin" "$@" >"$work/$name.out" \
		2>"$work/$name.err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: sfabdiag $* (unprivileged) exited $rc, expected $want"
		sed 's/^/    /' "$work/$name.out" "$work/$name.err"
	fi
}

# pcapng_check FILE us|ns: the file's blocks, read back by python3.
pcapng_check() {
	tests=$((tests + 1))
	python3 - "$1" "$2" <<-'EOF' >"$work/pcapng-$2.py.out" 2>&1 ||
	import struct, sys, zlib
	data = open(sys.argv[1], "rb").read()
	nsec = sys.argv[2] == "ns"
	bom, = struct.unpack_from("<I", data, 8)
	e = "<" if bom == 0x1A2B3C4D else ">"
	assert struct.unpack_from(e + "IIIHHq", data, 0) == \
	    (0x0A0D0D0A, struct.unpack_from(e + "I", data, 4)[0],
	     0x1A2B3C4D, 1, 0, -1), "section header"
	def options(body):
	    opts, o = {}, 0
	    while o + 4 <= len(body):
	        code, length = struct.unpack_from(e + "HH", body, o)
	        if code == 0:
	            assert length == 0 and o + 4 == len(body), "opt_endofopt last"
	            return opts
	        value = body[o + 4:o + 4 + length]
	        pad = body[o + 4 + length:o + 4 + ((length + 3) & ~3)]
	        assert pad == b"\0" * len(pad), "option padding"
	        opts[code] = value
	        o += 4 + ((length + 3) & ~3)
	    assert not body, "options without opt_endofopt"
	    return opts
	blocks, off = [], 0
	while off < len(data):
	    btype, blen = struct.unpack_from(e + "II", data, off)
	    assert blen % 4 == 0 and blen >= 12, "block length %d" % blen
	    assert struct.unpack_from(e + "I", data, off + blen - 4)[0] == blen, \
	        "trailing block length"
	    blocks.append((btype, data[off + 8:off + blen - 4]))
	    off += blen
	assert off == len(data), "blocks fill the file"
	types = [t for t, _ in blocks]
	assert types == [0x0A0D0D0A, 1, 6, 6, 6, 5], types
	idb = blocks[1][1]
	linktype, _, snaplen = struct.unpack_from(e + "HHI", idb)
	assert linktype == 1, "LINKTYPE_ETHERNET"
	opts = options(idb[8:])
	assert opts[9] == bytes([9 if nsec else 6]), "if_tsresol"
	assert opts[2] == b"eth0", "if_name"
	t0 = 1700000000123456789 if nsec else 1700000000123456
	step = 10 ** 9 if nsec else 10 ** 6
	flags = [2, 1, None]
	qpns = [0x11, 0x12, 0x20]
	for i, (_, b) in enumerate(blocks[2:5]):
	    ifid, hi, lo, cap, orig = struct.unpack_from(e + "IIIII", b)
	    assert ifid == 0 and cap == orig, "interface, lengths"
	    assert (hi << 32 | lo) == t0 + i * step, "timestamp %d" % i
	    frame = b[20:20 + cap]
	    assert b[20 + cap:20 + ((cap + 3) & ~3)] == \
	        b"\0" * (((cap + 3) & ~3) - cap), "packet padding"
	    opts = options(b[20 + ((cap + 3) & ~3):])
	    got = struct.unpack(e + "I", opts[2])[0] if 2 in opts else None
	    assert got == flags[i], "epb_flags %r" % got
	    l3 = 14 + 4 * (frame[12:14] == b"\x81\x00")
	    v6 = frame[l3] >> 4 == 6
	    ihl = 40 if v6 else (frame[l3] & 15) * 4
	    udp = l3 + ihl
	    assert struct.unpack_from(">H", frame, udp + 2)[0] == 4791
	    assert int.from_bytes(frame[udp + 13:udp + 16], "big") == qpns[i]
	    m = bytearray(frame[l3:-4])
	    if v6:
	        m[0] |= 0x0F; m[1:4] = b"\xff" * 3; m[7] = 0xFF
	    else:
	        m[1] = 0xFF; m[8] = 0xFF; m[10:12] = b"\xff\xff"
	    m[ihl + 6:ihl + 8] = b"\xff\xff"
	    m[ihl + 12] = 0xFF
	    icrc = zlib.crc32(b"\xff" * 8 + bytes(m))
	    assert frame[-4:] == struct.pack("<I", icrc), "ICRC of frame %d" % i
	isb = options(blocks[5][1][12:])
	assert struct.unpack(e + "Q", isb[7])[0] == 2, "isb_osdrop"
	assert struct.unpack(e + "Q", isb[6])[0] == 3, "isb_filteraccept"
	EOF
		{ fail "pcapng $2: python3 reading it back: $(tail -1 "$work/pcapng-$2.py.out")"; }
}

test_pcapng() {
	local f res

	if [ ! -x "$frametest" ]; then
		echo "skip: pcapng writer and frame filter: $frametest is not built (make check builds it)"
		return
	fi
	tests=$((tests + 1))
	"$frametest" filter >"$work/frametest.out" 2>&1 ||
		{ fail "frame filter:"; sed 's/^/    /' "$work/frametest.out"; }
	for res in us ns; do
		f=$work/rocev2-$res.pcapng
		tests=$((tests + 1))
		"$frametest" write "$f" "$res" ||
			{ fail "frametest write $res"; continue; }
		pcapng_check "$f" "$res"
		if ! command -v tshark >/dev/null; then
			echo "skip: tshark dissection of the pcapng file: no tshark"
			continue
		fi
		tests=$((tests + 1))
		tshark -r "$f" -T fields -e frame.protocols -e infiniband.bth.destqp \
			>"$work/tshark-$res.out" 2>"$work/tshark-$res.err" ||
			fail "tshark -r $res: $(grep -v '^Running as user' "$work/tshark-$res.err" | head -3)"
		tests=$((tests + 1))
		[ "$(grep -c ':udp:infiniband' "$work/tshark-$res.out")" -eq 3 ] ||
			fail "tshark $res: not 3 InfiniBand packets: $(cat "$work/tshark-$res.out")"
		tests=$((tests + 1))
		# As numbers: tshark 3.4 (bullseye) prints 0x00000011, later ones 0x000011.
		[ "$(cut -f2 "$work/tshark-$res.out" | while read -r q; do printf '%d ' "$q"; done)" = "17 18 32 " ] ||
			fail "tshark $res: destination QPs: $(cut -f2 "$work/tshark-$res.out" | tr '\n' ' ')"
		tests=$((tests + 1))
		! tshark -r "$f" -V 2>/dev/null | grep -q -i malformed ||
			fail "tshark $res: a packet is Malformed"
	done
}

test_capture() {
	run capture_noout 2 /nonexistent capture
	has capture_noout "-o FILE is needed"
	run capture_qp 2 /nonexistent capture -o "$work/c.pcapng" --qp 0x1000000
	has capture_qp "--qp needs a QP number"
	run capture_count 2 /nonexistent capture -o "$work/c.pcapng" -c 0
	run capture_dur 2 /nonexistent capture -o "$work/c.pcapng" --duration 1x
	run capture_help 0 /nonexistent capture --help
	has capture_help "--qp QPN"
	if ! nobody_cmd; then
		echo "skip: capture without privilege (cannot drop CAP_NET_RAW here)"
		return
	fi
	chmod 777 "$work/out"
	run_nobody capture_priv 4 /nonexistent capture -o "$work/out/c.pcapng" \
		--duration 1
	has capture_priv "capture needs CAP_NET_RAW: run as root"
	tests=$((tests + 1))
	[ ! -e "$work/out/c.pcapng" ] || fail "capture_priv: wrote a file"
}

# inject_tree ROOT: sfab0 whose netdevice no test needs.
inject_tree() {
	add_kernel "$1" 0
	add_module "$1" "$kitver" O
	add_ibdev "$1" sfab0 sfab sfabtest7 "4: ACTIVE" "5: LinkUp"
	put "$1" /proc/self/mounts "proc /proc proc rw 0 0"
}

mount_debugfs() { # ROOT
	printf '%s\n' "sysfs /sys sysfs rw 0 0" \
		"debugfs /sys/kernel/debug debugfs rw 0 0" >"$1/proc/self/mounts"
}

# inject_file NAME ROOT DEV LINE: the device's inject file holds LINE.
inject_file() {
	tests=$((tests + 1))
	[ "$(cat "$2/sys/kernel/debug/sfab/$3/inject")" = "$4" ] ||
		fail "$1: inject file has '$(cat "$2/sys/kernel/debug/sfab/$3/inject")', expected '$4'"
}

test_inject() {
	local r=$work/inject f

	inject_tree "$r"
	run inject_nomount 1 "$r" inject show
	has inject_nomount "debugfs is not mounted at /sys/kernel/debug"
	has inject_nomount "mount -t debugfs none /sys/kernel/debug"
	put "$r" /proc/self/mounts "debugfs /debug debugfs rw 0 0"
	run inject_elsewhere 1 "$r" inject drop 5
	has inject_elsewhere "it is mounted at /debug"
	mount_debugfs "$r"
	run inject_absent 1 "$r" inject drop 5
	has inject_absent "not a vendor build with error injection"
	tests=$((tests + 1))
	[ ! -e "$r/sys/kernel/debug/sfab/sfab0/inject" ] ||
		fail "inject_absent: created the inject file"

	f=$r/sys/kernel/debug/sfab/sfab0/inject
	put "$r" /sys/kernel/debug/sfab/sfab0/inject ""
	run inject_set 0 "$r" inject drop 5 corrupt 0.5
	has inject_set "drop 5% (50000 ppm), corrupt 0.5% (5000 ppm)"
	inject_file inject_set "$r" sfab0 \
		"drop_ppm=50000 corrupt_ppm=5000 delay_ppm=0 delay_ms=0 qpn=-1"
	run inject_delay 0 "$r" inject --qp 0x11 delay 20 12.5%
	inject_file inject_delay "$r" sfab0 \
		"drop_ppm=0 corrupt_ppm=0 delay_ppm=125000 delay_ms=20 qpn=17"
	run inject_delay_all 0 "$r" inject delay 10 -d sfab0
	inject_file inject_delay_all "$r" sfab0 \
		"drop_ppm=0 corrupt_ppm=0 delay_ppm=1000000 delay_ms=10 qpn=-1"
	run inject_json 0 "$r" --json inject drop 0.0001
	json inject_json 'd[0]["drop_ppm"] == 1 and d[0]["qpn"] is None' \
		'd[0]["written"].startswith("drop_ppm=1 ")'
	run inject_off 0 "$r" inject off
	inject_file inject_off "$r" sfab0 off

	printf '%s\n' "drop_ppm 50000" "corrupt_ppm 0" "delay_ppm 0" \
		"delay_ms 0" "qpn 17" "dropped 12" "corrupted 0" "delayed 0" \
		"future_key 3" >"$f"
	run inject_show 0 "$r" inject show
	has inject_show "5% (50000 ppm)"
	has inject_show "destination QP 17"
	has inject_show "future_key 3"
	run inject_show_json 0 "$r" inject show --json
	json inject_show_json 'd[0]["ifname"] == "sfab0"' \
		'd[0]["drop_ppm"] == 50000 and d[0]["qpn"] == 17' \
		'd[0]["dropped"] == 12 and d[0]["active"] is True' \
		'd[0]["future_key"] == 3'

	run inject_pct 2 "$r" inject drop 101
	run inject_fine 2 "$r" inject corrupt 0.00001
	has inject_fine "at most 4 decimals"
	run inject_alone 2 "$r" inject show off
	run inject_offqp 2 "$r" inject --qp 3 off
	run inject_twice 2 "$r" inject drop 1 drop 2
	run inject_none 2 "$r" inject
	run inject_nodev 3 "$r" inject -d sfab9 show
	has inject_nodev "sfab9 is not an sfab device"

	add_ibdev "$r" sfab1 sfab sfabtest8 "4: ACTIVE" "5: LinkUp"
	run inject_which 2 "$r" inject show
	has inject_which "say which with -d DEV"
	put "$r" /sys/kernel/debug/sfab/sfab1/inject ""
	run inject_sfab1 0 "$r" inject -d sfab1 corrupt 1
	inject_file inject_sfab1 "$r" sfab1 \
		"drop_ppm=0 corrupt_ppm=10000 delay_ppm=0 delay_ms=0 qpn=-1"

	add_kernel "$work/inject_nodev" 0
	run inject_nosfab 3 "$work/inject_nodev" inject show
	has inject_nosfab "no sfab device"

	# debugfs is root's: a file this user cannot open.
	if [ "$(id -u)" -ne 0 ]; then
		chmod 000 "$f"
		run inject_denied 4 "$r" inject -d sfab0 show
	elif nobody_cmd; then
		chmod 600 "$f"
		run_nobody inject_denied 4 "$r" inject -d sfab0 show
	else
		echo "skip: inject permission denied (cannot run as nobody here)"
		return
	fi
	has inject_denied "run sfabdiag inject as root"
}

# bundle_manifest NAME TARBALL: MANIFEST, extracted to NAME.manifest; each
# file of the tarball is listed in it.
bundle_manifest() {
	tests=$((tests + 1))
	tar -tzf "$2" >"$work/$1.list" 2>&1 ||
		{ fail "$1: tar -tzf: $(head -1 "$work/$1.list")"; return; }
	tests=$((tests + 1))
	grep -q '^[^/]*/MANIFEST$' "$work/$1.list" ||
		{ fail "$1: no MANIFEST in the tarball"; return; }
	tar -xzOf "$2" --wildcards '*/MANIFEST' >"$work/$1.manifest"
	tests=$((tests + 1))
	python3 - "$work/$1.list" "$work/$1.manifest" <<-'EOF' ||
	import sys
	files = [l.split("/", 1)[1].strip() for l in open(sys.argv[1])
	     if "/" in l and not l.endswith("/\n")]
	listed = {l.split()[0] for l in open(sys.argv[2]) if l.startswith("  ")}
	missing = [f for f in files if f not in listed]
	sys.exit("not in MANIFEST: %s" % missing if missing else 0)
	EOF
		fail "$1: a file of the tarball is not in MANIFEST"
}

manifest_has() { # NAME TEXT
	tests=$((tests + 1))
	grep -qF -- "$2" "$work/$1.manifest" || fail "$1: MANIFEST lacks '$2'"
}

test_bundle() {
	local r=$work/bundle rc=0

	run bundle_noout 2 /nonexistent bundle
	has bundle_noout "-o FILE is needed"
	run bundle_secs 2 /nonexistent bundle -o "$work/b.tar.gz" \
		--capture-seconds 61
	inject_tree "$r"
	rm -r "${r:?}/sys/module/sfab"
	put "$r" /etc/os-release "ID=sfabtest"
	if ! nobody_cmd; then
		echo "skip: bundle without privilege (cannot drop privilege here)"
	else
		chmod 777 "$work/out"
		run_nobody bundle_user 4 "$r" bundle -o "$work/out/user.tar.gz" \
			--capture-seconds 1
		has bundle_user "not collected"
		has bundle_user "fix: run sfabdiag bundle as root"
		bundle_manifest bundle_user "$work/out/user.tar.gz"
		manifest_has bundle_user "capture needs CAP_NET_RAW: run as root"
		manifest_has bundle_user "module sfab is not loaded"
		manifest_has bundle_user "sfabdiag/status.json"
		manifest_has bundle_user "sfabdiag/counters.json"
		manifest_has bundle_user "etc/os-release"
		manifest_has bundle_user "debugfs is not mounted"
		run_nobody bundle_user_json 4 "$r" --json bundle \
			-o "$work/out/user2.tar.gz" --capture-seconds 1
		json bundle_user_json 'd[0]["root"] is False' \
			'd[0]["complete"] is False' \
			'any(m["item"] == "capture" and m["needs_root"] for m in d[0]["missing"])'
	fi
	[ "$(id -u)" -eq 0 ] || return 0
	# As root: everything but the capture, which is left out; the kernel
	# log needs CAP_SYSLOG, which a container may lack: 0 or 4.
	tests=$((tests + 1))
	SFABDIAG_ROOT=$r "$bin" bundle -o "$work/root.tar.gz" \
		--capture-seconds 0 >"$work/bundle_root.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] ||
		{ fail "bundle_root: exit $rc"; sed 's/^/    /' "$work/bundle_root.out"; }
	bundle_manifest bundle_root "$work/root.tar.gz"
	manifest_has bundle_root "left out: --capture-seconds 0"
	manifest_has bundle_root "user      root"
}

mkdir -p "$work/out"
test_pcapng
test_capture
test_inject
test_bundle
# ---- capture, inject, bundle: end --------------------------------------

# ---- counters, qp: begin ------------------------------------------------
# Device counters come from fake hw_counters files. Per-QP state needs
# the kernel's RDMA netlink, which no fake tree can give: where the host
# has none (no ib_core), the message that says so is checked; the
# netlink path itself is tested on a guest with the sfab module.

sfab_counters="sent_pkts rcvd_pkts sent_bytes rcvd_bytes retransmits
retry_timeouts seq_naks_sent seq_naks_rcvd rnr_naks_sent rnr_naks_rcvd
other_naks_sent other_naks_rcvd duplicate_requests out_of_sequence
icrc_errors malformed_dropped unknown_qp_dropped rx_dropped tx_errors
ud_no_recv_dropped"

# add_hw_counters ROOT DEV: sfab's counters (the Nth is 100 * N), ib_core's
# lifespan setting, and one a newer module might add.
add_hw_counters() {
	local h="/sys/class/infiniband/$2/ports/1/hw_counters" c n=0

	for c in $sfab_counters; do
		n=$((n + 1))
		put "$1" "$h/$c" $((n * 100))
	done
	put "$1" "$h/lifespan" 10
	put "$1" "$h/aa_newer_counter" 7
}

# set_counter ROOT DEV NAME VALUE: rewrite a counter whole, as sysfs would.
set_counter() {
	local f="$1/sys/class/infiniband/$2/ports/1/hw_counters/$3"

	printf '%s\n' "$4" >"$f.new"
	mv "$f.new" "$f"
}

# json_lines NAME EXPR...: each line of the output parses; each
# expression holds on s (the list of parsed lines, one per sample),
# with e(line, kind) the entries of that kind in a line.
json_lines() {
	local name=$1 expr

	shift
	for expr in "" "$@"; do
		tests=$((tests + 1))
		python3 - "$work/$name.out" "$expr" <<-'EOF' || fail "$name: JSON lines: ${expr:-parse}"
			import json, sys
			s = [json.loads(l) for l in open(sys.argv[1])]
			def e(line, kind): return [x for x in line if x.get("entry") == kind]
			sys.exit(0 if not sys.argv[2] or eval(sys.argv[2]) else 1)
		EOF
	done
}

# wait_lines FILE N: wait up to 10 s for FILE to have N lines.
wait_lines() {
	local _

	for _ in $(seq 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# The host has no RDMA netlink (ib_core not loaded): true or false.
host_has_rdma_netlink() {
	python3 - <<-'EOF'
		import socket, sys
		try:
		    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 20).close()
		except OSError:
		    sys.exit(1)
	EOF
}

make_counters_tree() { # ROOT
	add_kernel "$1" 0
	add_module "$1" "$kitver" O
	add_ibdev "$1" sfab0 sfab eth0 "4: ACTIVE" "5: LinkUp"
	add_ibdev "$1" rxe0 rxe eth0 "4: ACTIVE" "5: LinkUp"
	add_hw_counters "$1" sfab0
	add_hw_counters "$1" rxe0
}

test_counters() {
	local r=$work/counters rc pid first last

	make_counters_tree "$r"
	run counters 0 "$r" counters
	has counters "sfab0 port 1"
	has counters "COUNTER"
	has counters "ud_no_recv_dropped"
	has counters "aa_newer_counter"
	lacks counters "rxe0"
	lacks counters "lifespan"
	lacks counters "RATE/S"
	tests=$((tests + 1))
	grep -Eq '^  retransmits +500$' "$work/counters.out" ||
		fail "counters: retransmits is not shown as 500"
	# sfab's order, then the names it does not know.
	tests=$((tests + 1))
	first=$(grep -n 'sent_pkts' "$work/counters.out" | cut -d: -f1)
	last=$(grep -n 'ud_no_recv_dropped' "$work/counters.out" | cut -d: -f1)
	if [ "$first" -ge "$last" ] ||
		[ "$last" -ge "$(grep -n aa_newer "$work/counters.out" | cut -d: -f1)" ]; then
		fail "counters: not in sfab's order, newer names last"
	fi

	run counters_json 0 "$r" --json counters
	json counters_json \
		'len(d) == 2' \
		'e("sample")[0]["sample"] == 1 and e("sample")[0]["interval"] is None' \
		'e("device")[0]["ifname"] == "sfab0" and e("device")[0]["port"] == 1' \
		'e("device")[0]["counters"]["sent_pkts"] == 100' \
		'e("device")[0]["counters"]["ud_no_recv_dropped"] == 2000' \
		'e("device")[0]["counters"]["aa_newer_counter"] == 7' \
		'len(e("device")[0]["counters"]) == 21' \
		'e("device")[0]["rates"] is None'

	run counters_dev 0 "$r" counters -d sfab0
	has counters_dev "sfab0 port 1"
	run counters_notsfab 3 "$r" counters -d rxe0
	has counters_notsfab "rxe0 is an RDMA device, but not an sfab device"
	run counters_nosuch 3 "$r" counters --device nosuch
	has counters_nosuch "there is no RDMA device named nosuch"
	run counters_nosuch_json 3 "$r" counters -d nosuch --json
	json counters_nosuch_json 'ids("problem") == ["no_device"]'

	# Watch: two samples three seconds apart; sent_pkts grows by 1000 and
	# rcvd_bytes by 250 between them, the others do not change. The
	# counters change when the first sample is seen: three seconds leave
	# room for a loaded build machine (with one, the second sample came
	# before the change).
	tests=$((tests + 1))
	rc=0
	SFABDIAG_ROOT=$r "$bin" --json counters -w 3 -n 2 \
		>"$work/counters_watch.out" 2>"$work/counters_watch.err" &
	pid=$!
	if wait_lines "$work/counters_watch.out" 1; then
		set_counter "$r" sfab0 sent_pkts 1100
		set_counter "$r" sfab0 rcvd_bytes 650
	else
		fail "counters_watch: no first sample within 10 s"
	fi
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "counters_watch: exited $rc, expected 0"
	json_lines counters_watch \
		'len(s) == 2' \
		'[e(l, "sample")[0]["sample"] for l in s] == [1, 2]' \
		'e(s[0], "device")[0]["rates"] is None' \
		'2.9 <= e(s[1], "sample")[0]["interval"] <= 6' \
		'e(s[1], "device")[0]["counters"]["sent_pkts"] == 1100' \
		'abs(e(s[1], "device")[0]["rates"]["sent_pkts"] * e(s[1], "sample")[0]["interval"] - 1000) < 5' \
		'abs(e(s[1], "device")[0]["rates"]["rcvd_bytes"] * e(s[1], "sample")[0]["interval"] - 250) < 2' \
		'e(s[1], "device")[0]["rates"]["retransmits"] == 0' \
		'sorted(e(s[1], "device")[0]["rates"]) == sorted(e(s[1], "device")[0]["counters"])'

	run counters_watch_human 0 "$r" counters -w 0.2 -n 2
	tests=$((tests + 1))
	[ "$(grep -c '^Sample ' "$work/counters_watch_human.out")" -eq 2 ] ||
		fail "counters_watch_human: not two samples"
	has counters_watch_human "RATE/S"
	has counters_watch_human "s after the previous"
	tests=$((tests + 1))
	grep -Eq '^  retransmits +500 +0\.0$' "$work/counters_watch_human.out" ||
		fail "counters_watch_human: retransmits has no rate 0.0"
	tests=$((tests + 1))
	if LC_ALL=C grep -q $'\033' "$work/counters_watch_human.out"; then
		fail "counters_watch_human: terminal control codes on a pipe"
	fi

	# -n alone samples every second; -w without -n runs until SIGTERM,
	# then exits 0 after a whole sample.
	run counters_count 0 "$r" counters -n 1 -j
	json_lines counters_count 'len(s) == 1'
	tests=$((tests + 1))
	rc=0
	SFABDIAG_ROOT=$r "$bin" counters -w 0.5 >"$work/counters_term.out" \
		2>&1 &
	pid=$!
	wait_lines "$work/counters_term.out" 3 || true
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "counters_term: exited $rc after SIGTERM, expected 0"
	tests=$((tests + 1))
	[ "$(grep -c '^Sample ' "$work/counters_term.out")" -eq \
		"$(grep -c aa_newer_counter "$work/counters_term.out")" ] ||
		fail "counters_term: the last sample was cut"

	# A value that is not a number; no hw_counters at all (old module).
	set_counter "$r" sfab0 tx_errors "n/a"
	run counters_bad 1 "$r" counters
	has counters_bad "counter tx_errors reads 'n/a', not a number"
	run counters_bad_json 1 "$r" counters --json
	json counters_bad_json 'ids("problem") == ["bad_counter"]' \
		'"tx_errors" not in e("device")[0]["counters"]'
	rm -r "$r/sys/class/infiniband/sfab0/ports/1/hw_counters"
	run counters_none 1 "$r" counters
	has counters_none "hw_counters does not exist"
	has counters_none "rdma statistic show link sfab0/1"
	run counters_none_json 1 "$r" counters -j
	json counters_none_json 'ids("problem") == ["no_counters"]' \
		'e("device")[0]["counters"] is None'

	# No sfab device at all.
	r=$work/counters_nodev
	add_kernel "$r" 0
	add_ibdev "$r" rxe0 rxe eth0 "4: ACTIVE" "5: LinkUp"
	run counters_nodev 3 "$r" counters
	has counters_nodev "no sfab device"
	has counters_nodev "rdma link add sfab0 type sfab netdev IFACE"
	run qp_nodev 3 "$r" qp
	has qp_nodev "no sfab device"
	run qp_nodev_json 3 "$r" qp --json
	json qp_nodev_json 'ids("problem") == ["no_device"]'
}

test_counters_usage() {
	run counters_w0 2 /nonexistent counters -w 0
	has counters_w0 "-w wants seconds between 0.1 and 86400, not '0'"
	run counters_wbad 2 /nonexistent counters --watch 1s
	has counters_wbad "not '1s'"
	run counters_n0 2 /nonexistent counters -w 1 -n 0
	has counters_n0 "-n wants a count of samples, 1 or more, not '0'"
	run counters_nneg 2 /nonexistent counters -n -3
	run counters_noarg 2 /nonexistent counters -w
	has counters_noarg "option -w needs a value"
	run counters_opt 2 /nonexistent counters --bogus
	has counters_opt "bad option '--bogus'"
	run counters_arg 2 /nonexistent counters sfab0
	has counters_arg "unexpected argument 'sfab0'"
	run counters_help 0 /nonexistent counters --help
	has counters_help "sfabdiag-counters(8)"
	run qp_show_noqpn 2 /nonexistent qp show
	has qp_show_noqpn "show needs a QP number"
	run qp_show_bad 2 /nonexistent qp show 0x1000000
	has qp_show_bad "is not a QP number"
	run qp_action 2 /nonexistent qp drop
	has qp_action "unknown action 'drop'"
	run qp_extra 2 /nonexistent qp show 17 18
	has qp_extra "unexpected argument '18'"
	run qp_opt 2 /nonexistent qp -x
	has qp_opt "unknown option '-x'"
	run qp_help 0 /nonexistent qp --help
	has qp_help "sfabdiag-qp(8)"
	run help_cmds 0 /nonexistent --help
	has help_cmds "counters"
	has help_cmds "qp "
}

# What the host's missing RDMA netlink does to --qp and to qp.
test_no_netlink() {
	local r=$work/nonetlink

	if host_has_rdma_netlink; then
		echo "skip: counters --qp, qp: this host has an RDMA netlink (the guest tests cover it)"
		return
	fi
	make_counters_tree "$r"
	run nonl_counters 1 "$r" counters --qp
	has nonl_counters "sfab0 port 1"
	has nonl_counters "QPs of sfab0"
	has nonl_counters "the kernel has no RDMA netlink (ib_core not loaded)"
	has nonl_counters "modprobe sfab"
	run nonl_counters_json 1 "$r" counters --qp -j
	json nonl_counters_json 'ids("problem") == ["no_rdma_netlink"]' \
		'e("device")[0]["counters"]["sent_pkts"] == 100' \
		'e("qp") == []'
	run nonl_qp 1 "$r" qp
	has nonl_qp "no QP could be read"
	has nonl_qp "the kernel has no RDMA netlink (ib_core not loaded)"
	run nonl_qp_list_json 1 "$r" --json qp list -d sfab0
	json nonl_qp_list_json 'ids("problem") == ["no_rdma_netlink"]' \
		'e("qp") == []'
	run nonl_qp_show 1 "$r" qp show 1
	has nonl_qp_show "the kernel has no RDMA netlink (ib_core not loaded)"
	lacks nonl_qp_show "no QP 1"
	run nonl_qp_notsfab 3 "$r" qp show 1 -d rxe0
	has nonl_qp_notsfab "rxe0 is an RDMA device, but not an sfab device"
}

# A counter file the user may not read: exit 4, device counters or not.
test_counters_permission() {
	local r=$work/counters_perm rc=0 as=()

	make_counters_tree "$r"
	chmod 000 "$r/sys/class/infiniband/sfab0/ports/1/hw_counters/retransmits"
	if [ "$(id -u)" -eq 0 ]; then
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		chmod 755 "$work"
		if [ -n "${FAKEROOTKEY:-}" ] || ! command -v setpriv >/dev/null ||
			! "${as[@]}" test -x "$bin" -a -r "$r/sys/class/infiniband/sfab0/node_desc" 2>/dev/null; then
			echo "skip: counters permission (cannot run sfabdiag as nobody here)"
			return
		fi
	fi
	tests=$((tests + 1))
	SFABDIAG_ROOT=$r "${as[@]}" "$bin" counters >"$work/counters_perm.out" \
		2>&1 || rc=$?
	[ "$rc" -eq 4 ] || fail "counters_perm: exit $rc, expected 4"
	has counters_perm "cannot read /sys/class/infiniband/sfab0/ports/1/hw_counters/retransmits: Permission denied"
	has counters_perm "needs root"
	has counters_perm "sent_pkts"
	rc=0
	tests=$((tests + 1))
	SFABDIAG_ROOT=$r "${as[@]}" "$bin" counters -j >"$work/counters_perm_json.out" \
		2>/dev/null || rc=$?
	[ "$rc" -eq 4 ] || fail "counters_perm_json: exit $rc, expected 4"
	json counters_perm_json 'ids("problem") == ["permission_denied"]'
}

test_counters_usage
test_counters
test_no_netlink
test_counters_permission
# ---- counters, qp: end --------------------------------------------------

if [ "$failed" -ne 0 ]; then
	echo "sfabdiag tests: $failed of $tests checks failed"
	exit 1
fi
echo "sfabdiag tests: all $tests checks passed"
