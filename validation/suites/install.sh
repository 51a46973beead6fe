# shellcheck shell=sh
# Suite "install": what the kit's packages installed, as a customer's
# machine has it after apt (the package image of validation/image.sh):
# the module DKMS built for the running kernel, its version and that of
# the provider, the diag tool and the packages, all one and visible at run
# time; the provider found by the distro's libibverbs; sfabdiag's view of
# a machine without and with a device. Skipped on the developer build
# (SFAB_VM_ROOT=dev), which installs no package.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh

V=/usr/share/sfab/versions

if [ "$(kparam sfab_root image)" != image ]; then
	echo "1..0 # SKIP the developer build installs no package"
	exit 0
fi
kit=$(cat $V/dkms 2>/dev/null)

# The module of the running kernel is DKMS's, with the packages' version.
check_module() {
	f=$(modinfo -F filename sfab) || fail "modinfo finds no sfab for $(uname -r)"
	case $f in
	*/updates/dkms/sfab.ko*) ;;
	*) fail "sfab for $(uname -r) is $f, not DKMS's (updates/dkms)" ;;
	esac
	v=$(modinfo -F version sfab)
	[ -n "$kit" ] || fail "no $V/dkms: is sfab-dkms installed?"
	[ "$v" = "$kit" ] || fail "modinfo says $v, $V/dkms $kit"
	echo "$f: version $v, vermagic $(modinfo -F vermagic sfab)"
}

# Every component says the same version: files, module, tool, packages.
check_versions() {
	for c in dkms provider diag; do
		[ "$(cat $V/$c 2>/dev/null)" = "$kit" ] || fail "$V/$c says '$(cat $V/$c 2>/dev/null)', not $kit"
	done
	must modprobe sfab
	[ "$(cat /sys/module/sfab/version)" = "$kit" ] ||
		fail "/sys/module/sfab/version is $(cat /sys/module/sfab/version), not $kit"
	sfabdiag --version | grep -qF "$kit" || fail "sfabdiag --version: $(sfabdiag --version)"
	sfabdiag version || fail "sfabdiag version: exit $? (a mismatch)"
	dpkg-query -W -f '${Package} ${Version}\n' sfab-dkms sfab-diag 2>&1 | tee /tmp/pkgs
	awk -v k="$kit" 'index($2, k "-") != 1 { bad = 1 } END { exit bad }' /tmp/pkgs ||
		fail "a package's version is not $kit-N"
}

# The provider is the package's, where the distro's libibverbs looks.
check_provider() {
	drv=/etc/libibverbs.d/sfab.driver
	[ -f $drv ] || fail "no $drv"
	lib=$(ls /usr/lib/x86_64-linux-gnu/libibverbs/libsfab-rdmav*.so 2>/dev/null)
	[ -n "$lib" ] || fail "no libsfab in the libibverbs provider directory"
	dpkg -S "$lib" || fail "$lib belongs to no package"
	ibv_devices | tee /tmp/devs
	grep -q "$DEV_A" /tmp/devs || fail "ibv_devices does not list $DEV_A"
	ibv_devinfo -d "$DEV_A" | grep -E 'hca_id|transport|state' || fail "ibv_devinfo -d $DEV_A failed"
}

# sfabdiag status RC: exit status RC, and --json that parses.
status_is() {
	rc=0
	sfabdiag status >/tmp/status 2>&1 || rc=$?
	cat /tmp/status
	[ "$rc" -eq "$1" ] || fail "sfabdiag status: exit $rc, expected $1"
	rc=0
	sfabdiag --json status >/tmp/status.json 2>/dev/null || rc=$?
	[ "$rc" -eq "$1" ] || fail "sfabdiag --json status: exit $rc, expected $1"
	python3 -m json.tool /tmp/status.json >/dev/null || fail "sfabdiag --json status is not JSON: $(cat /tmp/status.json)"
}

no_device() {
	must modprobe sfab
	status_is 3
	grep -qi "no sfab device" /tmp/status || fail "sfabdiag status does not say there is no sfab device"
}

with_device() {
	status_is 0
	grep -q "$DEV_A" /tmp/status || fail "sfabdiag status does not list $DEV_A"
	grep -q va /tmp/status || fail "sfabdiag status does not name the netdev va"
	grep -q "\"$DEV_A\"" /tmp/status.json || fail "sfabdiag --json status has no $DEV_A"
}

DEV_A=sfab0
t "setup: two hosts on a veth pair" setup_hosts
t "sfab.ko for $(uname -r) is DKMS's, version of the packages" check_module
t "one version everywhere: files, /sys/module, sfabdiag, dpkg" check_versions
t "sfabdiag status, no device: says so, exit 3, JSON parses" no_device
t "rdma link add $DEV_A on va" add_device
t "the provider: the package's libsfab, found by libibverbs" check_provider
t "sfabdiag status with $DEV_A: healthy, exit 0, JSON parses" with_device
t "rdma link delete, sfab unloads" del_device
teardown_hosts
done_testing
