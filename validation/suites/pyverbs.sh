# shellcheck shell=sh
# Suite "pyverbs": rdma-core's own test suite (tests/run_tests.py, with
# pyverbs) against the device on va: the distro's python3-pyverbs and its
# tests (gunzipped from /usr/share/doc/rdma-core/tests), or on vendor
# targets the kit's rdma-core build of both. Traffic tests run loopback on
# that one device; the rdmacm tests use va's address. The TAP line gives
# the pass/skip/fail counts; any failure or error fails it (no test is
# excused). quick depth runs the core modules only. With sfab_dev=interop
# it runs on the first pair's device (sfab). Runs in the guest; TAP on
# stdout.

# shellcheck source=../guest/lib.sh
. /usr/share/sfab-vm/lib.sh
# shellcheck source=../guest/hosts.sh
. /usr/share/sfab-vm/hosts.sh
# shellcheck source=../guest/clients.sh
. /usr/share/sfab-vm/clients.sh

tests=/tmp/rdma-core-tests
# Each test has this long (guest/python/sitecustomize.py), the whole run
# the longer limit, the TAP test a little longer still.
per_test=${SFAB_PYVERBS_TEST_SECONDS:-60}
if [ "$DEPTH" = full ]; then
	select=''
	run_timeout=${SFAB_PYVERBS_TIMEOUT:-900}
else
	select="-k test_device -k test_pd -k test_mr -k test_cq -k test_qp -k test_rdmacm"
	run_timeout=${SFAB_PYVERBS_TIMEOUT:-300}
fi
test_timeout=$((run_timeout + 60))

prepare_tests() {
	src=/usr/share/doc/rdma-core/tests
	[ -f "$src/run_tests.py" ] || [ -f "$src/run_tests.py.gz" ] ||
		fail "no rdma-core tests in $src"
	rm -rf "$tests"
	must cp -r "$src" "$tests"
	find "$tests" -name '*.gz' -exec gunzip -f {} +
	[ -f "$tests/run_tests.py" ] || fail "no run_tests.py after gunzip"
	must python3 -c 'import pyverbs.device'
	echo "pyverbs from $(python3 -c 'import pyverbs, os; print(os.path.dirname(pyverbs.__file__))'), tests from $src: $(find "$tests" -maxdepth 1 -name 'test_*.py' | wc -l) test modules"
}

# counts: "ran passed skipped failures errors" from unittest's summary.
# Without one (the run was killed), from its per-test lines, prefixed
# with "partial".
partial_counts() {
	awk '/ \.\.\. ok$/ { ok++ } / \.\.\. skipped / { sk++ } / \.\.\. FAIL$/ { f++ }
		/ \.\.\. ERROR$/ { e++ }
		END { print "partial", ok + sk + f + e, ok + 0, sk + 0, f + 0, e + 0 }' /tmp/pyverbs.out
}

counts() {
	awk '/^Ran [0-9]+ tests? in/ { ran = $2 }
		/^(OK|FAILED)/ {
			s = $0
			while (match(s, /(skipped|failures|errors|expected failures|unexpected successes)=[0-9]+/)) {
				kv = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
				split(kv, p, "="); c[p[1]] = p[2]
			}
			verdict = $1
		}
		END {
			if (ran == "" || verdict == "") exit 1
			bad = c["failures"] + c["errors"] + c["unexpected successes"]
			print ran, ran - bad - c["skipped"] - c["expected failures"], c["skipped"] + 0, c["failures"] + 0, c["errors"] + 0
		}' /tmp/pyverbs.out
}

run_tests() {
	args="--dev $DEV_A"
	# --port and --gid came with rdma-core 36; 33 has only --dev.
	if grep -q "'--gid'" "$tests/args_parser.py"; then
		gidx=$(gidx_a) || fail "$gidx"
		args="$args --port 1 --gid $gidx"
	fi
	echo "python3 run_tests.py $args -v $select (${per_test}s a test, ${run_timeout}s in all)"
	rc=0
	# SFAB_NO_CYCLIC_GC: see guest/python/sitecustomize.py.
	# shellcheck disable=SC2086 # the arguments are meant to split
	(cd "$tests" && PYTHONPATH=/usr/share/sfab-vm/python SFAB_TEST_SECONDS=$per_test \
		SFAB_NO_CYCLIC_GC=1 \
		timeout -k 10 "$run_timeout" python3 run_tests.py $args -v $select) \
		>/tmp/pyverbs.out 2>&1 || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		# shellcheck disable=SC2046 # six fields
		set -- $(partial_counts)
		fail "run_tests.py killed after ${run_timeout}s; so far $3 passed, $4 skipped," \
			"$5 failed, $6 errors; running: $(tail -n 1 /tmp/pyverbs.out)"
	fi
	if ! c=$(counts); then
		# shellcheck disable=SC2046 # six fields
		set -- $(partial_counts)
		fail "no unittest summary (exit $rc); so far $3 passed, $4 skipped, $5 failed," \
			"$6 errors; the last test line: $(grep '^test_' /tmp/pyverbs.out | tail -n 1)" \
			"$(tail -n 20 /tmp/pyverbs.out)"
	fi
	# shellcheck disable=SC2086 # five counts
	set -- $c
	echo "$1 tests: $2 passed, $3 skipped, $4 failed, $5 errors"
	# What failed, and the tail of each traceback.
	awk '/^(FAIL|ERROR): / { print; n = 0; grab = 1; next }
		grab && /^(Traceback|  File)/ { next }
		grab && /^-+$/ { if (++n > 1) grab = 0; next }
		grab && NF { print "    " $0 }' /tmp/pyverbs.out | head -n 120
	echo "skipped, by reason:"
	sed -n "s/.* \\.\\.\\. skipped '\\(.*\\)'$/\\1/p" /tmp/pyverbs.out | cut -c1-100 |
		sort | uniq -c | sort -rn | head -n 15
	[ "$(($4 + $5))" -eq 0 ] || fail "$4 failures and $5 errors"
	[ "$2" -gt 0 ] || fail "no test passed"
	[ "$rc" -eq 0 ] || fail "run_tests.py exited $rc"
}

guest_setup
t "two hosts: veth va (init netns) and vb (netns peer)" setup_hosts
t "rdma-core's tests, gunzipped, and pyverbs importable" prepare_tests
use_pair "$(dev_pairs | cut -d' ' -f1)"
t "$DEV_A on va: port ACTIVE, RoCE v2 GID" add_device
t "rdma-core tests (pyverbs) on $DEV_A: none fails" run_tests
t "rdma link delete $DEV_A, its module unloads" del_device
teardown_hosts
done_testing
