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

if [ "$failed" -ne 0 ]; then
	echo "sfabdiag tests: $failed of $tests checks failed"
	exit 1
fi
echo "sfabdiag tests: all $tests checks passed"
