#!/usr/bin/env bash
# usage: ci/series-check.sh [linux|rdma-core]...
# Checks the exported upstream series (make upstream-series) patch by
# patch, both by default (make series-check):
# - b4 imports series.mbox (b4 am, the local mbox, no network) and git am
#   applies what b4 wrote onto a fresh branch of the pristine tree;
# - each patch has a subject of ci/series/PROJECT/subjects, and the
#   Signed-off-by of its author and of the submitter (git config);
# - linux: after each patch the whole tree builds (O= object directory
#   under $SFAB_CACHE/work; ci/intree.config plus ci/series/linux/
#   build.config). Before the Kconfig hookup, each sfab .c there compiles
#   alone as an object with W=1 and sparse (C=2), with no warning (a
#   scratch Kbuild, single-object targets: no module is linked); from the
#   hookup on, sfab.ko is built and make M=drivers/infiniband/sw/sfab
#   W=1, then C=2, give no warning. After the last patch the tree is the
#   pristine tree plus upstream/linux at HEAD, byte for byte, and every
#   file the series adds has a maintainer in MAINTAINERS (checkpatch's
#   FILE_PATH_CHANGES question, which ci/checkpatch.sh leaves to this
#   check);
# - rdma-core: after each patch rdma-core builds with cmake and ninja in
#   the newest target's chroot, with no compiler warning in
#   providers/sfab; after the last one providers/sfab is
#   upstream/rdma-core's at HEAD; the series has no vendor-only part:
#   with its kernel headers, backports/rdma-core-prepare.sh needs no
#   backport for this rdma-core (BACKPORTS comes out empty).
# checkpatch --strict of each patch is ci/checkpatch.sh's (make
# checkpatch), not repeated here. Any failure names the patch and what
# broke, with the log. Logs: out/series-check/PROJECT/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$SFAB_TOP/ci/series-lib.sh"

# fail_patch PATCH WHAT [LOG]: stop, naming the patch.
fail_patch() { die "patch $(patch_name "$1"): $2${3:+ (log: $3)}"; }

# check_cover: the cover letter has its template's subject and body.
check_cover() {
	local c
	c=$(series_out "$project")/0000-cover-letter.patch
	[ -f "$c" ] || die "the $project series has no cover letter; run 'make upstream-series'"
	if grep -n '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*\|@[A-Z_]*@' "$c"; then
		die "patch 0000 (cover letter): placeholders left (above); see ci/series/$project/cover-letter"
	fi
}

# check_rules PATCH: the subject's form and the sign-offs.
check_rules() {
	local p=$1 subject author
	subject=$(patch_subject "$p")
	subject_allowed "$project" "$subject" ||
		fail_patch "$p" "the subject has none of the forms ci/series/$project/subjects allows ($(grep -v '^#' "$SERIES_DATA/$project/subjects" | grep -v '^$' | paste -sd ' ' -)); reword it"
	grep -qxF "Signed-off-by: $identity" "$p" ||
		fail_patch "$p" "no 'Signed-off-by: $identity' (the submitter, from git config)"
	author=$(awk '/^From: / { s = substr($0, 7); getline n; while (n ~ /^[ \t]/) { sub(/^[ \t]+/, " ", n); s = s n; getline n } print s; exit }' "$p")
	grep -qxF "Signed-off-by: $author" "$p" ||
		fail_patch "$p" "its author ($author) has not signed it off"
}

# unfold_mbox IN OUT: header lines unfolded. b4 0.12 (Debian bookworm)
# under Python 3.11 stops with "Header values may not contain linefeed"
# on any folded header, and git format-patch folds From:, Subject: and
# Cc:; unfolding changes no header's value (RFC 5322, 2.2.3).
unfold_mbox() {
	awk '/^From [0-9a-f]+ Mon Sep 17 00:00:00 2001$/ { hdr = 1; print; next }
		hdr && /^$/ { hdr = 0 }
		hdr && /^[ \t]/ { sub(/^[ \t]+/, " "); line = line $0; next }
		hdr { if (line != "") print line; line = $0; next }
		{ if (line != "") { print line; line = "" } print }
		END { if (line != "") print line }' "$1" >"$2"
}

# import_series: the series into a fresh branch of the pristine tree;
# sets commits (one per patch, in order).
import_series() {
	local mbox b4dir=$logs/b4 n i next
	mbox=$(series_out "$project")/series.mbox
	rm -rf "$b4dir"
	mkdir -p "$b4dir"
	unfold_mbox "$mbox" "$b4dir/unfolded.mbox"
	# b4 reads git config (user, b4.*): from the scratch tree.
	if (cd "$src" && b4 --offline-mode am -m "$b4dir/unfolded.mbox" -o "$b4dir") >"$b4dir/b4.log" 2>&1 &&
		mbox=$(ls "$b4dir"/*.mbx 2>/dev/null) && [ -n "$mbox" ]; then
		log "[$project] b4 am imported the series ($(grep -c '^  \[PATCH' "$b4dir/b4.log") patches, log: $b4dir/b4.log)"
	else
		die "b4 am cannot import $(series_out "$project")/series.mbox (log: $b4dir/b4.log)"
	fi
	series_git "$src" am -q "$mbox" >"$logs/am.log" 2>&1 || {
		next=$(cat "$src/.git/rebase-apply/next" 2>/dev/null || echo 1)
		fail_patch "${patches[next - 1]}" "does not apply with git am on the pristine $project $version tree" "$logs/am.log"
	}
	mapfile -t commits < <(git -C "$src" rev-list --reverse "$pristine_sha..HEAD")
	n=${#patches[@]}
	[ "${#commits[@]}" -eq "$n" ] ||
		die "b4 and git am made ${#commits[@]} commits of the $n patches of the $project series (log: $b4dir/b4.log)"
	for i in "${!patches[@]}"; do
		[ "$(git -C "$src" log -1 --format=%s "${commits[i]}")" = "$(patch_subject "${patches[i]}")" ] ||
			fail_patch "${patches[i]}" "b4 and git am made commit $((i + 1)) with another subject: \"$(git -C "$src" log -1 --format=%s "${commits[i]}")\""
	done
}

# --- linux ------------------------------------------------------------------

kmake() { kernel_make "$src" "$obj" "$@"; }

# sfab_hooked: the tree's Kconfig sources sfab's.
sfab_hooked() { grep -q '^source "drivers/infiniband/sw/sfab/Kconfig"' "$src/drivers/infiniband/Kconfig"; }

# kernel_config: the options of the series build: ci/intree.config and
# ci/series/linux/build.config (which says why).
kernel_config() { grep -h '^CONFIG_' "$SFAB_TOP/ci/intree.config" "$SERIES_DATA/linux/build.config"; }

# configure_kernel: the object directory's .config from kernel_config
# (made once; RDMA_SFAB=m only sticks once Kconfig knows it).
configure_kernel() {
	local want
	want=$(kernel_config | sha256sum | cut -c1-16)
	if [ "$(cat "$obj/.sfab-config" 2>/dev/null)" != "$want" ]; then
		log "[linux] configuring the series build of v$version (allnoconfig, ci/intree.config, ci/series/linux/build.config)"
		mkdir -p "$obj"
		{
			kmake -s allnoconfig
			kernel_config >>"$obj/.config"
			kmake -s olddefconfig
		} >"$logs/config.log" 2>&1 || die "configuring the series build failed (log: $logs/config.log)"
		echo "$want" >"$obj/.sfab-config"
	fi
}

# sync_config PATCH: once sfab's Kconfig is there, every option of
# kernel_config (RDMA_SFAB=m too) is in .config; before, all others are.
sync_config() {
	local p=$1 opt
	if sfab_hooked && ! grep -qx 'CONFIG_RDMA_SFAB=m' "$obj/.config"; then
		kernel_config >>"$obj/.config"
		kmake -s olddefconfig >>"$logs/config.log" 2>&1 ||
			fail_patch "$p" "make olddefconfig fails" "$logs/config.log"
	fi
	while read -r opt; do
		if ! sfab_hooked && [ "${opt%%=*}" = CONFIG_RDMA_SFAB ]; then
			continue
		fi
		grep -qx "$opt" "$obj/.config" ||
			fail_patch "$p" "$opt (ci/intree.config, ci/series/linux/build.config) does not stick in the tree's Kconfig"
	done < <(kernel_config)
}

# new_dirs: the directories the series adds (drivers/infiniband/sw/sfab),
# whose objects are removed before each build: an object whose source a
# patch does not (yet) have must not be taken from an earlier run.
new_dirs() {
	git -C "$src" diff --name-only --diff-filter=A "$pristine_sha" "${commits[-1]}" |
		while IFS= read -r f; do dirname "$f"; done | sort -u |
		while IFS= read -r d; do [ -d "$pristine/$d" ] || echo "$d"; done
}

# build_tree PATCH LOG: the whole tree builds.
build_tree() {
	local d
	for d in "${added_dirs[@]}"; do rm -rf "${obj:?}/$d"; done
	kmake >"$2" 2>&1 || {
		tail -n 30 "$2"
		if [ "$1" = base ]; then
			die "the pristine v$version tree does not build with ci/intree.config (log: $2)"
		fi
		fail_patch "$1" "the tree does not build after it" "$2"
	}
}

# no_warnings PATCH LOG WHAT: LOG has no compiler or sparse warning.
no_warnings() {
	if grep -E 'warning:|error:' "$2"; then
		fail_patch "$1" "$3 has warnings (above)" "$2"
	fi
}

# w1_in_effect PATCH CMDFILE LOG: the object was compiled with W=1's
# flags (-Wextra is W=1's own).
w1_in_effect() {
	grep -q -- '-Wextra' "$2" 2>/dev/null ||
		fail_patch "$1" "W=1 did not take effect ($2 has no -Wextra)" "$3"
}

# objects_alone PATCH LOG: before the hookup, each sfab .c so far
# compiles alone, W=1 and C=2, in a scratch copy with its own Kbuild.
objects_alone() {
	local p=$1 lf=$2 ext=$work/objects f objs=()
	rm -rf "$ext"
	mkdir -p "$ext"
	for f in "$src/$sfab"/*; do
		[ -f "$f" ] || continue
		cp "$f" "$ext/"
		case $f in *.c) objs+=("$(basename "${f%.c}").o") ;; esac
	done
	if [ "${#objs[@]}" -eq 0 ]; then
		echo "no sfab .c file yet" >"$lf"
		detail="no sfab .c yet"
		return
	fi
	# Single objects: nothing is linked, modpost never sees a half driver.
	# -I$(src): sfab_trace.h names itself by TRACE_INCLUDE_PATH ".".
	# shellcheck disable=SC2016 # make's $(src)
	printf '%s\n' '# scratch: each object alone (ci/series-check.sh)' 'ccflags-y := -I$(src)' >"$ext/Kbuild"
	kmake M="$ext" W=1 C=2 CHECK="$checker" "${objs[@]}" >"$lf" 2>&1 || {
		grep -m 5 'error:' "$lf" || tail -n 10 "$lf"
		fail_patch "$p" "an sfab object does not compile alone (${objs[*]})" "$lf"
	}
	[ "$(grep -c '^  CHECK ' "$lf")" -eq "${#objs[@]}" ] ||
		fail_patch "$p" "sparse did not check every object (${objs[*]})" "$lf"
	no_warnings "$p" "$lf" "compiling ${objs[*]} alone (W=1, C=2)"
	for f in "${objs[@]}"; do w1_in_effect "$p" "$ext/.$f.cmd" "$lf"; done
	detail="alone with W=1 and sparse: ${objs[*]}"
}

# module_builds PATCH LOG: from the hookup on, sfab.ko and M= W=1, C=2.
module_builds() {
	local p=$1 lf=$2
	[ -f "$obj/$sfab/sfab.ko" ] ||
		fail_patch "$p" "RDMA_SFAB=m but the tree built no $sfab/sfab.ko (is it in drivers/infiniband/sw/Makefile?)" "$lf"
	{
		kmake M="$sfab" clean
		echo "== make M=$sfab W=1"
		kmake M="$sfab" W=1 modules
	} >"$lf" 2>&1 || {
		grep -m 5 'error:' "$lf" || tail -n 10 "$lf"
		fail_patch "$p" "make M=$sfab W=1 fails" "$lf"
	}
	no_warnings "$p" "$lf" "make M=$sfab W=1"
	w1_in_effect "$p" "$obj/$sfab/.sfab_main.o.cmd" "$lf"
	kmake M="$sfab" W=1 C=2 CHECK="$checker" modules >"$lf.sparse" 2>&1 ||
		fail_patch "$p" "make M=$sfab C=2 fails" "$lf.sparse"
	grep -q '^  CHECK ' "$lf.sparse" || fail_patch "$p" "sparse checked no file" "$lf.sparse"
	no_warnings "$p" "$lf.sparse" "sparse (make M=$sfab C=2)"
	detail="sfab.ko; M=$sfab W=1 and sparse: $(grep -c '^  CHECK ' "$lf.sparse") files"
}

# reproduces_upstream PATCH: the tree after the last patch is the
# pristine tree plus upstream/linux at HEAD, and nothing else.
reproduces_upstream() {
	local p=$1 f r differ=() stray
	while IFS= read -r f; do
		r=${f#upstream/linux/}
		git -C "$SFAB_TOP" cat-file blob "HEAD:$f" | cmp -s - "$src/$r" || differ+=("$r")
	done < <(git -C "$SFAB_TOP" ls-tree -r --name-only HEAD -- upstream/linux)
	[ "${#differ[@]}" -eq 0 ] ||
		fail_patch "$p" "after the last patch these files differ from upstream/linux at HEAD: ${differ[*]}; the series must reproduce upstream/linux (commit, then 'make upstream-series')"
	stray=$(git -C "$src" diff --name-only "$pristine_sha" HEAD | while IFS= read -r r; do
		git -C "$SFAB_TOP" cat-file -e "HEAD:upstream/linux/$r" 2>/dev/null || echo "$r"
	done)
	[ -z "$stray" ] ||
		fail_patch "$p" "the series changes files that upstream/linux does not have: $(echo "$stray" | tr '\n' ' ')"
}

# maintained PATCH: every file the series adds has one of the maintainers
# the series adds to MAINTAINERS.
maintained() {
	local p=$1 f m
	m=$(git -C "$src" diff "$pristine_sha" HEAD -- MAINTAINERS | sed -n 's/^+M:[[:space:]]*//p')
	[ -n "$m" ] || fail_patch "$p" "the series adds files but no maintainer (M:) to MAINTAINERS"
	while IFS= read -r f; do
		(cd "$src" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats \
			--no-r --no-l -f "$f") | grep -qxF -f <(echo "$m") ||
			fail_patch "$p" "$f, which the series adds, has no maintainer from the series' MAINTAINERS entry (get_maintainer.pl -f $f); cover it with an F: line"
	done < <(git -C "$src" diff --name-only --diff-filter=A "$pristine_sha" HEAD)
}

check_linux() {
	local i p lf start stamp
	sfab=drivers/infiniband/sw/sfab
	work=$SFAB_CACHE/work/series-check-linux-$version
	src=$work/src
	obj=$work/obj
	checker=$("$SFAB_TOP/ci/sparse.sh" --tool "$pristine")
	rm -f "$work/.sfab-final"
	scratch_tree "$repo" "$src"
	import_series
	mapfile -t added_dirs < <(new_dirs)
	git -C "$src" checkout -q --detach "$pristine_sha"
	configure_kernel
	# The pristine tree is built once per object directory, so that a tree
	# that does not build is not taken for a patch's fault; later runs go
	# straight to patch 1 (the stamp names the tree and the options).
	stamp="$pristine_sha $(cat "$obj/.sfab-config")"
	if [ "$(cat "$obj/.sfab-base-built" 2>/dev/null)" != "$stamp" ]; then
		start=$(date +%s)
		log "[linux] building the pristine v$version tree once (minutes)"
		build_tree base "$logs/0000-base.build.log"
		echo "$stamp" >"$obj/.sfab-base-built"
		log "[linux] the pristine tree builds ($(($(date +%s) - start))s)"
	fi
	for i in "${!patches[@]}"; do
		p=${patches[i]}
		lf=$logs/$(basename "$p" .patch)
		start=$(date +%s)
		check_rules "$p"
		git -C "$src" checkout -q --detach "${commits[i]}"
		sync_config "$p"
		build_tree "$p" "$lf.build.log"
		if sfab_hooked; then
			module_builds "$p" "$lf.module.log"
		else
			objects_alone "$p" "$lf.objects.log"
		fi
		log "[linux] patch $(patch_name "$p"): applies, tree builds; $detail; no warning ($(($(date +%s) - start))s)"
	done
	sfab_hooked || fail_patch "$p" "after the last patch sfab is still not in drivers/infiniband/Kconfig"
	reproduces_upstream "$p"
	maintained "$p"
	# The tree is upstream/linux at HEAD on the pristine base, built in
	# $obj: intree, sparse and coccicheck reuse both (intree_prepare).
	git -C "$SFAB_TOP" ls-tree -r --name-only HEAD -- upstream/linux | sed 's|^upstream/linux/||' |
		files_hash "$src" >"$work/.sfab-final"
}

# --- rdma-core --------------------------------------------------------------

# rc_build PATCH LOG: rdma-core builds in the chroot, providers/sfab
# recompiled, with no warning there.
rc_build() {
	local p=$1 lf=$2
	# Recompile the provider every time, so its warnings show.
	detail="no providers/sfab yet"
	[ ! -d "$src/providers/sfab" ] || touch "$src"/providers/sfab/*.c
	# shellcheck disable=SC2016 # $1 expands in the chroot's sh
	in_chroot "$target" sh -c 'mkdir -p "$1/build" && cd "$1/build" &&
		{ [ -f build.ninja ] || cmake -GNinja -DNO_MAN_PAGES=1 -DNO_PYVERBS=1 \
			-DPYTHON_EXECUTABLE=/usr/bin/python3 ../src; } && ninja -v' sh "$cwork" >"$lf" 2>&1 || {
		tail -n 30 "$lf"
		fail_patch "$p" "rdma-core $version does not build after it (cmake, ninja in the $target chroot)" "$lf"
	}
	if awk '/providers\/sfab\// { s = 1 } s && /warning:|error:/ { print; bad = 1 } /^\[[0-9]+\/[0-9]+\]/ { s = 0 } END { exit !bad }' "$lf"; then
		fail_patch "$p" "providers/sfab has compiler warnings (above)" "$lf"
	fi
	if [ -d "$src/providers/sfab" ]; then
		ls "$build"/lib/libsfab-rdmav*.so >/dev/null 2>&1 ||
			fail_patch "$p" "the build made no libsfab" "$lf"
		detail="libsfab built"
	fi
}

# headers_patch_names_kernel PATCH: "To commit: ?? (\"SUBJECT\")." names a
# patch of the kernel series.
headers_patch_names_kernel() {
	local p=$1 s
	s=$(awk '/^To commit: / { t = 1 } t { s = s (s ? " " : "") $0 } t && /\)\.$/ { print s; exit }' "$p" |
		sed -n 's/^To commit: [^ ]* ("\(.*\)")\.$/\1/p')
	[ -n "$s" ] || fail_patch "$p" "no 'To commit: ?? (\"SUBJECT\").' line, as kernel-headers/update writes"
	grep -qxF "$s" < <(for m in "$SERIES_DATA"/linux/[0-9][0-9]-*.msg; do msg_subject "$m"; done) ||
		fail_patch "$p" "it names the kernel commit \"$s\", which is no patch of the kernel series"
}

# no_vendor_part LASTPATCH: the series carries no vendor-only part.
no_vendor_part() {
	local p=$1 i prep=$work/prepare
	if grep -n '0x5fab' "${patches[@]}"; then
		fail_patch "$p" "the series has the out-of-tree driver id (above): vendor-only"
	fi
	for i in "${!patches[@]}"; do
		[ "$(patch_subject "${patches[i]}")" = "Update kernel headers" ] || continue
		rm -rf "$prep"
		mkdir -p "$prep"
		git -C "$src" archive "${commits[i]}" | tar -x -C "$prep"
		"$SFAB_TOP/backports/rdma-core-prepare.sh" "$prep" >"$logs/prepare.log" 2>&1 ||
			fail_patch "${patches[i]}" "backports/rdma-core-prepare.sh fails on rdma-core $version with it" "$logs/prepare.log"
		[ ! -s "$prep/BACKPORTS" ] ||
			fail_patch "${patches[i]}" "with these kernel headers rdma-core $version still needs vendor-only parts: $(tr '\n' ';' <"$prep/BACKPORTS")"
		log "[rdma-core] backports/rdma-core-prepare.sh on rdma-core $version with the series' kernel headers: BACKPORTS empty (no vendor-only part)"
		return
	done
	fail_patch "$p" "the series has no \"Update kernel headers\" patch: rdma-core lacks RDMA_DRIVER_SFAB and rdma/sfab-abi.h"
}

# provider_is_upstream PATCH: providers/sfab is upstream/rdma-core's, and
# the uAPI headers the kernel series adds are in kernel-headers/rdma as
# upstream/linux has them.
provider_is_upstream() {
	local p=$1 d f r ktree
	ktree=$(series_pristine_tree linux)
	while IFS= read -r f; do
		r=${f#upstream/linux/include/uapi/rdma/}
		[ ! -f "$ktree/include/uapi/rdma/$r" ] || continue
		git -C "$SFAB_TOP" cat-file blob "HEAD:$f" | cmp -s - "$src/kernel-headers/rdma/$r" ||
			fail_patch "$p" "after the last patch kernel-headers/rdma/$r is not upstream/linux's include/uapi/rdma/$r at HEAD"
	done < <(git -C "$SFAB_TOP" ls-tree -r --name-only HEAD -- upstream/linux/include/uapi/rdma/)
	d=$(mktemp -d)
	git -C "$SFAB_TOP" archive HEAD upstream/rdma-core/providers | tar -x -C "$d"
	diff -r "$d/upstream/rdma-core/providers/sfab" "$src/providers/sfab" >"$logs/provider.diff" || {
		rm -rf "$d"
		fail_patch "$p" "after the last patch providers/sfab differs from upstream/rdma-core at HEAD; commit, then 'make upstream-series'" "$logs/provider.diff"
	}
	rm -rf "$d"
}

check_rdma_core() {
	local i p lf start root
	target=$(targets_all | tail -n 1)
	root=$(chroot_dir "$target")
	cwork=/tmp/sfab-series-rdma-core-$version
	work=$root$cwork
	src=$work/src
	build=$work/build
	rm -f "$work/.sfab-final"
	scratch_tree "$repo" "$src"
	import_series
	for i in "${!patches[@]}"; do
		p=${patches[i]}
		lf=$logs/$(basename "$p" .patch).build.log
		start=$(date +%s)
		check_rules "$p"
		if [ "$(patch_subject "$p")" = "Update kernel headers" ]; then
			headers_patch_names_kernel "$p"
		fi
		git -C "$src" checkout -q --detach "${commits[i]}"
		rc_build "$p" "$lf"
		log "[rdma-core] patch $(patch_name "$p"): applies, rdma-core builds; $detail; no warning in providers/sfab ($(($(date +%s) - start))s)"
	done
	provider_is_upstream "$p"
	no_vendor_part "$p"
}

# inputs_key PROJECT: a hash of everything the check of PROJECT reads:
# the exported series, the pristine tree (version and commit), the
# kit's scripts and series data as they are in the work tree (ci/,
# backports/), the parts of upstream/ at HEAD it compares with (linux:
# upstream/linux; rdma-core: upstream/rdma-core and the kernel's uAPI
# headers), the submitter, the host's compiler and b4, and the chroot
# (rdma-core) or sparse (linux) it builds with.
inputs_key() {
	{
		echo "$1 $version $pristine_sha $identity"
		(cd "$(series_out "$1")" && find . -type f -printf '%P\n') | files_hash "$(series_out "$1")"
		(cd "$SFAB_TOP" && find ci backports -type f) | files_hash "$SFAB_TOP"
		gcc -dumpfullversion
		b4 --version
		if [ "$1" = rdma-core ]; then
			git -C "$SFAB_TOP" rev-parse HEAD:upstream/rdma-core HEAD:upstream/linux/include/uapi/rdma
			c=$(chroot_dir "$(targets_all | tail -n 1)")
			echo "$c"
			cat "$c/.sfab-complete"
		else
			git -C "$SFAB_TOP" rev-parse HEAD:upstream/linux
			"$SFAB_TOP/ci/sparse.sh" --tool "$pristine"
		fi
	} 2>&1 | sha256sum | cut -c1-16
}

series_select "ci/series-check.sh [linux|rdma-core]..." "$@"
set -- "${projects[@]}"
need_tool b4 git perl
identity=$(series_identity)
mkdir -p "$SFAB_CACHE/work"
for project in "$@"; do
	t0=$(date +%s)
	# The scratch tree and object directory are shared by every clone of
	# the kit on this machine: one check at a time.
	exec 6>"$SFAB_CACHE/work/.series-check-$project.lock"
	flock 6
	series_require_current "$project"
	mapfile -t patches < <(series_patches "$project")
	[ "${#patches[@]}" -gt 0 ] || die "the exported $project series has no patch; run 'make upstream-series'"
	version=$(series_version "$project")
	pristine=$(series_pristine_tree "$project")
	repo=$(pristine_repo "$project" "$version" "$pristine")
	pristine_sha=$(pristine_commit "$repo")
	logs=$SFAB_OUT/series-check/$project
	rm -rf "$logs"
	mkdir -p "$logs"
	check_cover
	# The check is a function of its inputs: a pass with the same
	# inputs stands (SFAB_SERIES_RECHECK=1 runs it all the same).
	key=$(inputs_key "$project")
	passed=$SFAB_CACHE/work/series-check-$project.passed
	if [ -z "${SFAB_SERIES_RECHECK:-}" ] && [ "$(cat "$passed" 2>/dev/null)" = "$key" ]; then
		log "[$project] series check: these inputs (key $key) passed it before; not run again (SFAB_SERIES_RECHECK=1 runs it)"
		cache_note reused series-check-pass "$project/$key"
		continue
	fi
	rm -f "$passed"
	"check_${project//-/_}"
	echo "$key" >"$passed"
	cache_note built series-check-pass "$project/$key"
	log "[$project] series check: ${#patches[@]} patches apply (b4 am, git am) and build one by one, no warning ($(($(date +%s) - t0))s)"
done
