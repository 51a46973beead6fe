#!/usr/bin/env python3
# Bad verbs arguments from user space, through pyverbs (libibverbs and the
# device's provider): each case builds a fresh pair of RC QPs on one device,
# connected to each other, does one wrong thing and prints one line
# "CASE ok|FAIL what happened". The answers expected are the IBA's: an
# error when posting (EINVAL) for a request the QP cannot take, or the
# completion status for what only the transfer can find out. Used by
# validation/suites/badinput.sh; runs in the guest.
import argparse
import errno
import sys
import time

from pyverbs.addr import AHAttr, GlobalRoute
from pyverbs.cq import CQ
from pyverbs.device import Context
from pyverbs.mr import MR
from pyverbs.pd import PD
from pyverbs.pyverbs_error import PyverbsRDMAError
from pyverbs.qp import QP, QPAttr, QPCap, QPInitAttr
from pyverbs.wr import RecvWR, SendWR, SGE

try:
    import pyverbs.enums as e
except ImportError:
    # pyverbs 60 on: the enums are classes in libibverbs_enums; take their
    # members' values under their names, as pyverbs.enums had them.
    import enum
    import types

    from pyverbs import libibverbs_enums as _enums

    e = types.SimpleNamespace()
    for _v in vars(_enums).values():
        if isinstance(_v, type) and issubclass(_v, enum.Enum):
            for _m in _v:
                setattr(e, _m.name, int(_m.value))

SIZE = 4096
MAX_SGE = 2
ALL_REMOTE = (e.IBV_ACCESS_LOCAL_WRITE | e.IBV_ACCESS_REMOTE_WRITE |
              e.IBV_ACCESS_REMOTE_READ | e.IBV_ACCESS_REMOTE_ATOMIC)


class Pair:
    """Two RC QPs on one device, a and b, each with its CQ and an MR."""

    def __init__(self, ctx, gid_index, connect=True):
        self.ctx = ctx
        self.pd = PD(ctx)
        self.cq_a = CQ(ctx, 64)
        self.cq_b = CQ(ctx, 64)
        self.mr_a = MR(self.pd, SIZE, ALL_REMOTE)
        self.mr_b = MR(self.pd, SIZE, ALL_REMOTE)
        cap = QPCap(max_send_wr=16, max_recv_wr=16, max_send_sge=MAX_SGE,
                    max_recv_sge=MAX_SGE)
        self.a = QP(self.pd, QPInitAttr(qp_type=e.IBV_QPT_RC, scq=self.cq_a,
                                        rcq=self.cq_a, cap=cap))
        self.b = QP(self.pd, QPInitAttr(qp_type=e.IBV_QPT_RC, scq=self.cq_b,
                                        rcq=self.cq_b, cap=cap))
        if connect:
            gr = GlobalRoute(dgid=ctx.query_gid(1, gid_index),
                             sgid_index=gid_index)
            for qp, peer in ((self.a, self.b), (self.b, self.a)):
                attr = QPAttr(port_num=1)
                attr.qp_access_flags = ALL_REMOTE
                attr.path_mtu = e.IBV_MTU_1024
                attr.max_dest_rd_atomic = 1
                attr.max_rd_atomic = 1
                attr.min_rnr_timer = 12
                attr.timeout = 14
                attr.retry_cnt = 7
                attr.rnr_retry = 7
                attr.dest_qp_num = peer.qp_num
                attr.rq_psn = 0
                attr.sq_psn = 0
                attr.ah_attr = AHAttr(port_num=1, is_global=1, gr=gr)
                qp.to_rts(attr)

    def close(self):
        for o in (self.a, self.b, self.mr_a, self.mr_b, self.cq_a,
                  self.cq_b, self.pd):
            o.close()


def poll(cq, seconds=20):
    """The next completion of cq, or None after seconds."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n, wcs = cq.poll(1)
        if n:
            return wcs[0]
        time.sleep(0.001)
    return None


def send_wr(sges, opcode=e.IBV_WR_SEND):
    return SendWR(wr_id=1, opcode=opcode, num_sge=len(sges), sg=sges,
                  send_flags=e.IBV_SEND_SIGNALED)


def expect_post_error(what, post, errnos=(errno.EINVAL,)):
    try:
        post()
    except PyverbsRDMAError as ex:
        if ex.error_code in errnos:
            return "ok", f"{what}: errno {ex.error_code} ({errno.errorcode.get(ex.error_code)})"
        return "FAIL", f"{what}: errno {ex.error_code}, expected one of {errnos}"
    return "FAIL", f"{what}: posted without an error"


def expect_wc(what, cq, want):
    wc = poll(cq)
    if wc is not None and int(wc.status) == want:
        return "ok", f"{what}: completion status {want}"
    got = "no completion" if wc is None else f"status {int(wc.status)}"
    return "FAIL", f"{what}: {got}, expected status {want}"


def both(*results):
    bad = [r for r in results if r[0] != "ok"]
    return ("FAIL" if bad else "ok"), "; ".join(r[1] for r in results)


def case_good_send(p):
    p.b.post_recv(RecvWR(wr_id=2, num_sge=1,
                         sg=[SGE(p.mr_b.buf, SIZE, p.mr_b.lkey)]))
    p.mr_a.write(b"sfab" * 16, 64)
    p.a.post_send(send_wr([SGE(p.mr_a.buf, 64, p.mr_a.lkey)]))
    r = both(expect_wc("sender", p.cq_a, e.IBV_WC_SUCCESS),
             expect_wc("receiver", p.cq_b, e.IBV_WC_SUCCESS))
    if r[0] == "ok" and p.mr_b.read(64, 0) != b"sfab" * 16:
        return "FAIL", "the data received differs from the data sent"
    return r


def case_send_reset(ctx, gid):
    p = Pair(ctx, gid, connect=False)
    try:
        return expect_post_error(
            "post_send in RESET",
            lambda: p.a.post_send(send_wr([SGE(p.mr_a.buf, 8, p.mr_a.lkey)])))
    finally:
        p.close()


def case_recv_reset(ctx, gid):
    p = Pair(ctx, gid, connect=False)
    try:
        return expect_post_error(
            "post_recv in RESET",
            lambda: p.a.post_recv(RecvWR(wr_id=1, num_sge=1,
                                         sg=[SGE(p.mr_a.buf, 8, p.mr_a.lkey)])))
    finally:
        p.close()


def case_too_many_sges(p):
    sges = [SGE(p.mr_a.buf + 8 * i, 8, p.mr_a.lkey) for i in range(MAX_SGE + 1)]
    return expect_post_error(f"SEND with {MAX_SGE + 1} SGEs, max_send_sge {MAX_SGE}",
                             lambda: p.a.post_send(send_wr(sges)),
                             (errno.EINVAL, errno.ENOMEM))


def case_bad_lkey(p):
    p.a.post_send(send_wr([SGE(p.mr_a.buf, 64, p.mr_a.lkey ^ 0x5a5a00)]))
    return expect_wc("SEND with an lkey of no MR", p.cq_a, e.IBV_WC_LOC_PROT_ERR)


def case_sge_outside(p):
    p.a.post_send(send_wr([SGE(p.mr_a.buf + SIZE - 8, 64, p.mr_a.lkey)]))
    return expect_wc("SEND with an SGE past the MR's end", p.cq_a,
                     e.IBV_WC_LOC_PROT_ERR)


def case_flush_after_error(p):
    p.a.post_send(send_wr([SGE(p.mr_a.buf, 64, p.mr_a.lkey ^ 0x5a5a00)]))
    first = expect_wc("the bad SEND", p.cq_a, e.IBV_WC_LOC_PROT_ERR)
    p.a.post_send(send_wr([SGE(p.mr_a.buf, 64, p.mr_a.lkey)]))
    return both(first, expect_wc("the next SEND", p.cq_a, e.IBV_WC_WR_FLUSH_ERR))


def case_recv_too_small(p):
    p.b.post_recv(RecvWR(wr_id=2, num_sge=1, sg=[SGE(p.mr_b.buf, 16, p.mr_b.lkey)]))
    p.a.post_send(send_wr([SGE(p.mr_a.buf, 64, p.mr_a.lkey)]))
    return both(expect_wc("receiver", p.cq_b, e.IBV_WC_LOC_LEN_ERR),
                expect_wc("sender", p.cq_a, e.IBV_WC_REM_INV_REQ_ERR))


def case_recv_no_local_write(p):
    ro = MR(p.pd, SIZE, 0)
    try:
        p.b.post_recv(RecvWR(wr_id=2, num_sge=1, sg=[SGE(ro.buf, SIZE, ro.lkey)]))
        p.a.post_send(send_wr([SGE(p.mr_a.buf, 64, p.mr_a.lkey)]))
        return both(expect_wc("receiver", p.cq_b, e.IBV_WC_LOC_PROT_ERR),
                    expect_wc("sender", p.cq_a, e.IBV_WC_REM_OP_ERR))
    finally:
        ro.close()


def case_send_inv_bad_rkey(p):
    p.b.post_recv(RecvWR(wr_id=2, num_sge=1,
                         sg=[SGE(p.mr_b.buf, SIZE, p.mr_b.lkey)]))
    # invalidate_rkey shares its place in ibv_send_wr with imm_data.
    wr = SendWR(wr_id=1, opcode=e.IBV_WR_SEND_WITH_INV, num_sge=1,
                sg=[SGE(p.mr_a.buf, 64, p.mr_a.lkey)],
                send_flags=e.IBV_SEND_SIGNALED,
                imm_data=p.mr_b.rkey ^ 0x5a5a00)
    p.a.post_send(wr)
    return both(expect_wc("receiver", p.cq_b, e.IBV_WC_REM_INV_REQ_ERR),
                expect_wc("sender", p.cq_a, e.IBV_WC_REM_INV_REQ_ERR))


def rdma_wr(p, opcode, rkey, addr, length=64):
    wr = send_wr([SGE(p.mr_a.buf, length, p.mr_a.lkey)], opcode)
    wr.set_wr_rdma(rkey, addr)
    return wr


def case_write_bad_rkey(p):
    p.a.post_send(rdma_wr(p, e.IBV_WR_RDMA_WRITE, p.mr_b.rkey ^ 0x5a5a00,
                          p.mr_b.buf))
    return expect_wc("RDMA WRITE with an rkey of no MR", p.cq_a,
                     e.IBV_WC_REM_ACCESS_ERR)


def case_write_no_access(p):
    local = MR(p.pd, SIZE, e.IBV_ACCESS_LOCAL_WRITE)
    try:
        p.a.post_send(rdma_wr(p, e.IBV_WR_RDMA_WRITE, local.rkey, local.buf))
        return expect_wc("RDMA WRITE to an MR without remote write", p.cq_a,
                         e.IBV_WC_REM_ACCESS_ERR)
    finally:
        local.close()


def case_read_past_end(p):
    p.a.post_send(rdma_wr(p, e.IBV_WR_RDMA_READ, p.mr_b.rkey,
                          p.mr_b.buf + SIZE - 32))
    return expect_wc("RDMA READ past the remote MR's end", p.cq_a,
                     e.IBV_WC_REM_ACCESS_ERR)


def case_atomic_misaligned(p):
    wr = send_wr([SGE(p.mr_a.buf, 8, p.mr_a.lkey)], e.IBV_WR_ATOMIC_FETCH_AND_ADD)
    wr.set_wr_atomic(p.mr_b.rkey, p.mr_b.buf + 4, 1, 0)
    p.a.post_send(wr)
    return expect_wc("FETCH_AND_ADD at an address not 8-byte aligned", p.cq_a,
                     e.IBV_WC_REM_INV_REQ_ERR)


def atomic_op(p, opcode, compare_add, swap=0):
    """One atomic on mr_b's first 8 bytes: the original value it returned,
    or None and why it did not complete."""
    wr = send_wr([SGE(p.mr_a.buf, 8, p.mr_a.lkey)], opcode)
    wr.set_wr_atomic(p.mr_b.rkey, p.mr_b.buf, compare_add, swap)
    p.a.post_send(wr)
    verdict, what = expect_wc("atomic", p.cq_a, e.IBV_WC_SUCCESS)
    if verdict != "ok":
        return None, what
    return int.from_bytes(p.mr_a.read(8, 0), sys.byteorder), None


def case_atomic_results(p):
    """FETCH_AND_ADD with a carry out of the low 32 bits, then CMP_AND_SWP
    that matches and one that does not: each returns the value before it,
    and the target holds what the IBA says."""
    steps = [
        # opcode, compare or add, swap, returned, target after
        (e.IBV_WR_ATOMIC_FETCH_AND_ADD, 1, 0, 0xffffffff, 0x100000000),
        (e.IBV_WR_ATOMIC_CMP_AND_SWP, 0x100000000, 0x1122334455667788,
         0x100000000, 0x1122334455667788),
        (e.IBV_WR_ATOMIC_CMP_AND_SWP, 0x100000000, 7, 0x1122334455667788,
         0x1122334455667788),
        (e.IBV_WR_ATOMIC_FETCH_AND_ADD, 0xffffffffffffffff, 0,
         0x1122334455667788, 0x1122334455667787),
    ]
    p.mr_b.write((0xffffffff).to_bytes(8, sys.byteorder), 8)
    done = []
    for i, (op, ca, sw, ret, after) in enumerate(steps):
        got, why = atomic_op(p, op, ca, sw)
        if got is None:
            return "FAIL", f"step {i}: {why}"
        target = int.from_bytes(p.mr_b.read(8, 0), sys.byteorder)
        if got != ret or target != after:
            return "FAIL", (f"step {i}: returned {got:#x}, target {target:#x};"
                            f" expected {ret:#x}, {after:#x}")
        done.append(f"{got:#x}->{target:#x}")
    return "ok", "fetch-add, cmp-swap hit and miss, fetch-add of -1: " + ", ".join(done)


PAIR_CASES = [
    ("good_send", case_good_send),
    ("too_many_sges", case_too_many_sges),
    ("bad_lkey", case_bad_lkey),
    ("sge_outside_mr", case_sge_outside),
    ("flush_after_error", case_flush_after_error),
    ("recv_too_small", case_recv_too_small),
    ("recv_no_local_write", case_recv_no_local_write),
    ("send_inv_bad_rkey", case_send_inv_bad_rkey),
    ("write_bad_rkey", case_write_bad_rkey),
    ("write_no_remote_access", case_write_no_access),
    ("read_past_end", case_read_past_end),
    ("atomic_misaligned", case_atomic_misaligned),
    ("atomic_results", case_atomic_results),
]
OTHER_CASES = [
    ("send_in_reset", case_send_reset),
    ("recv_in_reset", case_recv_reset),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", required=True)
    ap.add_argument("--gid", type=int, required=True)
    args = ap.parse_args()
    ctx = Context(name=args.dev)
    failed = 0
    for name, fn in OTHER_CASES:
        try:
            verdict, what = fn(ctx, args.gid)
        except PyverbsRDMAError as ex:
            verdict, what = "FAIL", f"unexpected error: {ex}"
        failed += verdict != "ok"
        print(f"{name} {verdict} {what}", flush=True)
    for name, fn in PAIR_CASES:
        try:
            p = Pair(ctx, args.gid)
        except PyverbsRDMAError as ex:
            print(f"{name} FAIL setting up the QP pair: {ex}", flush=True)
            failed += 1
            continue
        try:
            verdict, what = fn(p)
        except PyverbsRDMAError as ex:
            verdict, what = "FAIL", f"unexpected error: {ex}"
        failed += verdict != "ok"
        print(f"{name} {verdict} {what}", flush=True)
        try:
            p.close()
        except PyverbsRDMAError:
            pass
    ctx.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
