#!/usr/bin/env bash
# usage: distro/package.sh TARGET
# Every package of TARGET, then its deliverable directory out/TARGET/:
# the provider side (distro/rdma-core-deb.sh: ibverbs-provider-sfab, and
# on vendor targets the kit's vendor rdma-core set it depends on), the
# kit's own packages (distro/deb.sh: sfab-dkms, sfab-diag), and for them
# a manifest (name, version, target, kernel range, sha256, file) and
# SHA256SUMS; lintian's reports as lintian-sfab.txt, lintian-provider.txt
# and (vendor targets) lintian-rdma-core.txt.
# out/TARGET is replaced only when all of it was built: a failure leaves
# the previous one intact.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

[ $# -eq 1 ] || die "usage: distro/package.sh TARGET"
target=$1
chroot_lock "$target"
"$SFAB_TOP/distro/rdma-core-deb.sh" "$target"
"$SFAB_TOP/distro/deb.sh" "$target"

# The range the DKMS package accepts, as dkms.conf states it.
range="$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL_MIN="\(.*\)"/\1/p' "$SFAB_TOP/distro/dkms/dkms.conf.in")-$(
	sed -n 's/^BUILD_EXCLUSIVE_KERNEL_MAX="\(.*\)"/\1/p' "$SFAB_TOP/distro/dkms/dkms.conf.in")"
dest=$SFAB_OUT/$target
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$SFAB_OUT/pkg/$target"/sfab/*.deb "$SFAB_OUT/pkg/$target"/rdma-core/*.deb "$dest.new/"
cp "$SFAB_OUT/pkg/$target/sfab/lintian.txt" "$dest.new/lintian-sfab.txt"
cp "$SFAB_OUT/pkg/$target/rdma-core/lintian.txt" "$dest.new/lintian-provider.txt"
if [ -f "$SFAB_OUT/pkg/$target/rdma-core/lintian-vendor.txt" ]; then
	cp "$SFAB_OUT/pkg/$target/rdma-core/lintian-vendor.txt" "$dest.new/lintian-rdma-core.txt"
fi
{
	printf '# name\tversion\ttarget\tkernel-range\tsha256\tfile\n'
	for d in "$dest.new"/*.deb; do
		name=$(dpkg-deb -f "$d" Package)
		case $name in
		sfab-dkms) kr=$range ;;
		*) kr=- ;;
		esac
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(dpkg-deb -f "$d" Version)" "$target" "$kr" \
			"$(sha256sum <"$d" | cut -d' ' -f1)" "$(basename "$d")"
	done
} >"$dest.new/manifest"
(cd "$dest.new" && sha256sum -- *.deb manifest >SHA256SUMS)
rm -rf "$dest"
mv "$dest.new" "$dest"
log "[$target] out/$target: $(grep -vc '^#' "$dest/manifest") packages, manifest, SHA256SUMS"
