#!/usr/bin/env bash
# usage: hotfix/validate.sh [--image] TARGET [VERSION...]
# Validates hotfix packages on TARGET the way every build's packages are:
# for each VERSION (default: the newest hotfix of every release with a
# queue), its packages (distro/release-packages.sh: the release's own
# tree and scripts with the patches, cached) go to
# out/hotfix/VERSION/TARGET/ (with their manifest and SHA256SUMS), are
# installed into TARGET's image by validation/image.sh (apt, DKMS builds
# for every kernel, the out-of-range and purge checks) and booted in
# QEMU by validation/run-vm.sh with the suites at quick depth. The
# suites are this tree's: the release's own have since been fixed (0.1.0
# compared package versions as regular expressions, which a "+hf1"
# breaks); a suite whose commands the release predates skips and says so.
# Results and logs: out/hotfix/VERSION/{results,logs}/TARGET/.
# With --image (make check), only the packages and the image are made;
# the image's directory is written to out/hotfix/VERSION/image-TARGET,
# and the target's own VM boots it first, before this build's image, and
# runs the hotfix stage's suites on it (validation/run-vm.sh,
# SFAB_VM_HOTFIX): one boot per target instead of two. make validate
# runs the whole of this script: every suite on the hotfix, in its own
# boot.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

image_only=
if [ "${1:-}" = --image ]; then
	image_only=1
	shift
fi
[ $# -ge 1 ] || die "usage: hotfix/validate.sh [--image] TARGET [VERSION...]"
target=$1
shift
target_field "$target" suite >/dev/null
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
	for rel in $(hotfix_releases); do
		v=$(hotfix_version "$rel")
		[ -z "$v" ] || versions+=("$v")
	done
fi
[ ${#versions[@]} -gt 0 ] || { log "[$target] no hotfix queue: nothing to validate"; exit 0; }

for ver in "${versions[@]}"; do
	pkgs=$("$SFAB_TOP/distro/release-packages.sh" "$ver" "$target")
	hout=$SFAB_OUT/hotfix/$ver
	rm -rf "${hout:?}/$target" "$hout/pkg/$target"
	mkdir -p "$hout/$target" "$hout/pkg/$target/sfab" "$hout/pkg/$target/rdma-core"
	cp "$pkgs"/* "$hout/$target/"
	# Where validation/image.sh takes a build's packages from: the kit's
	# own in sfab/, the provider side in rdma-core/.
	for d in "$pkgs"/*.deb; do
		case $(dpkg-deb -f "$d" Package) in
		sfab-dkms | sfab-diag) cp "$d" "$hout/pkg/$target/sfab/" ;;
		*) cp "$d" "$hout/pkg/$target/rdma-core/" ;;
		esac
	done
	log "[$target] $ver: $(grep -vc '^#' "$pkgs/manifest") packages; its image, then the VM suites"
	img=$(SFAB_OUT=$hout "$SFAB_TOP/validation/image.sh" "$target" | tail -n 1) ||
		die "[$target] $ver: the image (install, DKMS build, purge checks) failed (above)"
	if [ -n "$image_only" ]; then
		echo "$img" >"$hout/image-$target"
		log "[$target] $ver: image $img; this build's VM boots it first"
		continue
	fi
	rc=0
	SFAB_OUT=$hout SFAB_VM_DEPTH=quick "$SFAB_TOP/validation/run-vm.sh" "$target" || rc=$?
	read -r st _ detail <"$hout/results/$target/vm" || st=missing detail=''
	if [ "$rc" -ne 0 ] || [ "$st" != pass ]; then
		die "[$target] $ver: the VM suites failed: $detail (console: $hout/logs/$target/vm-console.log, TAP: $hout/results/$target/vm.tap)"
	fi
	log "[$target] $ver validated: $detail"
done
