#!/usr/bin/env bash
# usage: validation/image.sh TARGET [base]
# Builds (or reuses) TARGET's package-validation image: a customer's
# machine of TARGET's suite (debootstrap, validation/image-packages: its
# kernel, headers, initramfs-tools, rdma-core and the RDMA clients) with
# the kit's packages for TARGET (out/pkg/TARGET/: sfab-dkms, sfab-diag and
# the provider, or on vendor targets the kit's rdma-core set) installed
# with apt, so that DKMS builds sfab.ko with the suite's compiler for its
# kernel. Then the checks a customer's install must pass (DKMS built and
# installed the module with the kit version for every kernel; the
# provider and versions are in place) and an ext4 disk image of it.
# validation/image-scenarios names the targets whose image is made by a
# kernel upgrade (DKMS must rebuild on its own) or by a package upgrade
# from the previous release, through its newest hotfix if it has one
# (release -> hotfix -> this build, each installed with apt).
# Cache: $SFAB_CACHE/images/base/ (the suite's root, by suite, kernel
# version and package list), $SFAB_CACHE/images/TARGET/earlier-KEY (a
# package upgrade's earlier builds installed on the base, an overlay
# layer, by base and their packages) and $SFAB_CACHE/images/TARGET/ (the
# image, by base and the packages' checksums; the three used last are
# kept). The roots are overlays on those layers: nothing is copied. An
# image whose checksums do not match is corrupt and is rebuilt. Prints
# the image directory. With "base", only the base root is built (it needs
# no package).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../ci/lib.sh
. "$here/../ci/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: validation/image.sh TARGET [base]"; fi
target=$1
suite=$(target_field "$target" suite)
need_root "validation/image.sh"
# The image's roots are overlays (overlay_root) mounted in a mount
# namespace of this script's own: they go with it, however it ends.
if [ -z "${SFAB_IMAGE_NS:-}" ]; then
	SFAB_IMAGE_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
need_tool debootstrap mke2fs sha256sum
old_kernel=$(awk -v t="$target" '!/^#/ && $1 == t && $2 == "kernel-upgrade" { print $3 }' "$here/image-scenarios")
upgrade=$(awk -v t="$target" '!/^#/ && $1 == t && $2 == "package-upgrade" { print ($3 == "hotfix" ? "hotfix" : "release") }' "$here/image-scenarios")

"$SFAB_TOP/ci/apt-root.sh"
kimg=$(apt_cache_kit madison linux-image-amd64 |
	awk -F' *[|] *' -v s="$suite/main" 'index($3, " " s " ") && !n++ { print $2 }')
[ -n "$kimg" ] || die "[$target] suite '$suite' serves no linux-image-amd64"
pkgs=$(grep -v '^#' "$here/image-packages" | xargs)
[ -z "$old_kernel" ] || pkgs+=" linux-image-$old_kernel linux-headers-$old_kernel"
# Raise when what goes into a base root changes in a way the inputs below
# do not show.
layout=1
base_key=$suite-$kimg-$(printf '%s\n' "$layout" "$pkgs" | sha256sum | cut -c1-8)
images=$SFAB_CACHE/images
base=$images/base/$base_key

# build_base: debootstrap and the suite's packages. For an older kernel
# ABI, the current one must not come in through linux-image-amd64 yet.
build_base() {
	local tmp=$base.tmp want
	rm -rf "$tmp"
	mkdir -p "$images/base"
	log "[$target] image base: debootstrap $suite"
	debootstrap_root "$tmp" "$suite" "$tmp.log"
	rm -f "$tmp.log"
	want=$pkgs
	if [ -n "$old_kernel" ]; then
		want=$(echo " $pkgs " | sed 's/ linux-image-amd64 / /; s/ linux-headers-amd64 / /')
	fi
	log "[$target] image base: installing$want"
	# shellcheck disable=SC2086 # a package list
	in_root "$tmp" sh -c "apt-get -q update && apt-get -q install -y --no-install-recommends $want && apt-get clean" \
		>"$tmp.log" 2>&1 || {
		tail -n 20 "$tmp.log" >&2
		die "[$target] installing the image's packages failed (log: $tmp.log)"
	}
	rm -f "$tmp.log"
	printf 'suite=%s\nkernel-package=%s\npackages=%s\ndate=%s\n' "$suite" "$kimg" "$pkgs" \
		"$(date -u +%FT%TZ)" >"$tmp/.sfab-complete"
	mv "$tmp" "$base"
	find "$images/base" -maxdepth 1 -name "$suite-*" ! -name "$base_key" -exec rm -rf {} +
}

# This build's image and a hotfix's (hotfix/validate.sh) may be made at
# once: one builds the base, the other waits for it.
mkdir -p "$images/base"
exec 7>"$images/base/.$suite.lock"
flock 7
if [ -f "$base/.sfab-complete" ]; then
	log "[$target] image base $base_key is cached"
	cache_note reused image-base "$base_key"
else
	[ ! -e "$base" ] || log "[$target] image base $base_key is incomplete; rebuilding it"
	rm -rf "$base"
	build_base
	cache_note built image-base "$base_key"
fi
exec 7>&-
[ "${2:-}" != base ] || exit 0

pkgdir=$SFAB_OUT/pkg/$target
debs=()
for d in "$pkgdir"/sfab/*.deb "$pkgdir"/rdma-core/*.deb; do
	[ -f "$d" ] && debs+=("$d")
done
ls "$pkgdir"/sfab/sfab-dkms_*.deb >/dev/null 2>&1 ||
	die "[$target] no sfab-dkms package in $pkgdir/sfab; run 'make' (or distro/deb.sh $target) first"
ls "$pkgdir"/rdma-core/*.deb >/dev/null 2>&1 ||
	die "[$target] no provider packages in $pkgdir/rdma-core; run 'make' (or distro/rdma-core-deb.sh $target) first"
version=$(dpkg-deb -f "$(ls "$pkgdir"/sfab/sfab-dkms_*.deb)" Version)
kitver=${version%-*}

key=$(
	{
		echo "$base_key $old_kernel $upgrade"
		[ -z "$upgrade" ] || cat "$SFAB_TOP/distro/releases" "$SFAB_TOP"/hotfix/*/series "$SFAB_TOP"/hotfix/*/*.patch 2>/dev/null
		sha256sum "${debs[@]}" | cut -d' ' -f1
		cat "$0" "$here/guest/image-init"
	} | sha256sum | cut -c1-12
)
dir=$images/$target/$key

# verify: the cached image is complete and its files are what was built.
verify() {
	[ -f "$dir/.sfab-complete" ] && (cd "$dir" && sha256sum --quiet -c SHA256SUMS) >/dev/null 2>&1
}
if verify; then
	log "[$target] image $key is cached ($kitver)"
	cache_note reused image "$target/$key"
	touch "$dir"
	echo "$dir"
	exit 0
fi
if [ -e "$dir" ]; then
	log "[$target] image $key is incomplete or corrupt (checksums do not match); rebuilding it"
fi
rm -rf "$dir"
start=$(date +%s)
work=$images/$target/work-$key
rm -rf "$work"
mkdir -p "$work"
ilog=$work/install.log

# overlay_root LOWER DIR: mount an overlay of LOWER (overlayfs lowerdir:
# layers, top first) at DIR/root, its writes in DIR/upper; r is its root.
# Nothing is copied: the base and the cached layers stay as they are.
overlay_root() {
	mkdir -p "$2/upper" "$2/ovl-work" "$2/root"
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/ovl-work" "$2/root" ||
		die "[$target] cannot mount an overlay of $1 at $2/root (overlayfs: is it in the host kernel?)"
	r=$2/root
	rm -f "$r/.sfab-complete"
}

# in_image COMMAND...: run in the image's root; output to the install log.
in_image() { in_root "$r" "$@" >>"$ilog" 2>&1; }

# module_versions: "kernel version" of every sfab.ko DKMS installed.
module_versions() {
	local ko
	for ko in $(find "$r/lib/modules/" -path '*/updates/*' -name 'sfab.ko*' | sort); do
		echo "$(echo "${ko#"$r"/lib/modules/}" | cut -d/ -f1) $(in_root "$r" modinfo -F version "${ko#"$r"}")"
	done
}

# kit_repo DEB...: the image's apt source "sfab-kit", a local repository
# holding DEB..., as a customer adds the kit's repository.
kit_repo() {
	local d=$r/var/tmp/sfab-repo
	rm -rf "$d"
	mkdir -p "$d"
	cp "$@" "$d/"
	(cd "$d" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null) ||
		die "[$target] dpkg-scanpackages failed on the kit's packages"
	echo "deb [trusted=yes] file:/var/tmp/sfab-repo ./" >"$r/etc/apt/sources.list.d/sfab-kit.list"
	in_image apt-get -q update || die "[$target] apt-get update with the kit's repository failed (log: $ilog)"
}

# install_kit WHAT: what a customer runs: install the kit's packages
# (ibverbs-provider-sfab brings, on vendor targets, the vendor rdma-core
# set's libibverbs1), and upgrade, which moves the rest of the set along.
install_kit() {
	log "[$target] image $key: apt-get install sfab-dkms sfab-diag ibverbs-provider-sfab; apt-get upgrade ($1)"
	if ! in_image apt-get -q install -y --no-install-recommends sfab-dkms sfab-diag ibverbs-provider-sfab ||
		! in_image apt-get -q upgrade -y; then
		tail -n 30 "$ilog" >&2
		die "[$target] installing $1 with apt failed (log: $ilog)"
	fi
}

# install_earlier WHAT DIR CHECKS: an earlier build's packages (DIR: a
# distro/release-packages.sh result) installed with apt, or upgraded to:
# sfab.ko is then that version's, for every kernel. Its check goes to
# CHECKS, its version (without the Debian revision) to CHECKS.earlier.
install_earlier() {
	local prev mods
	prev=$(awk -F'\t' '$1 == "sfab-dkms" { print $2 }' "$2/manifest")
	kit_repo "$2"/*.deb
	install_kit "$1 $prev"
	mods=$(module_versions)
	echo "package upgrade: $1 $prev installed: $(echo "$mods" | tr '\n' ' ')" >>"$3"
	if [ -z "$mods" ] || [ -n "$(awk -v v="${prev%-*}" '$2 != v' <<<"$mods")" ]; then
		die "[$target] $1 $prev did not install its own sfab.ko for every kernel: $(echo "$mods" | tr '\n' ' ')"
	fi
	echo "${prev%-*}" >>"$3.earlier"
}

# The upgrade scenario's earlier builds, oldest first ("WHAT|DIR").
stages=()
if [ "$upgrade" = hotfix ]; then
	# From the previous release's newest hotfix alone: the packages the
	# hotfix stage of make check builds anyway.
	prevrel=$("$SFAB_TOP/distro/previous.sh" --version "$target" "$kitver")
	hf=
	[ -z "$prevrel" ] || hf=$(hotfix_version "$prevrel")
	if [ -n "$hf" ] && dpkg --compare-versions "$hf" lt "$kitver"; then
		stages+=("the previous release's hotfix|$("$SFAB_TOP/distro/release-packages.sh" "$hf" "$target")")
	else
		log "[$target] image $key: no hotfix of a release before $kitver; no package upgrade to exercise"
		echo "package upgrade: no earlier hotfix" >>"$work/checks"
	fi
elif [ -n "$upgrade" ]; then
	read -r prevrel prevdir < <("$SFAB_TOP/distro/previous.sh" "$target" "$kitver") || true
	if [ -z "${prevdir:-}" ]; then
		log "[$target] image $key: no release before $kitver in distro/releases; no package upgrade to exercise"
		echo "package upgrade: no earlier release" >>"$work/checks"
	else
		stages+=("the previous release|$prevdir")
		hf=$(hotfix_version "$prevrel")
		if [ -n "$hf" ] && dpkg --compare-versions "$hf" lt "$kitver"; then
			stages+=("its hotfix|$("$SFAB_TOP/distro/release-packages.sh" "$hf" "$target")")
		fi
	fi
fi

# The earlier builds installed on the base are a layer of their own,
# cached by its inputs (the base, each build's packages, this script):
# what this build is upgraded from does not change with this build.
# A layer without its completion stamp is rebuilt.
lower=$base earlier=()
if [ "${#stages[@]}" -gt 0 ]; then
	prekey=$(
		{
			echo "$base_key"
			for s in "${stages[@]}"; do
				echo "${s%%|*}"
				sha256sum "${s#*|}"/*.deb | cut -d' ' -f1
			done
			cat "$0"
		} | sha256sum | cut -c1-12
	)
	pre=$images/$target/earlier-$prekey
	hold_lock 8 "$images/$target/.earlier.lock" "[$target] another image build is making the earlier builds' layer"
	if [ -f "$pre/.sfab-complete" ]; then
		log "[$target] image $key: the earlier builds' layer $prekey is cached"
		cache_note reused image-earlier "$target/$prekey"
		touch "$pre"
	else
		rm -rf "$pre" "$pre.tmp"
		mkdir -p "$pre.tmp"
		overlay_root "$base" "$pre.tmp"
		for s in "${stages[@]}"; do
			install_earlier "${s%%|*}" "${s#*|}" "$pre.tmp/checks"
		done
		umount "$r"
		rm -rf "$pre.tmp/root" "$pre.tmp/ovl-work"
		date -u +%FT%TZ >"$pre.tmp/.sfab-complete"
		mv "$pre.tmp" "$pre"
		cache_note built image-earlier "$target/$prekey"
	fi
	exec 8>&-
	find "$images/$target" -mindepth 1 -maxdepth 1 -name 'earlier-*' ! -name "earlier-$prekey" -mtime +7 \
		-exec rm -rf {} +
	cat "$pre/checks" >>"$work/checks"
	mapfile -t earlier <"$pre/checks.earlier"
	lower=$pre/upper:$base
fi
overlay_root "$lower" "$work"

kit_repo "${debs[@]}"
# Bad input 1: a missing dependency is the package manager's to report.
if ! in_root "$r" dpkg-query -W dkms >/dev/null 2>&1; then
	out=$(in_root "$r" sh -c 'dpkg -i /var/tmp/sfab-repo/sfab-dkms_*.deb' 2>&1) &&
		die "[$target] dpkg -i sfab-dkms without dkms installed succeeded; its Depends are wrong"
	echo "$out" | grep -q "sfab-dkms depends on dkms" ||
		die "[$target] dpkg -i sfab-dkms without dkms did not report the missing dependency: $out"
	in_image dpkg -r sfab-dkms
	echo "missing dependency: dpkg says: $(echo "$out" | grep -m 1 'depends on dkms' | sed 's/^ *//')" >>"$work/checks"
fi
install_kit "$version"
if [ -n "$old_kernel" ]; then
	log "[$target] image $key: kernel upgrade from $old_kernel to the suite's current kernel"
	in_image apt-get -q install -y --no-install-recommends linux-image-amd64 linux-headers-amd64 || {
		tail -n 30 "$ilog" >&2
		die "[$target] installing the suite's current kernel failed (log: $ilog)"
	}
fi
rm -rf "$r/var/tmp/sfab-repo" "$r/etc/apt/sources.list.d/sfab-kit.list"
in_image apt-get -q update
in_image apt-get clean

# What a customer's install must give: for every installed kernel, DKMS
# built and installed sfab with the kit's version, and modinfo says so.
kernels=$(find "$r/lib/modules" -mindepth 1 -maxdepth 1 -name '*-amd64' -printf '%f\n' | sort -V)
current=$(echo "$kernels" | tail -n 1)
for k in $kernels; do
	ko=$(find "$r/lib/modules/$k/updates" -name 'sfab.ko*' 2>/dev/null | head -n 1)
	[ -n "$ko" ] || die "[$target] DKMS did not install sfab.ko for kernel $k (log: $ilog; dkms status: $(in_root "$r" dkms status 2>&1 | tr '\n' ';'))"
	mv=$(in_root "$r" modinfo -F version "${ko#"$r"}")
	[ "$mv" = "$kitver" ] || die "[$target] sfab.ko for $k has version '$mv', the packages $kitver"
	echo "kernel $k: ${ko#"$r"} version $mv" >>"$work/checks"
done
# Bad input 2: a kernel outside the supported range is refused by DKMS
# with its BUILD_EXCLUSIVE message, before anything compiles. The
# registry serves no such kernel: its build tree is a stand-in with just
# a Makefile and a .config.
for k in 5.4.0-99-amd64 7.3.0-1-amd64; do
	mkdir -p "$r/usr/src/fake-headers-$k"
	echo 'all:' >"$r/usr/src/fake-headers-$k/Makefile"
	printf 'CONFIG_INFINIBAND=m\nCONFIG_NET_UDP_TUNNEL=m\n' >"$r/usr/src/fake-headers-$k/.config"
	mkdir -p "$r/lib/modules/$k"
	ln -sfn "/usr/src/fake-headers-$k" "$r/lib/modules/$k/build"
	rc=0
	out=$(in_root "$r" dkms build -m sfab -v "$kitver" -k "$k" 2>&1) || rc=$?
	rm -rf "$r/usr/src/fake-headers-$k" "$r/lib/modules/$k" "$r/var/lib/dkms/sfab/kernel-$k-"*
	[ "$rc" -ne 0 ] || die "[$target] dkms build for kernel $k (outside 5.10-7.2) succeeded"
	echo "$out" | grep -q BUILD_EXCLUSIVE ||
		die "[$target] dkms build for kernel $k did not refuse with its BUILD_EXCLUSIVE message: $out"
	! echo "$out" | grep -qiE 'error:|\.c:[0-9]+' ||
		die "[$target] dkms build for kernel $k compiled something: $out"
	echo "kernel $k outside the range: dkms exit $rc: $(echo "$out" | grep -m 1 BUILD_EXCLUSIVE | sed 's/^ *//')" >>"$work/checks"
done

if [ "${#earlier[@]}" -gt 0 ]; then
	left=$(module_versions | awk -v v="$kitver" '$2 != v')
	[ -z "$left" ] || die "[$target] after the upgrade, sfab.ko of another version remains: $left"
	for v in "${earlier[@]}"; do
		[ ! -e "$r/usr/src/sfab-$v" ] || die "[$target] the upgrade left /usr/src/sfab-$v behind"
	done
	echo "package upgrade: ${earlier[*]} -> $kitver by apt, each one's module and source gone" >>"$work/checks"
fi
[ -z "$old_kernel" ] || [ "$current" != "$old_kernel" ] ||
	die "[$target] the kernel upgrade did not install a newer kernel than $old_kernel"
in_root "$r" dkms status >>"$work/checks" 2>&1
for c in dkms diag provider; do
	v=$(cat "$r/usr/share/sfab/versions/$c" 2>/dev/null) ||
		die "[$target] no /usr/share/sfab/versions/$c in the image: a kit package is missing it"
	[ "$v" = "$kitver" ] || die "[$target] /usr/share/sfab/versions/$c says $v, not $kitver"
done
[ -f "$r/etc/libibverbs.d/sfab.driver" ] || die "[$target] no /etc/libibverbs.d/sfab.driver after the install"
ls "$r"/usr/lib/x86_64-linux-gnu/libibverbs/libsfab-rdmav*.so >/dev/null 2>&1 ||
	die "[$target] no libsfab provider in /usr/lib/x86_64-linux-gnu/libibverbs after the install"
# shellcheck disable=SC2016 # a dpkg-query format
in_root "$r" dpkg-query -W -f '${Package} ${Version}\n' >"$work/packages"

# The guest's init: mounts the kit's guest scripts (virtio-9p, tag
# sfabvm) and runs them; the suites use what the packages installed.
mkdir -p "$r/usr/lib/sfab-vm/payload"
install -m 755 "$here/guest/image-init" "$r/usr/lib/sfab-vm/image-init"
ln -sfn payload/bin "$r/usr/lib/sfab-vm/bin"
ln -sfn ../lib/sfab-vm/payload/share "$r/usr/share/sfab-vm"

mkdir -p "$work/image"
for k in $kernels; do
	for f in "vmlinuz-$k" "initrd.img-$k"; do
		[ -f "$r/boot/$f" ] || die "[$target] the image has no /boot/$f (did the kernel's initramfs hook run? log: $ilog)"
		cp "$r/boot/$f" "$work/image/"
	done
done
size=$(($(du -sm "$r" | cut -f1) + 1024))
log "[$target] image $key: ext4 image of ${size} MiB"
mke2fs -q -t ext4 -L sfabroot -d "$r" "$work/image/root.img" "${size}M" >&2 ||
	die "[$target] mke2fs of the image failed"

# Purge: the image itself is made; now its root shows that removing the
# kit leaves nothing of it behind, and on vendor targets that the
# distro's own rdma-core packages come back.
log "[$target] image $key: purge check"
ours=$(awk '$1 ~ /^(sfab-dkms|sfab-diag|ibverbs-provider-sfab)$/ { print $1 }' "$work/packages" | xargs)
# shellcheck disable=SC2086 # a package list
in_image apt-get -q purge -y $ours || die "[$target] apt-get purge $ours failed (log: $ilog)"
vendor=$(awk '$2 ~ /~sfab/ { print $1 }' "$work/packages" | xargs)
if [ -n "$vendor" ]; then
	back=
	for p in $vendor; do
		v=$(in_root "$r" apt-cache madison "$p" | awk -F' *[|] *' '$2 !~ /~sfab/ && /Packages/ { print $2; exit }')
		[ -n "$v" ] || die "[$target] the suite has no $p to go back to from the kit's rdma-core"
		back+=" $p=$v"
	done
	log "[$target] image $key: back to the distro's rdma-core:$back"
	# shellcheck disable=SC2086 # a package list
	in_image apt-get -q install -y --allow-downgrades --no-install-recommends $back ||
		die "[$target] going back to the distro's rdma-core failed (log: $ilog)"
	# shellcheck disable=SC2016 # a dpkg-query format
	# shellcheck disable=SC2086 # a package list
	left=$(in_root "$r" dpkg-query -W -f '${Package} ${Version}\n' $vendor | awk '$2 ~ /~sfab/')
	[ -z "$left" ] || die "[$target] still the kit's after going back: $left"
	# sfab.driver is ibverbs-provider-sfab's conffile, gone with its
	# purge. The old layout (releases before the set had its own
	# revision, such as the hotfix images of 0.1.0) had it in the set's
	# ibverbs-providers: dpkg keeps a conffile that the older package no
	# longer has and marks it obsolete, and the way back removes it by
	# hand (distro/debian/rdma-core/README.md).
	if [ -e "$r/etc/libibverbs.d/sfab.driver" ]; then
		# shellcheck disable=SC2016 # a dpkg-query format
		in_root "$r" dpkg-query -W -f '${Conffiles}\n' ibverbs-providers | grep -q 'sfab.driver .* obsolete' ||
			die "[$target] /etc/libibverbs.d/sfab.driver is left and dpkg does not mark it an obsolete conffile of ibverbs-providers"
		rm "$r/etc/libibverbs.d/sfab.driver"
	fi
	echo "purge: back to the distro's rdma-core:$back" >>"$work/checks"
fi
left=$(find "$r" -xdev \( -path "$r/proc" -o -path "$r/usr/lib/sfab-vm" -o -path "$r/usr/share/sfab-vm" \) -prune -o \
	\( -name '*sfab*' -o -name 'sfab' \) -print | sed "s|^$r||")
[ -z "$left" ] || die "[$target] purging $ours left files of ours behind: $(echo "$left" | tr '\n' ' ')"
echo "purge: $ours removed, no file of ours left" >>"$work/checks"
cp "$work/checks" "$work/packages" "$work/image/"
printf 'target=%s\nsuite=%s\nkit=%s\nkernels=%s\nboot=%s\nold-kernel=%s\n' "$target" "$suite" "$kitver" \
	"$(echo "$kernels" | tr '\n' ' ')" "$current" "$old_kernel" >"$work/image/info"
(cd "$work/image" && sha256sum root.img vmlinuz-* initrd.img-* info >SHA256SUMS)
date -u +%FT%TZ >"$work/image/.sfab-complete"
mv "$work/image" "$dir"
umount "$r"
rm -rf "$work"
# Keep the three images of this target used last (this build's, the
# hotfix's and one more); a work directory a day old is a build that died.
find "$images/$target" -mindepth 2 -maxdepth 2 -name .sfab-complete -printf '%h\n' |
	while read -r d; do echo "$(stat -c %Y "$d") $d"; done | sort -rn | tail -n +4 |
	cut -d' ' -f2- | xargs -r rm -rf
find "$images/$target" -mindepth 1 -maxdepth 1 -name 'work-*' -mmin +1440 -exec rm -rf {} +
cache_note built image "$target/$key"
log "[$target] image $key ready in $(($(date +%s) - start))s: kernels $(echo "$kernels" | tr '\n' ' ')(boots $current), sfab $kitver"
echo "$dir"
