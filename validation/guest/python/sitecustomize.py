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

# pyverbs frees a device's objects in its Context, and relies on Python
# freeing the objects of a test before their Context. Objects that only
# the cyclic garbage collector frees (those of a test skipped from inside
# its resources' constructor, as on a device without extended QPs) come
# in no such order: with pyverbs 56.1 under Python 3.13 (trixie) the
# Context was closed first, the CQ and PD destroys that followed failed
# with EBADF and then used the freed context: python3 segfaulted in
# libibverbs, mid-run or at exit. With SFAB_NO_CYCLIC_GC=1 the collector
# stays off and the interpreter leaves without finalizing (the kernel
# frees what the process held), keeping the exit status.
if os.environ.get("SFAB_NO_CYCLIC_GC") == "1":
    import atexit
    import gc
    import sys

    gc.disable()
    _status = [0]
    _sys_exit = sys.exit
    _excepthook = sys.excepthook

    def _record_exit(code=0):
        _status[0] = code
        _sys_exit(code)

    def _record_exception(*args):
        _status[0] = 1
        _excepthook(*args)

    def _leave():
        code = _status[0]
        if code is None:
            code = 0
        elif not isinstance(code, int):
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    sys.exit = _record_exit
    sys.excepthook = _record_exception
    atexit.register(_leave)
