# shellcheck shell=sh
# Helpers for the guest side (the target's own /bin/sh, after boot):
# setup, kernel parameters, TAP output, polling. Sourced by init and by
# the suites, as /usr/share/sfab-vm/lib.sh.

# The distro's tools first; busybox only for what a minbase root lacks.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/sfab-vm/bin

# kparam NAME DEFAULT: the value of NAME= on the kernel command line.
kparam() {
	v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1)
	echo "${v:-$2}"
}

# mount_once TYPE DIR
mount_once() {
	grep -q "^[^ ]* $2 " /proc/mounts 2>/dev/null || mount -t "$1" "$1" "$2"
}

guest_setup() {
	mount_once proc /proc
	mount_once sysfs /sys
	mount_once devtmpfs /dev
	mount_once tmpfs /run
	mkdir -p /run/netns /dev/shm
	mount_once tmpfs /dev/shm
	# shellcheck disable=SC3045 # dash and busybox sh have ulimit -l
	ulimit -l unlimited
}

guest_poweroff() {
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
}

# --- TAP -------------------------------------------------------------------

tap_count=0
tap_failed=0
# A test still running after this long has hung (in the kernel, likely).
test_timeout=${SFAB_TEST_TIMEOUT:-120}

# t DESCRIPTION COMMAND...: one TAP test. COMMAND runs in a subshell, so
# fail (below) ends just that test; whatever it prints becomes diagnostics.
# A hung test ends the suite ("Bail out!"): nothing after it means much.
t() {
	desc=$1
	shift
	tap_count=$((tap_count + 1))
	t_start=$(date +%s)
	rm -f /tmp/test.rc
	( ("$@") >/tmp/test.out 2>&1; echo $? >/tmp/test.rc) &
	tenths=0
	while [ ! -s /tmp/test.rc ] && [ "$tenths" -lt $((test_timeout * 10)) ]; do
		sleep 0.1
		tenths=$((tenths + 1))
	done
	if [ ! -s /tmp/test.rc ]; then
		echo "not ok $tap_count - $desc"
		sed 's/^/# /' /tmp/test.out
		echo "Bail out! test $tap_count hung for ${test_timeout}s"
		echo "[${0##*/}] test $tap_count hung for ${test_timeout}s: $desc" >&2
		exit 1
	fi
	wait
	if [ "$(cat /tmp/test.rc)" -eq 0 ]; then
		res="ok"
	else
		res="not ok"
		tap_failed=$((tap_failed + 1))
	fi
	echo "$res $tap_count - $desc"
	sed 's/^/# /' /tmp/test.out
	# The same line on the console, between the kernel's messages.
	echo "[${0##*/}] $res $tap_count - $desc ($(($(date +%s) - t_start))s)" >&2
}

# diag TEXT...: TAP diagnostic lines.
diag() { echo "$*" | sed 's/^/# /'; }

# done_testing: the plan (at the end) and the suite's exit status.
done_testing() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
}

# fail MESSAGE: end the current test as failed.
fail() {
	echo "$*"
	exit 1
}

# wait_for COMMAND...: poll COMMAND (quietly) every 0.1 s until it succeeds,
# for up to 5 s: sysfs and ib_core's GID work lag behind the commands.
wait_for() {
	tries=0
	until "$@" >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ "$tries" -lt 50 ] || return 1
		sleep 0.1
	done
}
