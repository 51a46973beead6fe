#!/usr/bin/env bash
# usage: distro/rdma-core-deb.sh [--inputs] TARGET
# Builds the Debian packages of the user space side for TARGET with
# dpkg-buildpackage in TARGET's chroot:
# - on every target, ibverbs-provider-sfab (the kit's version): libsfab,
#   built from distro/debian/provider/ in the rdma-core source ci/targets
#   names, with the provider put in by backports/rdma-core-prepare.sh. It
#   depends on the libibverbs1 releases that carry the private ABI it was
#   built for, "libibverbs1 (>= SRC), libibverbs1 (<< NEXT-MAJOR~)" (e.g.
#   >= 56.1, << 57~), so the suite's stable updates keep it installable;
# - on "vendor" targets (suites whose own rdma-core is older than that
#   source: bullseye, bookworm), first the vendor rdma-core set: Debian's
#   whole rdma-core package set of the source version, without libsfab,
#   versioned <Debian version>~sfab<R>+deb<N> after its own revision R
#   (distro/debian/rdma-core/REVISION), which satisfies that dependency.
#   The set is made only from its inputs (the suite's build packages,
#   Debian's source and packaging, the kit's delta in
#   distro/debian/rdma-core/); their hash must be the one REVISION
#   records for R, or the build stops and asks for a new revision, so a
#   version never names two different sets. It is built once per inputs
#   hash and reused by every kit commit (distro/debian/rdma-core/README.md:
#   the set, its versioning and the way back to the suite's packages).
# Then lintian (the host's): no error or warning that is not overridden
# with a reason, in either.
# Result in out/pkg/TARGET/rdma-core/: the .debs (.ddebs), lintian.txt
# (the provider's), info, BACKPORTS, build.log; on vendor targets also
# the set's lintian-vendor.txt, BACKPORTS-vendor, build-vendor.log.
# Caches under $SFAB_CACHE/pkg/: rdma-core-vendor/<suite>-r<R>-<inputs
# hash>/ (the set), provider-build/<target>-<hash>/ (the provider's
# compiled tree, by its compile inputs: a kit commit that does not touch
# them repackages without compiling), rdma-core/<target>-<kit>-<hash>/
# (the provider package). An entry without its completion stamp is a
# build that died and is rebuilt; a failed build leaves the previous
# result in place. With --inputs, prints the vendor set's inputs (what
# its hash is made of) and stops.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"
here=$SFAB_TOP/distro/debian/rdma-core
# shellcheck source=debian/rdma-core/delta.sh
. "$here/delta.sh"

inputs_only=
[ "${1:-}" != --inputs ] || { inputs_only=1; shift; }
[ $# -eq 1 ] || die "usage: distro/rdma-core-deb.sh [--inputs] TARGET"
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
provider_tpl=$SFAB_TOP/distro/debian/provider
started=$(date +%s)
dest=$SFAB_OUT/pkg/$target/rdma-core
pkgcache=$SFAB_CACHE/pkg
mkdir -p "$pkgcache" "$SFAB_OUT/logs/$target"

# step WHAT: log the start of a step, with the time since the start.
step() { log "[$target] +$(($(date +%s) - started))s $*"; }

# lock ENTRY: one build of a cache entry at a time on this machine (all
# clones): a second run for the same key waits and then reuses it; runs
# for other keys go on. Builds of one target also take turns on its
# chroot (chroot_lock, by the caller).
lock() { hold_lock 7 "$1.lock" "[$target] another run is building $(basename "$1")"; }

need_lintian() {
	command -v lintian >/dev/null && return 0
	log "installing lintian on the host (it checks the kit's packages)"
	DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends lintian >/dev/null ||
		die "installing lintian failed; run 'apt-get install lintian'"
}

# candidates NAME...: "NAME VERSION" of each package in the chroot's apt
# (its candidate; "(none)" if the suite has none).
candidates() {
	{ in_chroot "$target" apt-cache policy "$@" 2>/dev/null || true; } |
		awk -v names="$*" '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
			$1 == "Candidate:" && p != "" { v[p] = $2 }
			END { n = split(names, a, " "); for (i = 1; i <= n; i++) print a[i], (a[i] in v ? v[a[i]] : "(none)") }'
}

# build_names CONTROL: the packages a build with CONTROL depends on: its
# build dependencies (every alternative) and the toolchain.
build_names() {
	local gcc
	gcc=$(in_chroot "$target" readlink -f /usr/bin/gcc | sed -n 's|.*-gcc-\([0-9]*\)$|gcc-\1|p')
	{
		awk '/^Build-Depends(-Arch|-Indep)?:/ { f = 1; sub(/^[^:]*:/, ""); print; next }
			f && /^[ \t]/ { print; next } { f = 0 }' "$1" |
			sed 's/[,|]/\n/g' | sed 's/\[[^]]*\]//g; s/<[^>]*>//g; s/([^)]*)//g; s/^[ \t]*//; s/[ \t].*//' |
			grep -v '^$'
		echo "build-essential $gcc ${gcc/gcc/g++} ${gcc/gcc/cpp} binutils libc6-dev make dpkg-dev debhelper pkg-config"
	} | xargs -n 1 | LC_ALL=C sort -u | xargs
}

# install_build_deps DIR: what DIR/debian/control asks for, into the
# chroot, never removing anything from it (it is also the validation
# guest's root).
# shellcheck disable=SC2016 # $1 expands in the chroot's sh
install_build_deps() {
	local deps c=${1#"$root"}
	if in_chroot "$target" sh -c 'cd "$1" && dpkg-checkbuilddeps' sh "$c" >>"$blog" 2>&1; then
		return 0
	fi
	deps=$(awk '/^Build-Depends(-Arch|-Indep)?:/ { f = 1; sub(/^[^:]*:/, ""); printf ", %s", $0; next }
		f && /^[ \t]/ { printf " %s", $0; next } { f = 0 }' "$1/debian/control" |
		tr -s ' \t' ' ' | sed 's/^, //; s/, *,/,/g; s/, *$//')
	log "[$target] installing into the chroot: $deps"
	in_chroot "$target" env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
		--no-remove -o DPkg::Lock::Timeout=600 satisfy "$deps" >>"$blog" 2>&1 ||
		die "[$target] installing the build dependencies into $root failed (log: $blog); if the chroot's package lists are stale, rebuild it: make chroots TARGETS=$target"
}

# buildpackage DIR WHAT [OPTION...]: dpkg-buildpackage -b in the chroot.
# shellcheck disable=SC2016 # $1 expands in the chroot's sh
buildpackage() {
	local dir=$1 what=$2 rc=0
	shift 2
	step "dpkg-buildpackage -b $* $what (log: $blog)"
	in_chroot "$target" env DEB_BUILD_OPTIONS="$VENDOR_BUILD_OPTIONS" \
		sh -c 'cd "$1" && shift && dpkg-buildpackage -b -uc -us "$@"' sh "${dir#"$root"}" "$@" >>"$blog" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || {
		tail -n 30 "$blog" >&2
		die "[$target] dpkg-buildpackage of $what failed (log: $blog; tree: $dir)"
	}
}

# run_lintian CHANGES OUT OVERRIDES [OPTION...]: lintian of CHANGES into
# OUT; fails on an error or warning, naming the OVERRIDES files. Sets
# $lint (the counts).
run_lintian() {
	local changes=$1 out=$2 overrides=$3 rc=0
	shift 3
	step "lintian $(basename "$changes")"
	lintian -I --show-overrides --tag-display-limit 0 "$@" "$changes" >"$out" 2>&1 || rc=$?
	# 2: it found tags that fail (errors); 1: it could not check.
	[ "$rc" -ne 1 ] || { cat "$out" >&2; die "[$target] lintian could not check $(basename "$changes") (exit 1, above)"; }
	lint="errors $(grep -c '^E: ' "$out" || true) warnings $(grep -c '^W: ' "$out" || true)"
	lint+=" info $(grep -c '^I: ' "$out" || true) pedantic $(grep -c '^P: ' "$out" || true) overridden $(grep -c '^O: ' "$out" || true)"
	if grep -q '^[EW]: ' "$out"; then
		grep '^[EW]: ' "$out" >&2
		die "[$target] lintian: errors or warnings in $(basename "$changes") (above); fix them or override each with a one-line reason in $overrides"
	fi
}

# store WORK CACHE: the packages built in WORK into CACHE.new; stamp
# CACHE: CACHE.new, stamped complete, becomes the cache entry CACHE.
store() {
	rm -rf "$2.new"
	mkdir -p "$2.new"
	cp "$1"/*.deb "$1"/*.changes "$1"/*.buildinfo "$2.new/"
	cp "$1"/*.ddeb "$2.new/" 2>/dev/null || true
}
stamp() {
	date -u +%FT%TZ >"$1.new/.sfab-complete"
	rm -rf "$1"
	mv "$1.new" "$1"
}

# prune DIR PATTERN N: keep the N entries of DIR matching PATTERN used last.
prune() {
	find "$1" -mindepth 1 -maxdepth 1 -type d -name "$2" -printf '%T@ %p\n' |
		sort -rn | tail -n +$(($3 + 1)) | cut -d' ' -f2- | xargs -r rm -rf
}

# satisfies VERSION DEPENDS: VERSION of libibverbs1 satisfies every
# libibverbs1 relation of DEPENDS.
satisfies() {
	local rel op bound
	while read -r rel; do
		op=$(sed -n 's/^libibverbs1 (\([<>=]*\) .*/\1/p' <<<"$rel")
		bound=$(sed -n 's/^libibverbs1 ([<>=]* \(.*\))$/\1/p' <<<"$rel")
		case $op in
		'>=') op=ge ;; '<<') op=lt ;; '=') op=eq ;; '<=') op=le ;; '>>') op=gt ;;
		*) die "[$target] cannot read the relation '$rel'" ;;
		esac
		dpkg --compare-versions "$1" "$op" "$bound" || return 1
	done < <(tr ',' '\n' <<<"$2" | sed 's/^ *//; s/ *$//' | grep '^libibverbs1 ')
}

blog=$SFAB_OUT/logs/$target/rdma-core-deb.build.log
: >"$blog"
tree=$(rdma_core_tree "$src_ver")
orig=$(find "$SFAB_CACHE/dl/rdma-core" -path "*/$src_ver-*/rdma-core_$src_ver.orig.tar.*" 2>/dev/null | sort -V | tail -n 1)
[ -n "$orig" ] || die "[$target] no rdma-core_$src_ver.orig.tar in $SFAB_CACHE/dl/rdma-core; remove $tree so that it is downloaded again"
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
pabi=$(sed -n 's/^set(IBVERBS_PABI_VERSION "\([0-9]*\)")$/\1/p' "$tree/CMakeLists.txt")
[ -n "$pabi" ] || die "[$target] no IBVERBS_PABI_VERSION in $tree/CMakeLists.txt: is it an rdma-core tree?"

# --- the vendor rdma-core set (vendor targets) -------------------------------

# vendor_inputs: everything the set is made from, one line each; its
# hash names the set.
vendor_inputs() {
	local f ctl
	echo "suite $suite"
	echo "arch $arch"
	echo "orig $(sha256sum <"$orig" | cut -d' ' -f1) $(basename "$orig")"
	echo "debian $(sha256sum <"$debian_tar" | cut -d' ' -f1) $(basename "$debian_tar")"
	(cd "$here" && find . -type f ! -name README.md ! -name REVISION -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum | sed 's/^/delta /')
	echo "maintainer $vendor_maint"
	ctl=$(mktemp)
	tar -xOf "$debian_tar" debian/control >"$ctl"
	# The package names of the set (and the pre-t64 names), whose suite
	# versions the delta looks at, and the build's packages.
	# shellcheck disable=SC2046 # a list of names
	candidates $( {
		build_names "$ctl"
		sed -n 's/^Package: //p' "$ctl" | sed 'p; s/t64$//'
	} | xargs -n 1 | LC_ALL=C sort -u) | sed 's/^/package /'
	rm -f "$ctl"
}

# vendor_build: the set into $vcache.
vendor_build() {
	local work=$root/tmp/sfab-rdma-core-vendor vblog=$SFAB_OUT/logs/$target/rdma-core-vendor.build.log
	local changes deb list
	srcdir=$work/rdma-core-$src_ver
	blog=$vblog
	: >"$blog"
	step "vendor rdma-core set $version: Debian's rdma-core $debian_ver for $suite (its own: $suite_rdma), inputs $ihash"
	rm -rf "$work"
	mkdir -p "$work"
	cp -a "$tree" "$srcdir"
	rm -rf "$srcdir/debian" "$srcdir/.sfab-complete"
	export T_MAINTAINER=$vendor_maint T_DATE T_SUITE=$suite T_DISTRIBUTION=$suite T_VERSION=$version \
		T_DISTRO_VERSION=$suite_rdma T_DEBIAN_VERSION=$debian_ver T_DEBIAN_MAINTAINER T_REVISION=$rev
	T_DATE=$(LC_ALL=C date -u -R -d "$rdate 12:00:00 UTC") ||
		die "[$target] REVISION's date '$rdate' for $suite revision $rev is no date (YYYY-MM-DD)"
	vendor_debian
	step "build dependencies (debian/control) in the chroot"
	install_build_deps "$srcdir"
	vendor_layout
	vendor_changelog
	echo "== adaptations:" && cat "$srcdir/BACKPORTS"
	buildpackage "$srcdir" "rdma-core $version"
	changes=$work/rdma-core_${version#*:}_amd64.changes
	[ -f "$changes" ] || die "[$target] the build wrote no $(basename "$changes")"

	step "checking the set"
	for deb in "$work"/*.deb; do
		list=$(dpkg-deb -c "$deb")
		! grep -q 'sfab' <<<"$list" || die "[$target] $(basename "$deb") of the vendor set has files of sfab: $(grep sfab <<<"$list" | tr -s ' ' | cut -d' ' -f6 | xargs)"
	done
	dpkg-deb -I "$work/ibverbs-providers_${version}_amd64.deb" preinst 2>/dev/null | grep -q 'rm_conffile.*/etc/libibverbs.d/sfab.driver' ||
		die "[$target] the set's ibverbs-providers does not remove the old layout's conffile sfab.driver (ibverbs-providers.maintscript)"
	dpkg --compare-versions "$version" gt "$suite_rdma" ||
		die "[$target] $version does not sort above $suite's rdma-core $suite_rdma"
	dpkg --compare-versions "$version" lt "$debian_ver" ||
		die "[$target] $version does not sort below Debian's rdma-core $debian_ver"

	run_lintian "$changes" "$work/lintian.txt" "distro/debian/rdma-core/PACKAGE.lintian-overrides"
	step "storing the set"
	store "$work" "$vcache"
	cp "$work/lintian.txt" "$srcdir/BACKPORTS" "$vcache.new/"
	cp "$blog" "$vcache.new/build.log"
	vendor_inputs >"$vcache.new/inputs"
	{
		echo "kind=vendor set"
		echo "suite=$suite"
		echo "source=rdma-core $src_ver (Debian $debian_ver)"
		echo "distro=rdma-core $suite_rdma"
		echo "revision=$rev ($rdate)"
		echo "inputs=$ihash"
		echo "version=$version"
		echo "packages=$(for f in "$work"/*.deb; do f=$(basename "$f"); echo "${f%%_*}"; done | xargs)"
		echo "libibverbs1=$version"
		echo "lintian=$lint"
		sed 's/^/backport=/' "$srcdir/BACKPORTS"
		echo "built=$(date -u +%FT%TZ) in $(($(date +%s) - started))s"
	} >"$vcache.new/info"
	stamp "$vcache"
	rm -rf "$work"
	prune "$pkgcache/rdma-core-vendor" "$suite-*" 3
}

if [ "$kind" = vendor ]; then
	suite_rdma=$(suite_version rdma-core)
	[ -n "$suite_rdma" ] || die "[$target] $suite has no rdma-core package; check ci/targets"
	debian_tar=$(find "$SFAB_CACHE/dl/rdma-core" -path "*/$src_ver-*/rdma-core_$src_ver-*.debian.tar.*" 2>/dev/null |
		sort -V | tail -n 1) || true
	[ -n "$debian_tar" ] ||
		die "[$target] no Debian packaging of rdma-core $src_ver in $SFAB_CACHE/dl/rdma-core/; download it there: apt-get source --download-only rdma-core=$src_ver-<revision>"
	debian_ver=$(basename "$debian_tar" | sed 's/^rdma-core_\(.*\)\.debian\.tar\..*$/\1/')
	debno=$(cut -d. -f1 <"$root/etc/debian_version")
	case $debno in
	[0-9]*) ;;
	*) die "[$target] $suite is no numbered Debian release ($root/etc/debian_version); vendor sets are for stable suites" ;;
	esac
	vendor_maint=$(sed -n 's/^maintainer: //p' "$here/REVISION")
	[ -n "$vendor_maint" ] || die "[$target] no 'maintainer: NAME <EMAIL>' line in distro/debian/rdma-core/REVISION"
	if [ -n "$inputs_only" ]; then
		vendor_inputs
		exit 0
	fi
	ihash=$(vendor_inputs | sha256sum | cut -c1-16)
	read -r rev rdate rhash < <(awk -v s="$suite" '!/^#/ && $1 == s { print $2, $3, $4 }' "$here/REVISION" | sort -n | tail -n 1) || true
	if [ -z "${rev:-}" ]; then
		die "[$target] distro/debian/rdma-core/REVISION has no revision of the vendor set for $suite; add the line '$suite 1 $(date -u +%F) $ihash'"
	fi
	if [ "$rhash" != "$ihash" ]; then
		for old in "$pkgcache/rdma-core-vendor/$suite-r$rev-$rhash" "$pkgcache/rdma-core-vendor/$suite-r$rev-$rhash.new"; do
			[ -f "$old/inputs" ] || continue
			log "[$target] what changed since revision $rev (- then, + now):"
			diff "$old/inputs" <(vendor_inputs) | grep '^[<>]' | sed 's/^</    -/; s/^>/    +/' >&2 || true
			break
		done
		die "[$target] the vendor set's inputs changed; raise distro/debian/rdma-core/REVISION: $suite revision $rev was made from inputs $rhash, these are $ihash. Add the line '$suite $((rev + 1)) $(date -u +%F) $ihash' (the set becomes $debian_ver~sfab$((rev + 1))+deb$debno)"
	fi
	version=$debian_ver~sfab$rev+deb$debno
	vcache=$pkgcache/rdma-core-vendor/$suite-r$rev-$ihash
	if [ -f "$vcache/.sfab-complete" ]; then
		step "vendor rdma-core set $version: cached ($(basename "$vcache"), built $(sed -n 's/^built=//p' "$vcache/info"))"
		cache_note reused rdma-core-vendor "$(basename "$vcache")"
	else
		lock "$vcache"
		if [ -f "$vcache/.sfab-complete" ]; then
			step "vendor rdma-core set $version: built meanwhile"
			cache_note reused rdma-core-vendor "$(basename "$vcache")"
		else
			if [ -e "$vcache" ] || [ -e "$vcache.new" ]; then
				log "[$target] $(basename "$vcache"): an incomplete entry (no completion stamp); rebuilding it"
			fi
			rm -rf "$vcache" "$vcache.new"
			need_lintian
			vendor_build
			cache_note built rdma-core-vendor "$(basename "$vcache")"
		fi
		flock -u 7
	fi
	touch "$vcache"
	libibverbs=$version
	libibverbs_for="the vendor set's libibverbs1 $version"
else
	[ -z "$inputs_only" ] || die "[$target] has no vendor set (its rdma-core is the suite's own $distro_ver)"
	libibverbs=$(suite_version libibverbs1)
	[ "${libibverbs%-*}" = "$src_ver" ] ||
		die "[$target] $suite's libibverbs1 is '$libibverbs', not rdma-core $src_ver: fix ci/targets or rebuild the chroot (make chroots TARGETS=$target)"
	libibverbs_for="its libibverbs1 $libibverbs"
fi

# --- ibverbs-provider-sfab (every target) ------------------------------------

# The libibverbs1 releases with this private ABI: rdma-core $src_ver and
# its stable updates (upstream 56.x, Debian 56.1-1+deb13u1, ...). A new
# upstream major release may change it (65.0 did: IBVERBS_PRIVATE_65).
depends_ibverbs="libibverbs1 (>= $src_ver), libibverbs1 (<< $((${src_ver%%.*} + 1))~)"

# provider_inputs: what libsfab is compiled from (not the kit version).
provider_inputs() {
	echo "target $target $suite $arch"
	echo "orig $(sha256sum <"$orig" | cut -d' ' -f1) $(basename "$orig")"
	(cd "$SFAB_TOP" && find upstream/rdma-core upstream/linux/include/uapi/rdma/sfab-abi.h \
		backports/rdma-core-prepare.sh backports/rdma-core distro/debian/provider -type f ! -name '*.md' -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum)
	# shellcheck disable=SC2046 # a list of names
	candidates $(build_names "$provider_tpl/control.in")
}

# provider_debian DIR: DIR/debian from distro/debian/provider, for this
# kit version.
provider_debian() {
	local f
	rm -rf "$1/debian"
	cp -a "$provider_tpl" "$1/debian"
	for f in "$1"/debian/*.in; do
		fill "$f" >"${f%.in}"
		rm "$f"
	done
	mkdir -p "$1/debian/sfab"
	echo "$kit_ver" >"$1/debian/sfab/provider"
}

# check_provider DEB: libsfab, its driver file and the kit version are
# in it, and it depends on the libibverbs1 it is built for.
check_provider() {
	local deb=$1 f list
	list=$(dpkg-deb -c "$deb")
	for f in "etc/libibverbs.d/sfab.driver" "usr/lib/$arch/libibverbs/libsfab-rdmav$pabi.so" \
		"usr/share/sfab/versions/provider"; do
		grep -q " \./$f\$" <<<"$list" || die "[$target] $(basename "$deb") lacks /$f"
	done
	[ "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/sfab/versions/provider)" = "$kit_ver" ] ||
		die "[$target] $(basename "$deb"): /usr/share/sfab/versions/provider is not '$kit_ver'"
	depends=$(dpkg-deb -f "$deb" Depends)
	case ", $depends," in
	*", $depends_ibverbs,"*) ;;
	*) die "[$target] $(basename "$deb") does not depend on $depends_ibverbs: $depends" ;;
	esac
	[ "$(tr ',' '\n' <<<"$depends" | grep -c 'libibverbs1')" -eq 2 ] ||
		die "[$target] $(basename "$deb") has other libibverbs1 dependencies than $depends_ibverbs: $depends"
	satisfies "$libibverbs" "$depends" ||
		die "[$target] $(basename "$deb"): the libibverbs1 it is built for ($libibverbs) does not satisfy $depends"
	satisfies "${libibverbs%%+deb*}+deb${debno:-13}u1" "$depends" ||
		die "[$target] $(basename "$deb"): a stable update of libibverbs1 $libibverbs would not satisfy $depends"
	if [ "$kind" = vendor ]; then
		! satisfies "$(suite_version libibverbs1)" "$depends" ||
			die "[$target] $(basename "$deb"): $suite's own libibverbs1 satisfies $depends, so apt would not bring the vendor set"
	fi
}

export T_MAINTAINER T_DATE T_KIT_COMMIT T_KIT_VERSION=$kit_ver T_SUITE=$suite T_SOURCE_VERSION=$src_ver \
	T_DISTRIBUTION=$suite T_VERSION=$kit_deb T_LIBIBVERBS_DEPENDS=$depends_ibverbs T_LIBIBVERBS_FOR=$libibverbs_for \
	T_PABI=$pabi
T_MAINTAINER="$(git -C "$SFAB_TOP" config user.name 2>/dev/null || echo "The sfab developers") <$(git -C "$SFAB_TOP" config user.email 2>/dev/null || echo sfab-dev@example.invalid)>"
if git -C "$SFAB_TOP" rev-parse HEAD >/dev/null 2>&1; then
	T_KIT_COMMIT="Built from the kit at $(git -C "$SFAB_TOP" rev-parse --short=12 HEAD)."
	T_DATE=$(git -C "$SFAB_TOP" log -1 --format=%cD)
else
	T_KIT_COMMIT="Built from an exported kit tree." T_DATE=$(date -R)
fi
[ "$suite" != sid ] || T_DISTRIBUTION=unstable

phash=$(provider_inputs | sha256sum | cut -c1-16)
pkey=$target-$kit_ver-$(printf '%s\n' "$phash" "$depends_ibverbs" "$libibverbs_for" "$T_MAINTAINER" "$T_KIT_COMMIT" "$T_DATE" |
	sha256sum | cut -c1-16)
pcache=$pkgcache/rdma-core/$pkey
bcache=$pkgcache/provider-build/$target-$phash

# provider_build: the package into $pcache, compiling only if
# $bcache has no compiled tree for these inputs.
provider_build() {
	local work=$root/tmp/sfab-provider srcdir changes deb how notags=()
	srcdir=$work/ibverbs-provider-sfab
	blog=$SFAB_OUT/logs/$target/rdma-core-deb.build.log
	: >"$blog"
	rm -rf "$work"
	mkdir -p "$work"
	if [ -f "$bcache/.sfab-complete" ]; then
		how="compiled tree reused: $(basename "$bcache")"
		cache_note reused provider-build "$(basename "$bcache")"
		step "ibverbs-provider-sfab $kit_deb: the compiled tree of these inputs ($(basename "$bcache")), repackaged"
		tar -xf "$bcache/tree.tar" -C "$work"
		cp "$bcache/BACKPORTS" "$work/BACKPORTS"
		provider_debian "$srcdir"
		install_build_deps "$srcdir"
		# No clean: the build directory is the cached one; ninja has
		# nothing to compile, as nothing it was built from changed.
		buildpackage "$srcdir" "ibverbs-provider-sfab $kit_deb" -nc
	else
		how="compiled"
		cache_note built provider-build "$(basename "$bcache")"
		[ ! -e "$bcache" ] || log "[$target] $(basename "$bcache"): an incomplete entry (no completion stamp); compiling again"
		rm -rf "$bcache"
		step "ibverbs-provider-sfab $kit_deb: rdma-core $src_ver for $suite, kit $kit_ver"
		cp -a "$tree" "$srcdir"
		rm -rf "$srcdir/.sfab-complete"
		: >"$srcdir/BACKPORTS"
		"$SFAB_TOP/backports/rdma-core-prepare.sh" "$srcdir"
		mv "$srcdir/BACKPORTS" "$work/BACKPORTS"
		echo "== backports:" && cat "$work/BACKPORTS"
		provider_debian "$srcdir"
		install_build_deps "$srcdir"
		buildpackage "$srcdir" "ibverbs-provider-sfab $kit_deb"
		# The kit allows no compiler warning in the provider (ninja -v
		# prints each command before its output); the compile ends where
		# debhelper's install starts (dpkg-shlibdeps' own warnings, on
		# bullseye, are no compiler's).
		if awk '/^[ \t]*(dh_prep|dh_auto_install|debian\/rules override_dh_auto_install)/ { exit }
			/providers\/sfab\// { s = 1 } s && /warning:|error:/ { print; bad = 1 } /^\[[0-9]+\/[0-9]+\]/ { s = 0 }
			END { exit !bad }' "$blog" >&2; then
			die "[$target] libsfab has compiler warnings with Debian's build flags (above; log: $blog)"
		fi
	fi
	changes=$work/ibverbs-provider-sfab_${kit_deb#*:}_amd64.changes
	[ -f "$changes" ] || die "[$target] the build wrote no $(basename "$changes")"
	deb=$work/ibverbs-provider-sfab_${kit_deb#*:}_amd64.deb
	step "checking the package"
	check_provider "$deb"
	# A build of an uncommitted tree has "+dirty" in its version, which
	# can take a file name past lintian's 80 characters. Committed builds
	# (CI, releases, hotfixes) are checked.
	case $kit_ver in
	*+dirty*)
		notags=(--suppress-tags package-has-long-file-name)
		step "a +dirty build: package-has-long-file-name is not checked (commit, and it is)"
		;;
	esac
	run_lintian "$changes" "$work/lintian.txt" "distro/debian/provider/PACKAGE.lintian-overrides" "${notags[@]}"

	step "storing the result"
	if [ "$how" = compiled ]; then
		rm -rf "$bcache.new"
		mkdir -p "$bcache.new"
		tar -cf "$bcache.new/tree.tar" -C "$work" "$(basename "$srcdir")"
		cp "$work/BACKPORTS" "$bcache.new/"
		provider_inputs >"$bcache.new/inputs"
		stamp "$bcache"
		prune "$pkgcache/provider-build" "$target-*" 2
	fi
	touch "$bcache"
	store "$work" "$pcache"
	cp "$work/lintian.txt" "$work/BACKPORTS" "$pcache.new/"
	cp "$blog" "$pcache.new/build.log"
	{
		echo "kind=$kind"
		echo "target=$target"
		echo "suite=$suite"
		echo "source=rdma-core $src_ver"
		echo "distro=rdma-core $distro_ver"
		echo "kit=$kit_ver"
		echo "version=$kit_deb"
		echo "packages=$(for f in "$work"/*.deb; do f=$(basename "$f"); echo "${f%%_*}"; done | xargs)"
		echo "provider=/usr/lib/$arch/libibverbs/libsfab-rdmav$pabi.so"
		echo "pabi=IBVERBS_PRIVATE_$pabi"
		echo "depends=$depends"
		echo "for=$libibverbs_for"
		echo "lintian=$lint"
		sed 's/^/backport=/' "$work/BACKPORTS"
		echo "key=$pkey"
		echo "compile=$phash ($how)"
		echo "built=$(date -u +%FT%TZ) in $(($(date +%s) - started))s"
	} >"$pcache.new/info"
	stamp "$pcache"
	rm -rf "$work"
	# Keep the three newest snapshot builds of this target; the builds of
	# releases and hotfixes (no "~dev" in their version) are kept, for the
	# upgrade scenario and the hotfix validation of every run.
	find "$pkgcache/rdma-core" -mindepth 1 -maxdepth 1 -type d -name "$target-[0-9]*~dev*" -printf '%T@ %p\n' |
		sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
}

if [ -f "$pcache/.sfab-complete" ]; then
	step "ibverbs-provider-sfab $kit_deb: cached ($pkey)"
	cache_note reused provider-package "$pkey"
else
	lock "$pcache"
	if [ -f "$pcache/.sfab-complete" ]; then
		step "ibverbs-provider-sfab $kit_deb: built meanwhile ($pkey)"
		cache_note reused provider-package "$pkey"
	else
		rm -rf "$pcache" "$pcache.new"
		need_lintian
		provider_build
		cache_note built provider-package "$pkey"
	fi
	flock -u 7
fi

# --- out/pkg/TARGET/rdma-core ------------------------------------------------

rm -rf "$dest.new"
mkdir -p "$dest.new"
cp -a "$pcache/." "$dest.new/"
if [ "$kind" = vendor ]; then
	cp "$vcache"/*.deb "$dest.new/"
	cp "$vcache"/*.ddeb "$dest.new/" 2>/dev/null || true
	cp "$vcache/lintian.txt" "$dest.new/lintian-vendor.txt"
	cp "$vcache/BACKPORTS" "$dest.new/BACKPORTS-vendor"
	cp "$vcache/build.log" "$dest.new/build-vendor.log"
	sed 's/^/vendor_/' "$vcache/info" >>"$dest.new/info"
fi
rm -f "$dest.new/.sfab-complete"
rm -rf "$dest"
mv "$dest.new" "$dest"

log "[$target] rdma-core packages ($kind, $(($(date +%s) - started))s):"
for f in "$dest"/*.deb; do
	printf '    %s  Depends: %s\n' "$(basename "$f")" "$(dpkg-deb -f "$f" Depends)"
done | sed 's/  Depends: $//' >&2
sed -n 's/^\(depends\|lintian\|vendor_version\|vendor_inputs\|vendor_lintian\|compile\)=/    \1: /p' "$dest/info" >&2
log "[$target] in $dest"
