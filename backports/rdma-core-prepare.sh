#!/usr/bin/env bash
# usage: backports/rdma-core-prepare.sh SRCDIR
# Puts the sfab provider into the rdma-core source tree SRCDIR (a build
# copy, any version from 56.1 on): providers/sfab from upstream/rdma-core,
# the kernel's uAPI header into kernel-headers/, and the mechanical
# hookups an rdma-core commit would make (add_subdirectory, the header
# lists: published, and made into kernel-abi/ for DECLARE_DRV_CMD; the
# provider's declaration in verbs.h for a static libibverbs).
# Then the vendor-only part, listed in SRCDIR/BACKPORTS:
# - the driver id: no target kernel has sfab upstream, so the kernel's
#   backports give it the out-of-tree id 0x5fab (backports/include/
#   sfab_compat.h); rdma-core gets the same value.
# - before v57, ibv_cmd_get_context() had no fd_arr argument.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: backports/rdma-core-prepare.sh SRCDIR" >&2; exit 2; }
bp=$(cd "$(dirname "$0")" && pwd)
top=$bp/..
src=$1
fail() { echo "rdma-core-prepare.sh: $*" >&2; exit 1; }

# edit FILE SED-EXPR WHAT: apply SED-EXPR, which must change FILE.
edit() {
	local before
	before=$(sha256sum <"$1")
	sed -i "$2" "$1"
	[ "$before" != "$(sha256sum <"$1")" ] || fail "$3: no change in $1; this rdma-core differs from what the hookup expects"
}

if [ ! -f "$src/CMakeLists.txt" ] || [ ! -d "$src/providers" ]; then
	fail "$src is not an rdma-core source tree"
fi
rm -rf "$src/providers/sfab"
cp -r "$top/upstream/rdma-core/providers/sfab" "$src/providers/sfab"
cp "$top/upstream/linux/include/uapi/rdma/sfab-abi.h" "$src/kernel-headers/rdma/"
edit "$src/CMakeLists.txt" 's|^add_subdirectory(providers/siw)$|&\nadd_subdirectory(providers/sfab)|' \
	"hooking providers/sfab into the build"
edit "$src/kernel-headers/CMakeLists.txt" '0,\|^  rdma/siw-abi.h$|s||  rdma/sfab-abi.h\n&|' \
	"publishing rdma/sfab-abi.h"
edit "$src/kernel-headers/CMakeLists.txt" '/^rdma_kernel_provider_abi($/,/^  )$/s|^  rdma/siw-abi.h$|  rdma/sfab-abi.h\n&|' \
	"generating the provider's ABI wrapper kernel-abi/sfab-abi.h"
# A static libibverbs (Debian builds one) names every provider in verbs.h.
edit "$src/libibverbs/verbs.h" 's/^extern const struct verbs_device_ops verbs_provider_siw;$/extern const struct verbs_device_ops verbs_provider_sfab;\n&/' \
	"declaring verbs_provider_sfab for the static library"

: >"$src/BACKPORTS"
ioctl_verbs=$src/kernel-headers/rdma/ib_user_ioctl_verbs.h
if ! grep -q 'RDMA_DRIVER_SFAB' "$ioctl_verbs"; then
	edit "$ioctl_verbs" '/^enum rdma_driver_id {$/,/^};$/s|^};$|\tRDMA_DRIVER_SFAB = 0x5fab, /* sfab out of tree (backports) */\n};|' \
		"adding the out-of-tree driver id"
	echo "driver id RDMA_DRIVER_SFAB = 0x5fab (out of tree)" >>"$src/BACKPORTS"
fi
if ! grep -q 'struct ibv_fd_arr \*fd_arr' "$src/libibverbs/driver.h"; then
	command -v spatch >/dev/null || fail "spatch is missing; run 'make deps'"
	before=$(sha256sum <"$src/providers/sfab/sfab.c")
	spatch --very-quiet --in-place --sp-file "$bp/rdma-core/ibv_cmd_get_context_no_fd_arr.cocci" \
		"$src/providers/sfab/sfab.c" >/dev/null
	[ "$before" != "$(sha256sum <"$src/providers/sfab/sfab.c")" ] ||
		fail "ibv_cmd_get_context_no_fd_arr.cocci changed nothing; fix or drop it"
	echo "cocci ibv_cmd_get_context_no_fd_arr.cocci" >>"$src/BACKPORTS"
fi
