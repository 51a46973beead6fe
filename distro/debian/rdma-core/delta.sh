# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # variables set and used by the caller
# The kit's delta to Debian's rdma-core packaging for the vendor set:
# the functions distro/rdma-core-deb.sh applies to Debian's debian/ (it
# sources this file). Every file of this directory but README.md and
# REVISION is an input of the vendor set: a change here changes its
# inputs hash, and the build then asks for a new revision in REVISION.
# Uses from the caller: $target, $suite, $root, $srcdir, $debian_tar,
# $blog, $here (this directory), die, in_chroot.

# How the vendor set is built (dpkg-buildpackage's environment).
VENDOR_BUILD_OPTIONS="nocheck parallel=2"

# suite_version PACKAGE: PACKAGE's version in the target's suite (the
# chroot's apt candidate), or nothing.
suite_version() {
	{ in_chroot "$target" apt-cache policy "$1" || true; } |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
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
		die "[$target] $2: no change in ${1#"$srcdir"/}; rdma-core or its Debian packaging is not what the kit's delta (distro/debian/rdma-core/delta.sh) expects: update the edit"
}

# adapt WHAT: record a mechanical adaptation of Debian's packaging.
adapt() { echo "packaging: $*" >>"$srcdir/BACKPORTS"; }

# vendor_debian: Debian's debian/ for the source version, its patches
# applied, then the kit's delta (maintainer, the conffile libsfab's
# ibverbs-providers had) and what the older suite needs to build and
# install it. No kit version, no provider: those are
# ibverbs-provider-sfab's.
# shellcheck disable=SC2016 # perl expressions, expanded by perl
vendor_debian() {
	local d=$srcdir/debian pkg old need have f t64
	: >"$srcdir/BACKPORTS"
	tar -xf "$debian_tar" -C "$srcdir"
	dpkg-source --before-build "$srcdir" >>"$blog" 2>&1 ||
		die "[$target] Debian's patches do not apply to rdma-core (log: $blog)"

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
			die "[$target] $suite has dpkg-dev $have, but rdma-core's t64 packaging needs $need"
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
	# The kit's additions, after Debian's: lintian overrides (each with
	# its reason) and maintscript lines.
	for f in "$here"/*.lintian-overrides "$here"/*.maintscript; do
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
	adapt "systemd units and udev files under /lib, as in $suite's rdma-core $T_DISTRO_VERSION: $suite's dh_installsystemd knows only /lib/systemd/system"
}

# vendor_changelog: the kit's entry, with the adaptations, on top.
vendor_changelog() {
	local d=$srcdir/debian
	local line
	T_BACKPORTS=$(while read -r line; do
		echo "Backport: $line" | fold -s -w 72 | sed 's/ *$//; 1s/^/  * /; 2,$s/^/    /'
	done <"$srcdir/BACKPORTS")
	export T_BACKPORTS
	fill "$here/changelog.in" >"$d/changelog.new"
	echo >>"$d/changelog.new"
	cat "$d/changelog" >>"$d/changelog.new"
	mv "$d/changelog.new" "$d/changelog"
}
