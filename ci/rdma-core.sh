#!/usr/bin/env bash
# usage: ci/rdma-core.sh TARGET
# Builds rdma-core with libsfab for TARGET in its chroot, from the source
# ci/targets names (cached in $SFAB_CACHE/src), with the provider put in
# by backports/rdma-core-prepare.sh. Any compiler warning in
# providers/sfab fails. Result in out/rdma-core/TARGET/:
# - "exact" targets (the distro's own rdma-core version): root/ holds just
#   the provider and its driver file, for the distro's libibverbs;
# - "vendor" targets: root/ holds the whole rdma-core built (libibverbs,
#   librdmacm, tools, libsfab, and pyverbs with rdma-core's tests), which
#   replaces the distro's. pyverbs is built there because the distro's
#   cannot run on the kit's libibverbs: bullseye's (33.2) binds to the
#   private symbol ibv_query_gid_type@IBVERBS_PRIVATE_33, which 56.1 does
#   not export; and the tests must be those of the library they test.
# A failed build leaves the previous result in place.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ci/rdma-core.sh TARGET"
target=$1
need_root "ci/rdma-core.sh"
src_ver=$(target_field "$target" rdmacore-src)
distro_ver=$(target_field "$target" rdmacore)
root=$(chroot_dir "$target")

tree=$(rdma_core_tree "$src_ver")
work=$root/tmp/sfab-rdma-core
rm -rf "$work"
mkdir -p "$work"
cp -a "$tree" "$work/src"
"$SFAB_TOP/backports/rdma-core-prepare.sh" "$work/src"
echo "== rdma-core $src_ver for $target (distro has $distro_ver); backports:"
cat "$work/src/BACKPORTS"

if [ "$src_ver" = "$distro_ver" ]; then kind=exact; else kind=vendor; fi
# Exact targets ship only the provider; vendor ones also pyverbs, where
# Debian puts it.
if [ "$kind" = exact ]; then
	pyverbs=-DNO_PYVERBS=1
else
	pyverbs=-DCMAKE_INSTALL_PYTHON_ARCH_LIB=/usr/lib/python3/dist-packages
fi

blog=$work/build.log
rc=0
# shellcheck disable=SC2016 # $1 expands in the chroot's sh
in_chroot "$target" sh -c 'mkdir -p /tmp/sfab-rdma-core/build && cd /tmp/sfab-rdma-core/build &&
	cmake -GNinja -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc \
		"$1" -DNO_MAN_PAGES=1 -DPYTHON_EXECUTABLE=/usr/bin/python3 ../src &&
	ninja -v && DESTDIR=/tmp/sfab-rdma-core/stage ninja install' sh "$pyverbs" >"$blog" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || {
	tail -n 30 "$blog"
	die "[$target] building rdma-core $src_ver with libsfab failed (log: $blog)"
}
# ninja -v prints every command; the provider's must compile with no warning.
if awk '/providers\/sfab\// { s = 1 } s && /warning:|error:/ { print; bad = 1 } /^\[[0-9]+\/[0-9]+\]/ { s = 0 } END { exit !bad }' "$blog"; then
	die "[$target] libsfab has compiler warnings (above)"
fi

stage=$work/stage
provider=$(cd "$stage" && find . -name 'libsfab-rdmav*.so' | sed 's|^\./||')
[ -n "$provider" ] || die "[$target] the build installed no libsfab"
[ -f "$stage/etc/libibverbs.d/sfab.driver" ] || die "[$target] the build installed no sfab.driver"
if [ "$kind" = vendor ]; then
	[ -n "$(find "$work/stage/usr/lib/python3/dist-packages/pyverbs" -name 'device.*.so' 2>/dev/null)" ] ||
		die "[$target] the build installed no pyverbs (are cython3 and python3-dev in the chroot?)"
	[ -f "$work/stage/usr/share/doc/rdma-core/tests/run_tests.py" ] ||
		die "[$target] the build installed no rdma-core tests"
fi
dest=$SFAB_OUT/rdma-core/$target
rm -rf "$dest.new"
mkdir -p "$dest.new/root"
if [ "$kind" = exact ]; then
	mkdir -p "$dest.new/root/$(dirname "$provider")" "$dest.new/root/etc/libibverbs.d"
	cp -a "$stage/$provider" "$dest.new/root/$provider"
	cp -a "$stage/etc/libibverbs.d/sfab.driver" "$dest.new/root/etc/libibverbs.d/"
else
	cp -a "$stage/." "$dest.new/root/"
fi
cp "$work/src/BACKPORTS" "$dest.new/"
printf 'kind=%s\nsource=%s\ndistro=%s\nprovider=/%s\n' "$kind" "$src_ver" "$distro_ver" "$provider" >"$dest.new/info"
rm -rf "$dest"
mv "$dest.new" "$dest"
echo "== $dest: $kind rdma-core $src_ver, provider /$provider"
