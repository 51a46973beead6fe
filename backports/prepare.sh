#!/usr/bin/env bash
# usage: backports/prepare.sh BUILDDIR PROBEDIR
# Lays out an out-of-tree build copy of upstream sfab in BUILDDIR (the
# driver, its uAPI header, the compat header and backports/Kbuild), with
# the vendor diagnostics of diag/kernel/ added (diag/kernel/apply.sh), and
# the compile probes in PROBEDIR. Nothing in upstream/ is modified.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: backports/prepare.sh BUILDDIR PROBEDIR" >&2; exit 2; }
bp=$(cd "$(dirname "$0")" && pwd)
up=$bp/../upstream/linux
build=$1 probes=$2

rm -rf "$build" "$probes"
mkdir -p "$build/include/uapi/rdma" "$build/compat" "$probes"
cp "$up"/drivers/infiniband/sw/sfab/*.[ch] "$up/drivers/infiniband/sw/sfab/Makefile" "$build/"
cp "$up/include/uapi/rdma/sfab-abi.h" "$build/include/uapi/rdma/"
cp "$bp/include/sfab_compat.h" "$build/compat/"
cp "$bp/Kbuild" "$build/Kbuild"
"$bp/../diag/kernel/apply.sh" "$build"
cp "$bp"/probes/*.c "$bp/probe.sh" "$probes/"
