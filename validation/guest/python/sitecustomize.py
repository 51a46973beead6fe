# A per-test time limit for rdma-core's tests (validation/suites/
# pyverbs.sh puts this directory first in PYTHONPATH; run_tests.py itself
# is run unchanged). A test still running after SFAB_TEST_SECONDS gets a
# TimeoutError, so a hung verb costs one test (an error naming it), not
# the whole run. Child processes the tests fork are not affected.
import os
import signal
import unittest

_limit = int(os.environ.get("SFAB_TEST_SECONDS", "0"))
if _limit > 0:
    _run = unittest.TestCase.run

    def _expired(signum, frame):
        raise TimeoutError("sfab-vm: the test was still running after %ds" % _limit)

    def _run_with_limit(self, result=None):
        old = signal.signal(signal.SIGALRM, _expired)
        signal.alarm(_limit)
        try:
            return _run(self, result)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)

    unittest.TestCase.run = _run_with_limit
