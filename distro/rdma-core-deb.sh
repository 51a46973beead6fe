#!/usr/bin/env bash
# usage: distro/rdma-core-deb.sh TARGET
# Builds the Debian packages of the userspace side (libsfab) for TARGET
# with dpkg-buildpackage in TARGET's chroot, from the rdma-core source
# ci/targets names with the provider put in by backports/rdma-core-prepare.sh:
# - "exact" targets (the source is the suite's own rdma-core version):
#   ibverbs-provider-sfab, the kit's version, built from
#   distro/debian/provider/ (libsfab only), depending on exactly the
#   suite's libibverbs1, whose private ABI a provider uses;
# - "vendor" targets (older suites): Debian's whole rdma-core package set
#   of the source version, with libsfab in ibverbs-providers, versioned
#   <Debian version>~sfab<kit version>+deb<N> so that it upgrades the
#   suite's rdma-core and a later upgrade to Debian's own build of that
#   version replaces it (distro/debian/rdma-core/README.md: the set, its
#   versioning, and the way back to the suite's packages:
#   apt-get install --allow-downgrades PKG=SUITE-VERSION ...).
# Then lintian (the host's). The kit's provider package must have no
# error or warning that is not overridden with a reason; the vendor set's
# tags (Debian's own packaging has a few) are reported.
# Result in out/pkg/TARGET/rdma-core/: the .debs (.ddebs, .changes),
# lintian.txt, BACKPORTS, build.log and info (kind, source, versions).
# Builds are cached in $SFAB_CACHE/pkg/rdma-core/<key>, the key being the
# target, source and kit versions and a hash of every input; a failed
# build leaves the previous result in place.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

[ $# -eq 1 ] || die "usage: distro/rdma-core-deb.sh TARGET"
target=$1
suite=$(target_field "$target" suite)
src_ver=$(target_field "$target" rdmacore-src)
distro_ver=$(target_field "$target" rdmacore)
need_root "distro/rdma-core-deb.sh"
need_tool dpkg-source dpkg-deb dpkg-architecture perl flock
root=$(chroot_dir "$target")
kit_ver=$("$SFAB_TOP/ci/version.sh")
kit_deb=$("$SFAB_TOP/ci/version.sh" deb)
if [ "$src_ver" = "$distro_ver" ]; then kind=exact; else kind=vendor; fi
templates=$SFAB_TOP/distro/debian/$([ "$kind" = exact ] && echo provider || echo rdma-core)
started=$(date +%s)
dest=$SFAB_OUT/pkg/$target/rdma-core
cache_root=$SFAB_CACHE/pkg/rdma-core

# step WHAT: log the start of a step, with the time since the start.
step() { log "[$target] +$(($(date +%s) - started))s $*"; }

# suite_version PACKAGE: PACKAGE's version in the target's suite (the
# chroot's apt candidate), or nothing.
suite_version() {
	{ in_chroot "$target" apt-cache policy "$1" || true; } |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# inputs_hash: every file the packages are made from (not the READMEs),
# and the chroot.
inputs_hash() {
	{
		(cd "$SFAB_TOP" && find upstream/rdma-core upstream/linux/include/uapi/rdma/sfab-abi.h \
			backports/rdma-core-prepare.sh backports/rdma-core "${templates#"$SFAB_TOP"/}" \
			distro/rdma-core-deb.sh -type f ! -name '*.md' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		echo "chroot $(basename "$root") libibverbs1 ${libibverbs:-} debian ${debian_ver:-}"
	} | sha256sum | cut -c1-16
}

# publish DIR: DIR (a complete build) becomes out/pkg/TARGET/rdma-core.
publish() {
	rm -rf "$dest.new"
	mkdir -p "$(dirname "$dest")"
	cp -a "$1" "$dest.new"
	rm -f "$dest.new/.sfab-complete"
	rm -rf "$dest"
	mv "$dest.new" "$dest"
}

summary() {
	local how=$1 f
	log "[$target] $kind rdma-core packages $(sed -n 's/^version=//p' "$dest/info") ($how, $(($(date +%s) - started))s):"
	for f in "$dest"/*.deb; do echo "    $(basename "$f")"; done >&2
	sed -n 's/^\(depends\|lintian\)=/    \1: /p' "$dest/info" >&2
	log "[$target] in $dest"
}

# fill TEMPLATE: TEMPLATE with each @NAME@ replaced by $T_NAME.
fill() {
	perl -pe 's/@([A-Z_]+)@/exists $ENV{"T_$1"} ? $ENV{"T_$1"} : die "$ARGV: no value for \@$1\@\n"/ge' "$1"
}

# edit FILE WHAT PERL: apply PERL to the whole of FILE; it must change it.
edit() {
	local before
	before=$(sha256sum <"$1")
	perl -0777 -pi -e "$3" "$1"
	[ "$before" != "$(sha256sum <"$1")" ] ||
		die "[$target] $2: no change in ${1#"$srcdir"/}; rdma-core $src_ver or its Debian packaging is not what distro/rdma-core-deb.sh expects: update the edit"
}

# adapt WHAT: record a mechanical adaptation of Debian's packaging.
adapt() { echo "packaging: $*" >>"$srcdir/BACKPORTS"; }

# exact_debian: the provider package's debian/ from distro/debian/provider.
exact_debian() {
	local f
	cp -a "$templates" "$srcdir/debian"
	for f in "$srcdir"/debian/*.in; do
		fill "$f" >"${f%.in}"
		rm "$f"
	done
}

# vendor_debian: Debian's debian/ for the source version, its patches
# applied, then the kit's delta (maintainer, libsfab in ibverbs-providers)
# and what the older suite needs to install the build dependencies.
# shellcheck disable=SC2016 # perl expressions, expanded by perl
vendor_debian() {
	local d=$srcdir/debian pkg old need have f t64
	tar -xf "$debian_tar" -C "$srcdir"
	dpkg-source --before-build "$srcdir" >>"$blog" 2>&1 ||
		die "[$target] Debian's patches do not apply to rdma-core $src_ver (log: $blog)"
	"$SFAB_TOP/backports/rdma-core-prepare.sh" "$srcdir"
	# Debian also builds the static libibverbs, which names every provider
	# in verbs.h: the one hookup rdma-core-prepare.sh does not make (yet).
	if ! grep -q 'verbs_provider_sfab;' "$srcdir/libibverbs/verbs.h"; then
		edit "$srcdir/libibverbs/verbs.h" "declaring verbs_provider_sfab" \
			's/^(extern const struct verbs_device_ops verbs_provider_siw;)$/extern const struct verbs_device_ops verbs_provider_sfab;\n$1/m'
		echo "static libibverbs: verbs_provider_sfab declared in libibverbs/verbs.h (hookup)" >>"$srcdir/BACKPORTS"
	fi

	# Older suites predate the 64-bit time_t transition: their library
	# packages have the old names, which the vendor set must replace.
	mapfile -t t64 < <(sed -n 's/^Package: \(.*t64\)$/\1/p' "$d/control")
	for pkg in "${t64[@]}"; do
		old=${pkg%t64}
		[ -z "$(suite_version "$pkg")" ] || continue
		PKG=$pkg OLD=$old perl -00 -pi -e 'if (/^Package: \Q$ENV{PKG}\E$/m) {
			s/^Provides: \$\{t64:Provides\}\n//m; s/^Replaces: \Q$ENV{OLD}\E\n//m;
			s/^Breaks: \Q$ENV{OLD}\E \(<< \$\{source:Version\}\)\n//m }' "$d/control"
		grep -rlw --exclude=changelog --exclude-dir=patches "$pkg" "$d" | xargs -r sed -i "s/\\b$pkg\\b/$old/g"
		for f in "$d/$pkg".*; do mv "$f" "$d/$old.${f#"$d/$pkg".}"; done
		adapt "$pkg renamed back to $old: $suite predates the 64-bit time_t transition and has $old"
	done
	need=$(sed -n 's/.*dpkg-dev (>= \([^)]*\)).*/\1/p' "$d/control")
	have=$(suite_version dpkg-dev)
	if [ -n "$need" ] && dpkg --compare-versions "$have" lt "$need"; then
		! grep -q 't64:Provides' "$d/control" ||
			die "[$target] $suite has dpkg-dev $have, but rdma-core $src_ver's t64 packaging needs $need"
		edit "$d/control" "relaxing dpkg-dev" 's/dpkg-dev \(>= [^)]*\)/dpkg-dev/'
		adapt "Build-Depends dpkg-dev (>= $need) relaxed: $suite has $have; $need is only for the t64 substvars"
	fi
	if grep -q '^ *pkgconf,$' "$d/control" &&
		in_chroot "$target" apt-get -s install pkgconf 2>/dev/null | grep -q '^Remv'; then
		edit "$d/control" "accepting pkg-config" 's/^( *)pkgconf,$/$1pkgconf | pkg-config,/m'
		adapt "Build-Depends pkgconf | pkg-config: $suite's pkgconf conflicts with the chroot's pkg-config (the same tool)"
	fi

	T_DEBIAN_MAINTAINER=$(sed -n 's/^Maintainer: //p' "$d/control" | head -n 1)
	edit "$d/control" "the kit as maintainer" 's/^Maintainer: .*$/Maintainer: $ENV{T_MAINTAINER}/m'
	edit "$d/control" "sfab in the provider list" \
		's/^(  - rxe: .*\n)/$1  - sfab: sfab, software RoCEv2 on any Ethernet device (sfab release kit)\n/m'
	edit "$d/control" "ibverbs-providers provides ibverbs-provider-sfab" \
		's/^(Package: ibverbs-providers\n(?:.+\n)*?Provides: .*)$/$1, ibverbs-provider-sfab (= $ENV{T_KIT_DEB_VERSION})/m'
	cat "$templates/ibverbs-providers.install" >>"$d/ibverbs-providers.install"
	# The kit's lintian overrides, each with its reason, after Debian's.
	for f in "$templates"/*.lintian-overrides; do
		cat "$f" >>"$d/$(basename "$f")"
	done
}

# vendor_layout: suites before the /usr move have their rdma-core's
# systemd units and udev files under /lib, and a debhelper whose
# dh_installsystemd looks for units there only: put them back there.
vendor_layout() {
	local d=$srcdir/debian f
	! grep -q 'usr/lib/systemd/system' "$root/usr/bin/dh_installsystemd" || return 0
	edit "$d/rules" "units and udev rules under /lib" \
		's|=/usr/lib/systemd/system"|=/lib/systemd/system"|; s|=/usr/lib/udev/rules.d"|=/lib/udev/rules.d"|'
	for f in "$d"/*.install "$d"/*.links "$d"/*.lintian-overrides; do
		[ -f "$f" ] || continue
		sed -i 's#^\(/\?\)usr/lib/\(systemd/system\|udev\)/#\1lib/\2/#; s# /usr/lib/systemd/system/# /lib/systemd/system/#
			s#\[usr/lib/\(systemd/system\|udev\)/#[lib/\1/#' "$f"
	done
	adapt "systemd units and udev files under /lib, as in $suite's rdma-core $suite_rdma: $suite's dh_installsystemd knows only /lib/systemd/system"
}

# vendor_changelog: the kit's entry, with the backports, on top.
vendor_changelog() {
	local d=$srcdir/debian
	local line
	T_BACKPORTS=$(while read -r line; do
		echo "Backport: $line" | fold -s -w 72 | sed 's/ *$//; 1s/^/  * /; 2,$s/^/    /'
	done <"$srcdir/BACKPORTS")
	export T_BACKPORTS
	fill "$templates/changelog.in" >"$d/changelog.new"
	echo >>"$d/changelog.new"
	cat "$d/changelog" >>"$d/changelog.new"
	mv "$d/changelog.new" "$d/changelog"
}

# install_build_deps: what debian/control asks for, into the chroot,
# never removing anything from it (it is also the validation guest's root).
# shellcheck disable=SC2016 # $1 expands in the chroot's sh
install_build_deps() {
	local deps
	if in_chroot "$target" sh -c 'cd "$1" && dpkg-checkbuilddeps' sh "$csrc" >>"$blog" 2>&1; then
		return 0
	fi
	deps=$(awk '/^Build-Depends(-Arch|-Indep)?:/ { f = 1; sub(/^[^:]*:/, ""); printf ", %s", $0; next }
		f && /^[ \t]/ { printf " %s", $0; next } { f = 0 }' "$srcdir/debian/control" |
		tr -s ' \t' ' ' | sed 's/^, //; s/, *,/,/g; s/, *$//')
	log "[$target] installing into the chroot: $deps"
	in_chroot "$target" env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
		--no-remove -o DPkg::Lock::Timeout=600 satisfy "$deps" >>"$blog" 2>&1 ||
		die "[$target] installing the build dependencies into $root failed (log: $blog); if the chroot's package lists are stale, rebuild it: make chroots TARGETS=$target"
}

# check_packages DIR: the provider is in its package, with the kit
# version, and (exact) the libibverbs1 pin; (vendor) the version sorts
# between the suite's rdma-core and Debian's own.
check_packages() {
	local deb f list
	deb=$(ls "$1"/"$provider_pkg"_*.deb)
	list=$(dpkg-deb -c "$deb")
	for f in "etc/libibverbs.d/sfab.driver" "usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/libibverbs/libsfab-rdmav" \
		"usr/share/sfab/versions/provider"; do
		grep -q " \./$f" <<<"$list" || die "[$target] $(basename "$deb") lacks /$f"
	done
	[ "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/sfab/versions/provider)" = "$kit_ver" ] ||
		die "[$target] $(basename "$deb"): /usr/share/sfab/versions/provider is not '$kit_ver'"
	depends=$(dpkg-deb -f "$deb" Depends)
	if [ "$kind" = exact ]; then
		case ", $depends," in
		*", libibverbs1 (= $libibverbs),"*) ;;
		*) die "[$target] $(basename "$deb") does not depend on libibverbs1 (= $libibverbs): $depends" ;;
		esac
	else
		dpkg --compare-versions "$version" gt "$suite_rdma" ||
			die "[$target] $version does not sort above $suite's rdma-core $suite_rdma"
		dpkg --compare-versions "$version" lt "$debian_ver" ||
			die "[$target] $version does not sort below Debian's rdma-core $debian_ver"
	fi
}

# --- what to build, and whether it is built already -----------------------

if [ "$kind" = exact ]; then
	libibverbs=$(suite_version libibverbs1)
	[ "${libibverbs%-*}" = "$src_ver" ] ||
		die "[$target] $suite's libibverbs1 is '$libibverbs', not rdma-core $src_ver: fix ci/targets or rebuild the chroot (make chroots TARGETS=$target)"
	source=ibverbs-provider-sfab provider_pkg=ibverbs-provider-sfab version=$kit_deb
else
	suite_rdma=$(suite_version rdma-core)
	[ -n "$suite_rdma" ] || die "[$target] $suite has no rdma-core package; check ci/targets"
	source=rdma-core provider_pkg=ibverbs-providers
fi
tree=$(rdma_core_tree "$src_ver")
if [ "$kind" = vendor ]; then
	debian_tar=$(find "$SFAB_CACHE/dl/rdma-core" -path "*/$src_ver-*/rdma-core_$src_ver-*.debian.tar.*" 2>/dev/null |
		sort -V | tail -n 1) || true
	[ -n "$debian_tar" ] ||
		die "[$target] no Debian packaging of rdma-core $src_ver in $SFAB_CACHE/dl/rdma-core/; download it there: apt-get source --download-only rdma-core=$src_ver-<revision>"
	debian_ver=$(basename "$debian_tar" | sed 's/^rdma-core_\(.*\)\.debian\.tar\..*$/\1/')
fi
key=$target-$src_ver-$kit_ver-$(inputs_hash)
cache=$cache_root/$key
if [ -f "$cache/.sfab-complete" ]; then
	publish "$cache"
	summary "cached: $key"
	exit 0
fi

mkdir -p "$cache_root"
exec 7>"$SFAB_CACHE/pkg/.build.lock"
if ! flock -n 7; then
	log "[$target] another package build is running; waiting for it (one at a time)"
	flock 7
fi
if [ -f "$cache/.sfab-complete" ]; then
	publish "$cache"
	summary "built meanwhile: $key"
	exit 0
fi

if ! command -v lintian >/dev/null; then
	log "installing lintian on the host (it checks the kit's packages)"
	DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends lintian >/dev/null ||
		die "installing lintian failed; run 'apt-get install lintian'"
fi

# --- the source tree ----------------------------------------------------------

export T_MAINTAINER T_DATE T_KIT_COMMIT T_KIT_VERSION=$kit_ver T_KIT_DEB_VERSION=$kit_deb \
	T_SUITE=$suite T_SOURCE_VERSION=$src_ver T_DISTRO_VERSION T_DISTRIBUTION T_VERSION \
	T_LIBIBVERBS_VERSION=${libibverbs:-} T_DEBIAN_VERSION T_DEBIAN_MAINTAINER
T_MAINTAINER="$(git -C "$SFAB_TOP" config user.name 2>/dev/null || echo "The sfab developers") <$(git -C "$SFAB_TOP" config user.email 2>/dev/null || echo sfab-dev@example.invalid)>"
if git -C "$SFAB_TOP" rev-parse HEAD >/dev/null 2>&1; then
	T_KIT_COMMIT="Built from the kit at $(git -C "$SFAB_TOP" rev-parse --short=12 HEAD)."
	T_DATE=$(git -C "$SFAB_TOP" log -1 --format=%cD)
else
	T_KIT_COMMIT="Built from an exported kit tree." T_DATE=$(date -R)
fi
T_DISTRIBUTION=$suite
[ "$suite" != sid ] || T_DISTRIBUTION=unstable

mkdir -p "$SFAB_OUT/logs/$target"
blog=$SFAB_OUT/logs/$target/rdma-core-deb.build.log
: >"$blog"
step "$kind rdma-core packages: rdma-core $src_ver for $suite (its own: $distro_ver), kit $kit_ver"
work=$root/tmp/sfab-rdma-core-deb
rm -rf "$work"
mkdir -p "$work"
if [ "$kind" = exact ]; then
	srcdir=$work/$source-$kit_ver
	cp -a "$tree" "$srcdir"
	rm -rf "$srcdir/debian" "$srcdir/.sfab-complete"
	"$SFAB_TOP/backports/rdma-core-prepare.sh" "$srcdir"
	T_VERSION=$version
	exact_debian
else
	debno=$(cut -d. -f1 <"$root/etc/debian_version")
	case $debno in
	[0-9]*) ;;
	*) die "[$target] $suite is no numbered Debian release ($root/etc/debian_version); vendor sets are for stable suites" ;;
	esac
	version=$debian_ver~sfab$kit_ver+deb$debno
	T_VERSION=$version T_DISTRO_VERSION=$suite_rdma T_DEBIAN_VERSION=$debian_ver
	srcdir=$work/$source-$src_ver
	cp -a "$tree" "$srcdir"
	rm -rf "$srcdir/debian" "$srcdir/.sfab-complete"
	vendor_debian
fi
mkdir -p "$srcdir/debian/sfab"
echo "$kit_ver" >"$srcdir/debian/sfab/provider"
csrc=/tmp/sfab-rdma-core-deb/$(basename "$srcdir")

step "build dependencies (debian/control) in the chroot"
install_build_deps
if [ "$kind" = vendor ]; then
	vendor_layout
	vendor_changelog
fi

echo "== backports:" && cat "$srcdir/BACKPORTS"
step "dpkg-buildpackage -b $source $version (log: $blog)"
rc=0
# shellcheck disable=SC2016 # $1 expands in the chroot's sh
in_chroot "$target" sh -c 'cd "$1" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -uc -us' \
	sh "$csrc" >>"$blog" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || {
	tail -n 30 "$blog" >&2
	die "[$target] dpkg-buildpackage of $source $version failed (log: $blog; tree: $srcdir)"
}
# The kit allows no compiler warning in the provider (ninja -v prints
# each command before its output).
if awk '/providers\/sfab\// { s = 1 } s && /warning:|error:/ { print; bad = 1 } /^\[[0-9]+\/[0-9]+\]/ { s = 0 } END { exit !bad }' "$blog" >&2; then
	die "[$target] libsfab has compiler warnings with Debian's build flags (above; log: $blog)"
fi
changes=$work/${source}_${version#*:}_amd64.changes
[ -f "$changes" ] || die "[$target] the build wrote no $(basename "$changes")"

step "checking the packages"
check_packages "$work"

step "lintian $(basename "$changes")"
# A build of an uncommitted tree has "+dirty" in every version: six
# characters that take the longest file name (ibverbs-providers) past
# lintian's 80. Committed builds (CI, releases, hotfixes) are checked.
notags=()
case $kit_ver in
*+dirty*)
	notags=(--suppress-tags package-has-long-file-name)
	step "a +dirty build: package-has-long-file-name is not checked (commit, and it is)"
	;;
esac
rc=0
lintian -I --show-overrides --tag-display-limit 0 "${notags[@]}" "$changes" >"$work/lintian.txt" 2>&1 || rc=$?
# 2: it found tags that fail (errors); 1: it could not check.
[ "$rc" -ne 1 ] || { cat "$work/lintian.txt" >&2; die "[$target] lintian could not check $(basename "$changes") (exit 1, above)"; }
count() { grep -c "^$1: " "$work/lintian.txt" || true; }
lint="errors $(count E) warnings $(count W) info $(count I) pedantic $(count P) overridden $(count O)"
if grep -q '^[EW]: ' "$work/lintian.txt"; then
	grep '^[EW]: ' "$work/lintian.txt" >&2
	die "[$target] lintian: errors or warnings in $source (above); fix them or override each with a one-line reason in ${templates#"$SFAB_TOP"/}/PACKAGE.lintian-overrides"
fi

step "storing the result"
rm -rf "$cache.new"
mkdir -p "$cache.new"
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work/lintian.txt" "$srcdir/BACKPORTS" "$cache.new/"
cp "$work"/*.ddeb "$cache.new/" 2>/dev/null || true
cp "$blog" "$cache.new/build.log"
{
	echo "kind=$kind"
	echo "target=$target"
	echo "suite=$suite"
	echo "source=rdma-core $src_ver${debian_ver:+ (Debian $debian_ver)}"
	echo "distro=rdma-core ${suite_rdma:-$libibverbs}"
	echo "kit=$kit_ver"
	echo "version=$version"
	echo "packages=$(for f in "$work"/*.deb; do f=$(basename "$f"); echo "${f%%_*}"; done | xargs)"
	echo "provider_package=$provider_pkg"
	echo "provider=$(dpkg-deb -c "$work/${provider_pkg}_${version#*:}_amd64.deb" | grep -o '/usr/lib/.*/libsfab-rdmav[0-9]*\.so')"
	echo "depends=$depends"
	echo "lintian=$lint"
	sed 's/^/backport=/' "$srcdir/BACKPORTS"
	echo "key=$key"
	echo "built=$(date -u +%FT%TZ) in $(($(date +%s) - started))s"
} >"$cache.new/info"
date -u +%FT%TZ >"$cache.new/.sfab-complete"
rm -rf "$cache"
mv "$cache.new" "$cache"
# Keep the three newest snapshot builds of this target; the builds of
# releases and hotfixes (no "~dev" in their version) are kept, for the
# upgrade scenario and the hotfix validation of every run.
find "$cache_root" -mindepth 1 -maxdepth 1 -type d -name "$target-[0-9]*~dev*" -printf '%T@ %p\n' |
	sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
rm -rf "$work"
publish "$cache"
summary "built"
