#!/usr/bin/env bash
# usage: distro/rpm.sh [--smoke KERNEL_RELEASE]
# The kit's RPMs from distro/rpm/sfab.spec.in, with rpmbuild on this host
# (no RPM distribution here: --nodeps, host compiler):
# - the source package sfab-VERSION.src.rpm, complete (sfab-dkms,
#   kmod-sfab, libsfab, sfab-diag): the spec, the generated DKMS source
#   and diag/ (Source0), rdma-core with providers/sfab put in (Source1);
# - rebuilt from that source package, the binary packages this host can
#   build honestly: sfab-dkms (noarch) and sfab-diag; libsfab only when
#   rdma-core's build dependencies are installed here; never kmod-sfab,
#   which needs a RHEL kernel-devel and kmodtool (distro/rpm/README.md).
# Checks: the spec parses with every switch on (kmodtool stood in for by
# distro/rpm/kmp-stub.macros), with --without kmod, and with kmod on but
# no kmodtool (then it says kmod-sfab is not built, and still
# build-requires kernel-devel and kernel-rpm-macros, which the source
# package records); rpmlint on every package, with distro/rpm/rpmlint.toml
# (Fedora/RHEL conventions): an error or warning not filtered, with its
# reason, in distro/rpm/sfab.rpmlintrc fails.
# --smoke KERNEL_RELEASE (root) also runs, against that kernel's build
# tree (/lib/modules/KERNEL_RELEASE/build, a Debian one here):
# - kmod-sfab's build, install and signing steps of the spec, with the
#   kmodtool stand-in and a throwaway key; checks the module it packages
#   (built for that kernel, stripped, signed sha512), discards the package;
# - sfab-dkms's scriptlets with this host's DKMS, in a private mount
#   namespace over throwaway overlays of /usr/src, /var/lib/dkms and
#   /lib/modules: %posttrans builds and installs sfab, a kernel outside
#   the range (DKMS exit 77) is reported, not a failure; run again
#   (reinstall); %preun removes it.
# Result in out/rpm/ (packages, rpmlint.txt, SHA256SUMS); logs in
# out/logs/rpm/. A failed run leaves the previous out/rpm in place.
# SFAB_RPM_RDMA_CORE: the rdma-core version libsfab is built for (56.1).
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

usage="usage: distro/rpm.sh [--smoke KERNEL_RELEASE]"
smoke_kver=
while [ $# -gt 0 ]; do
	case $1 in
	--smoke)
		[ $# -ge 2 ] || die "$usage"
		smoke_kver=$2
		shift 2
		;;
	-h | --help)
		echo "$usage"
		exit 0
		;;
	*) die "$usage" ;;
	esac
done

need_tool rpmbuild rpmspec rpmlint rpm rpm2cpio cpio spatch git tar gzip
rpmdir=$SFAB_TOP/distro/rpm
version=$("$SFAB_TOP/ci/version.sh" rpm-version)
release=$("$SFAB_TOP/ci/version.sh" rpm-release)
rc_ver=${SFAB_RPM_RDMA_CORE:-56.1}
target=rpm # names this job in rdma_core_tree's messages
work=$SFAB_CACHE/work/rpm
logs=$SFAB_OUT/logs/rpm
topdir=$work/rpmbuild
stub=(--load "$rpmdir/kmp-stub.macros" --define "__sfab_kmp_stub $rpmdir/kmp-stub.sh")

# step NAME COMMAND...: COMMAND with its output in out/logs/rpm/NAME.log;
# says how long it took, or shows the log's tail and stops.
step() {
	local name=$1 start rc=0
	shift
	start=$(date +%s)
	# In the background, so that set -e holds inside COMMAND.
	"$@" >"$logs/$name.log" 2>&1 &
	wait $! || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$logs/$name.log" | sed 's/^/    | /' >&2
		die "rpm: $name failed (exit $rc; log: $logs/$name.log)"
	fi
	log "rpm: $name ok ($(($(date +%s) - start))s)"
}

# tar_dir DIR NAME OUT: OUT, a reproducible gzip tarball of DIR as NAME/.
tar_dir() {
	tar -C "$(dirname "$1")" --transform "s|^$(basename "$1")|$2|" --sort=name \
		--owner=0 --group=0 --numeric-owner --mtime="@$epoch" --exclude=.sfab-complete \
		-cf - "$(basename "$1")" | gzip -n -9 >"$3"
}

make_sources() {
	local stage=$work/stage/sfab-$version tree
	mkdir -p "$stage/diag"
	"$SFAB_TOP/backports/gen-source.sh" "$stage/dkms"
	if [ "$with_diag" = yes ]; then
		cp -a "$SFAB_TOP/diag/sfabdiag" "$stage/diag/"
		make -s -C "$stage/diag/sfabdiag" clean SFAB_VERSION="$version"
	fi
	tar_dir "$stage" "sfab-$version" "$topdir/SOURCES/sfab-$version.tar.gz"

	tree=$(rdma_core_tree "$rc_ver")
	cp -a "$tree" "$work/stage/rdma-core-$rc_ver"
	"$SFAB_TOP/backports/rdma-core-prepare.sh" "$work/stage/rdma-core-$rc_ver"
	echo "rdma-core $rc_ver backports:"
	cat "$work/stage/rdma-core-$rc_ver/BACKPORTS"
	tar_dir "$work/stage/rdma-core-$rc_ver" "rdma-core-$rc_ver" \
		"$topdir/SOURCES/rdma-core-$rc_ver-sfab-$version.tar.gz"

	cp "$SFAB_TOP/distro/dkms/dkms.conf.in" "$topdir/SOURCES/sfab-dkms.conf.in"
	cp "$rpmdir/LICENSE" "$rpmdir/kmod-sfab.files" "$rpmdir/kmod-sfab.preamble" "$topdir/SOURCES/"
}

# changelog: one %changelog entry for this build, with the latest kit
# changes to what the packages ship.
changelog() {
	local who when what
	who="$(git -C "$SFAB_TOP" config user.name 2>/dev/null || echo "sfab release kit") <$(
		git -C "$SFAB_TOP" config user.email 2>/dev/null || echo root@localhost)>"
	if git -C "$SFAB_TOP" rev-parse HEAD >/dev/null 2>&1; then
		when=$(LC_ALL=C git -C "$SFAB_TOP" log -1 --format=%cd --date=format:'%a %b %d %Y')
		what="from the kit at $(git -C "$SFAB_TOP" rev-parse --short=12 HEAD)"
		case $version in *.dirty) what="$what with uncommitted changes" ;; esac
	else
		when=$(LC_ALL=C date -u '+%a %b %d %Y')
		what="from an exported kit tree"
	fi
	printf '* %s %s - %s-%s\n' "$when" "$who" "$version" "$release"
	printf -- '- sfab %s, built %s.\n' "$version" "$what"
	if git -C "$SFAB_TOP" rev-parse HEAD >/dev/null 2>&1; then
		git -C "$SFAB_TOP" log -n 8 --format='- %s' -- upstream backports diag distro | sed 's/%/%%/g'
	fi
}

make_spec() {
	local spec=$topdir/SPECS/sfab.spec bcond=bcond_without
	[ "$with_diag" = yes ] || bcond=bcond_with
	changelog >"$work/changelog"
	sed -e "s|@VERSION@|$version|g" -e "s|@RELEASE@|$release|g" \
		-e "s|@RDMA_CORE_VERSION@|$rc_ver|g" -e "s|@DIAG_BCOND@|$bcond|g" "$rpmdir/sfab.spec.in" |
		awk -v f="$work/changelog" '$0 == "@CHANGELOG@" { while ((getline l < f) > 0) print l; next } { print }' >"$spec"
	if grep -n '@[A-Z_]*@' "$spec"; then
		die "distro/rpm/sfab.spec.in has a placeholder distro/rpm.sh does not fill (above)"
	fi
}

# check_spec: the spec parses with every switch on (kmodtool stand-in),
# with kmod off, and with kmod on but no kmodtool (as on this host): then
# without kmod-sfab, but still asking for kmod-sfab's build requirements.
check_spec() {
	local spec=$topdir/SPECS/sfab.spec p
	local def=(--define "_topdir $topdir")
	rpmspec -P "${stub[@]}" "${def[@]}" "$spec" >"$work/parsed-all.spec"
	for p in sfab-dkms kmod-sfab libsfab sfab-diag; do
		grep -q "^%package -n $p\$" "$work/parsed-all.spec" || die "the parsed spec has no package $p"
		grep -q "^%files -n $p\$" "$work/parsed-all.spec" || die "the parsed spec has no files of $p"
	done
	# kmodtool's output goes through %{expand:}: the file list must come
	# out as a file list (%%license in it, %verrel replaced).
	awk '/^%files -n kmod-sfab$/ { s = 1; next } s && /^%(files|package|changelog|description)/ { s = 0 } s' \
		"$work/parsed-all.spec" >"$work/kmod-sfab.files"
	if ! grep -qx '%license LICENSE' "$work/kmod-sfab.files" ||
		! grep -qx '/lib/modules/0.0-0.stub.x86_64/extra/sfab/sfab.ko' "$work/kmod-sfab.files"; then
		cat "$work/kmod-sfab.files"
		die "kmod-sfab's file list (distro/rpm/kmod-sfab.files) does not expand as kmodtool's does (above)"
	fi
	echo "all switches on (kmodtool stand-in): $(rpmspec -q "${stub[@]}" "${def[@]}" "$spec" | tr '\n' ' ')"
	rpmspec -P --without kmod "${def[@]}" "$spec" >"$work/parsed-nokmod.spec" 2>"$work/parsed-nokmod.err"
	! grep -q '^%package -n kmod-sfab' "$work/parsed-nokmod.spec" || die "--without kmod still has kmod-sfab"
	! grep -q . "$work/parsed-nokmod.err" || { cat "$work/parsed-nokmod.err"; die "--without kmod: rpmspec complains (above)"; }
	echo "--without kmod: $(rpmspec -q --without kmod "${def[@]}" "$spec" | tr '\n' ' ')"
	rpmspec -P "${def[@]}" "$spec" >"$work/parsed-nokmodtool.spec" 2>"$work/parsed-nokmodtool.err"
	grep -q 'kmod-sfab is not built: no %kernel_module_package' "$work/parsed-nokmodtool.err" ||
		die "kmod on without kmodtool: the spec does not say that kmod-sfab is not built"
	! grep -q '^%package -n kmod-sfab' "$work/parsed-nokmodtool.spec" || die "kmod on without kmodtool: kmod-sfab is still there"
	for p in kernel-devel kernel-rpm-macros; do
		rpmspec -q --buildrequires "${def[@]}" "$spec" 2>/dev/null | grep -qx "$p" ||
			die "kmod on without kmodtool: the spec no longer build-requires $p"
	done
	echo "kmod on, no kmodtool: $(cat "$work/parsed-nokmodtool.err"); still build-requires kernel-devel and kernel-rpm-macros"
}

# host_macros: this host's rpm (Debian's) runs brp-compress, a bash
# script, with /bin/sh (dash), so man pages stay uncompressed; run it
# with bash here, as Fedora and RHEL (where sh is bash) do.
host_macros() {
	{
		printf '%%__os_install_post \\\n'
		rpm --eval '%{__os_install_post}' | sed -e 's|^\( *\)\(/[^ ]*/brp-compress\)|\1bash \2|' -e 's/$/ \\/'
		echo '%{nil}'
	} >"$work/host.macros"
	grep -q 'bash /.*/brp-compress' "$work/host.macros" ||
		die "cannot find brp-compress in this rpm's __os_install_post; see $work/host.macros"
}

# kmod_smoke KVER: kmod-sfab's %build/%install/signing against KVER's
# build tree, with the stand-in for kmodtool and a throwaway key.
kmod_smoke() {
	local kver=$1 kdir dir ko srpm pkg
	kdir=$(readlink -f "/lib/modules/$kver/build") ||
		die "--smoke $kver: no /lib/modules/$kver/build; install that kernel's headers"
	{ [ -f "$kdir/Makefile" ] && [ -x "$kdir/scripts/sign-file" ]; } ||
		die "--smoke $kver: $kdir is not a kernel build tree with scripts/sign-file"
	need_tool openssl modinfo readelf
	dir=$work/smoke
	mkdir -p "$dir/key"
	openssl req -new -x509 -nodes -batch -days 1 -newkey rsa:2048 -sha512 -subj "/CN=sfab kit smoke key/" \
		-keyout "$dir/key/key.pem" -out "$dir/key/cert.pem"
	srpm=$(echo "$topdir"/SRPMS/*.src.rpm)
	rpmbuild --rebuild --nodeps --load "$work/host.macros" "${stub[@]}" --without provider --without diag \
		--define "_topdir $dir/rpmbuild" --define "sfab_stub_kverrel $kver" \
		--define "sfab_stub_kernel_source $kdir" \
		--define "sfab_sign_key $dir/key/key.pem" --define "sfab_sign_cert $dir/key/cert.pem" "$srpm"
	pkg=$(find "$dir/rpmbuild/RPMS" -name 'kmod-sfab-*.rpm')
	[ -n "$pkg" ] || die "--smoke: no kmod-sfab package was built"
	rpm -qlp "$pkg"
	mkdir -p "$dir/root"
	rpm2cpio "$pkg" | (cd "$dir/root" && cpio -idm --quiet)
	ko=$dir/root/lib/modules/$kver/extra/sfab/sfab.ko
	[ -f "$ko" ] || die "--smoke: kmod-sfab has no /lib/modules/$kver/extra/sfab/sfab.ko"
	tail -c 28 "$ko" | grep -q '~Module signature appended~' || die "--smoke: the packaged sfab.ko is not signed"
	[ "$(modinfo -F signer "$ko")" = "sfab kit smoke key" ] || die "--smoke: sfab.ko's signer is not the smoke key"
	[ "$(modinfo -F sig_hashalgo "$ko")" = sha512 ] || die "--smoke: sfab.ko is not signed with sha512"
	modinfo -F vermagic "$ko" | grep -q "^$kver " || die "--smoke: sfab.ko was not built for $kver"
	readelf -S "$ko" | grep -q '\.debug_info' && die "--smoke: sfab.ko was signed with its debug info (strip first)"
	{
		echo "kmod smoke (not a RHEL build; the package is discarded): $(basename "$pkg") for $kver, stand-in kmodtool"
		echo "sfab.ko: vermagic $(modinfo -F vermagic "$ko"); version $(modinfo -F version "$ko")"
		echo "signed: signer '$(modinfo -F signer "$ko")', $(modinfo -F sig_hashalgo "$ko"); no .debug_info (stripped before signing)"
		echo "backports for this kernel (configure-kernel):"
		sed 's/^/  /' "$dir"/root/usr/share/doc/kmod-sfab*/BACKPORTS
	} >"$work/kmod-smoke.txt"
	cat "$work/kmod-smoke.txt"
}

# dkms_smoke: sfab-dkms's %posttrans and %preun with this host's DKMS,
# in a private mount namespace (see the top); the host is not changed.
dkms_smoke() {
	local kver=$1 pkg dir=$work/dkms-smoke
	pkg=$(find "$topdir/RPMS" -name 'sfab-dkms-*.rpm')
	need_tool dkms unshare
	mkdir -p "$dir/payload"
	rpm -qp --qf '%{POSTTRANS}\n' "$pkg" >"$dir/posttrans.sh"
	rpm -qp --qf '%{PREUN}\n' "$pkg" >"$dir/preun.sh"
	rpm2cpio "$pkg" | (cd "$dir/payload" && cpio -idm --quiet)
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare --mount --propagation private bash -euc '
		dir=$1 kver=$2 version=$3
		for d in /usr/src /var/lib/dkms "$(readlink -f /lib/modules)"; do
			mkdir -p "$dir/upper$d" "$dir/overlay-work$d"
			mount -t overlay overlay -o "lowerdir=$d,upperdir=$dir/upper$d,workdir=$dir/overlay-work$d" "$d"
		done
		cp -a "$dir/payload/usr/src/." /usr/src/
		mkdir /lib/modules/99.0.0-sfab-range-test
		ln -s "$(readlink -f "/lib/modules/$kver/build")" /lib/modules/99.0.0-sfab-range-test/build
		for run in install reinstall; do
			echo "== %posttrans ($run)"
			sh -e "$dir/posttrans.sh" 2>&1 | tee "$dir/$run.log"
			dkms status -m sfab -v "$version" | grep -q "$kver.*: installed" ||
				{ echo "sfab is not installed for $kver after %posttrans ($run)"; exit 1; }
			grep -q "kernel 99.0.0-sfab-range-test is outside" "$dir/$run.log" ||
				{ echo "the out-of-range kernel was not reported as such"; exit 1; }
		done
		find "/lib/modules/$kver" -name "sfab.ko*"
		echo "== %preun"
		sh -e "$dir/preun.sh"
		! dkms status -m sfab | grep -q . || { echo "sfab is still in DKMS after %preun"; exit 1; }
		! find "/lib/modules/$kver" -name "sfab.ko*" | grep -q . || { echo "sfab.ko is still installed after %preun"; exit 1; }
		echo "dkms smoke: %posttrans built and installed sfab for $kver (twice: install, reinstall), reported 99.0.0-sfab-range-test as out of range (exit 77), exit 0; %preun removed it"
	' bash "$dir" "$kver" "$version"
}

rm -rf "$work"
mkdir -p "$topdir/SOURCES" "$topdir/SPECS" "$logs"
rm -f "$logs"/*.log
epoch=$(git -C "$SFAB_TOP" log -1 --format=%ct 2>/dev/null || date +%s)

with_diag=yes
if [ ! -f "$SFAB_TOP/diag/sfabdiag/Makefile" ]; then
	with_diag=no
	log "rpm: diag/sfabdiag has no Makefile: no sfab-diag (the spec defaults to --without diag)"
fi
without=(--without kmod)
if command -v cmake >/dev/null && command -v ninja >/dev/null &&
	pkg-config --exists libnl-3.0 libnl-route-3.0 libudev 2>/dev/null; then
	log "rpm: rdma-core's build dependencies are installed: libsfab is built on this host"
else
	without+=(--without provider)
	log "rpm: no libnl-3/libnl-route-3/libudev development files or cmake/ninja here: libsfab is not built (its spec part is in the source package)"
fi
[ "$with_diag" = yes ] || without+=(--without diag)

log "rpm: sfab $version-$release (libsfab for rdma-core $rc_ver)"
step sources make_sources
make_spec
step spec-check check_spec
sed 's/^/    /' "$logs/spec-check.log" >&2
step srpm rpmbuild -bs --nodeps --define "_topdir $topdir" "$topdir/SPECS/sfab.spec"
srpm=$(echo "$topdir"/SRPMS/*.src.rpm)
[ -f "$srpm" ] || die "rpmbuild wrote no source package"
# Its build requirements: those of every package (kmod-sfab, libsfab).
for p in kernel-devel kernel-rpm-macros cmake; do
	rpm -qp --requires "$srpm" 2>/dev/null | grep -q "^$p\( \|\$\)" ||
		die "the source package does not build-require $p: it would not build every package"
done
host_macros
step binary rpmbuild --rebuild --nodeps --load "$work/host.macros" "${without[@]}" --define "_topdir $topdir" "$srpm"
if [ -n "$smoke_kver" ]; then
	need_root "distro/rpm.sh --smoke"
	step kmod-smoke kmod_smoke "$smoke_kver"
	step dkms-smoke dkms_smoke "$smoke_kver"
	tail -n 1 "$logs/dkms-smoke.log" >>"$work/kmod-smoke.txt"
fi

dest=$SFAB_OUT/rpm
rm -rf "$dest.new"
mkdir -p "$dest.new"
find "$topdir/RPMS" -name '*.rpm' -exec cp {} "$dest.new/" \;
cp "$srpm" "$dest.new/"
[ -z "$smoke_kver" ] || cp "$work/kmod-smoke.txt" "$dest.new/smoke.txt"

rc=0
rpmlint -c "$rpmdir/rpmlint.toml" -r "$rpmdir/sfab.rpmlintrc" "$dest.new"/*.rpm >"$dest.new/rpmlint.txt" 2>&1 || rc=$?
# What the filters hide, counted, so that rpmlint.txt shows it too.
{
	echo
	echo "Filtered by distro/rpm/sfab.rpmlintrc (each with its reason there):"
	{ rpmlint -c "$rpmdir/rpmlint.toml" "$dest.new"/*.rpm 2>/dev/null || :; } |
		sed -n 's/^\([^ ]*\): \([EW]\): \([^ ]*\).*/  \1 \2: \3/p' | sed 's/^  sfab\.spec:[0-9]*/  sfab.spec/' |
		sort | uniq -c
} >>"$dest.new/rpmlint.txt"
cat "$dest.new/rpmlint.txt"
grep -Eq '^[^ ]+: [EW]: ' "$dest.new/rpmlint.txt" && rc=1
[ "$rc" -eq 0 ] || die "rpmlint found errors or warnings in sfab's RPMs (above); fix them or filter each with its reason in distro/rpm/sfab.rpmlintrc"

(cd "$dest.new" && sha256sum -- *.rpm >SHA256SUMS)
rm -rf "$dest"
mv "$dest.new" "$dest"
log "rpm: out/rpm: $(find "$dest" -name '*.rpm' -printf '%f ')"
log "rpm: rpmlint:$(grep -m1 " packages and " "$dest/rpmlint.txt") (filtered findings listed in out/rpm/rpmlint.txt)"
