# shellcheck shell=bash
# Shared helpers for the kit's scripts. Source it; do not run it.
#
# Conventions:
#   SFAB_CACHE   downloads, chroots, kernel trees (outside the work tree)
#   out/logs/    full log of every step, per target
#   out/results/ one file per (target, step): "status seconds detail"

SFAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SFAB_CACHE=${SFAB_CACHE:-/var/cache/sfab}
SFAB_OUT=${SFAB_OUT:-$SFAB_TOP/out}
SFAB_MIRROR=${SFAB_MIRROR:-http://deb.debian.org/debian}
SFAB_SECURITY_MIRROR=${SFAB_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
export SFAB_TOP SFAB_CACHE SFAB_OUT

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# die MESSAGE: stop this script with a message that says what to do.
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "$1 needs root (chroots, mounts and package installs); run it as root"
}

need_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "tool '$t' is missing; run 'make deps' to install the kit's tools"
	done
}

# --- the target matrix (ci/targets) ---------------------------------------

targets_all() { awk '!/^#/ && NF { print $1 }' "$SFAB_TOP/ci/targets"; }

# target_field NAME FIELD: FIELD is suite, series, tree, rdmacore or
# rdmacore-src.
target_field() {
	local col
	case $2 in
	suite) col=2 ;; series) col=3 ;; tree) col=4 ;; rdmacore) col=5 ;;
	rdmacore-src) col=6 ;;
	*) die "target_field: unknown field '$2'" ;;
	esac
	awk -v n="$1" -v c="$col" '!/^#/ && $1 == n { print $c; found = 1 }
		END { exit !found }' "$SFAB_TOP/ci/targets" ||
		die "unknown target '$1'; the targets are: $(targets_all | tr '\n' ' ')"
}

# targets_selected: $TARGETS (space separated) or every target.
targets_selected() {
	local t
	if [ -n "${TARGETS:-}" ]; then
		for t in $TARGETS; do
			target_field "$t" suite >/dev/null
			echo "$t"
		done
	else
		targets_all
	fi
}

# --- the kit's own apt root (never the machine's sources) ----------------

SFAB_APT=$SFAB_CACHE/apt

SFAB_APT_OPTS=(
	-o Dir::Etc::SourceList="$SFAB_APT/sources.list"
	-o Dir::Etc::SourceParts="$SFAB_APT/sources.list.d"
	-o Dir::State::Lists="$SFAB_APT/lists"
	-o Dir::State::Status="$SFAB_APT/status"
	-o Dir::Cache="$SFAB_APT/cache"
	-o Dir::Etc::Preferences="$SFAB_APT/preferences"
	-o Dir::Etc::PreferencesParts="$SFAB_APT/preferences.d"
	-o APT::Architecture=amd64
	# The registry is a snapshot: its Release files may be past Valid-Until.
	-o Acquire::Check-Valid-Until=false
)

apt_kit() { apt-get -q "${SFAB_APT_OPTS[@]}" "$@"; }
apt_cache_kit() { apt-cache "${SFAB_APT_OPTS[@]}" "$@"; }

# --- caches ----------------------------------------------------------------

# Every cached thing (chroots, trees, images, packages, generated source,
# object directories) lives under $SFAB_CACHE in a directory named by a
# hash of its real inputs, is written under a temporary name and marked
# complete (.sfab-complete) only when whole, so a half-written entry is
# seen and rebuilt. Each script says what it did with cache_note, and the
# step's result carries it into the summary.

# cache_note built|reused WHAT KEY: one line on stderr, "cache: reused
# chroot sid-7.2.13-1-ab12cd34", collected by run_step.
cache_note() { printf 'cache: %s %s %s\n' "$1" "$2" "$3" >&2; }

# --- steps: timing, logs and results ---------------------------------------

result_file() { echo "$SFAB_OUT/results/$1/$2"; }
log_file() { echo "$SFAB_OUT/logs/$1/$2.log"; }

# record TARGET STEP STATUS SECONDS [DETAIL]
record() {
	mkdir -p "$SFAB_OUT/results/$1"
	printf '%s %s %s\n' "$3" "$4" "${5:-}" >"$(result_file "$1" "$2")"
}

# run_step TARGET STEP HINT COMMAND...: runs COMMAND with its output in the
# step's log, prints one line with the time taken, records the result and,
# on failure, shows the log's tail and HINT (what to do). A step that
# records its own result (with a more precise detail) keeps it. Returns
# COMMAND's status so callers can go on with other targets.
run_step() {
	local target=$1 step=$2 hint=$3 lf start rc secs own why caches
	shift 3
	lf=$(log_file "$target" "$step")
	own=$(result_file "$target" "$step")
	mkdir -p "$(dirname "$lf")"
	rm -f "$own"
	start=$(date +%s)
	log "[$target] $step ..."
	rc=0
	"$@" >"$lf" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	# What the step built and what it reused from the cache, by key.
	caches=$(sed -n 's/^cache: \(built\|reused\) \([^ ]*\) \(.*\)/\1 \2 \3/p' "$lf" |
		awk '!seen[$0]++' | paste -sd';' | sed 's/;/; /g')
	if [ "$rc" -eq 0 ]; then
		log "[$target] $step ok (${secs}s)${caches:+; $caches}"
		if grep -q '^pass ' "$own" 2>/dev/null; then
			record "$target" "$step" pass "$secs" "$(cut -d' ' -f3- "$own")${caches:+; cache: $caches}"
		else
			record "$target" "$step" pass "$secs" "${caches:+cache: $caches}"
		fi
	else
		log "[$target] $step FAILED (${secs}s, exit $rc); last lines of $lf:"
		tail -n 25 "$lf" | sed 's/^/    | /' >&2
		log "[$target] $step: $hint"
		if grep -q '^fail ' "$own" 2>/dev/null; then
			record "$target" "$step" fail "$secs" "$(cut -d' ' -f3- "$own") ($hint)"
		else
			# The summary names the cause: the last error the step said.
			why=$(grep '^error: ' "$lf" | tail -n 1 | cut -c8- | cut -c1-300)
			record "$target" "$step" fail "$secs" "${why:+$why; }$hint"
		fi
	fi
	return "$rc"
}

# --- chroots ---------------------------------------------------------------

# chroot_dir TARGET: the completed chroot of TARGET, or fail with a hint.
chroot_dir() {
	local link=$SFAB_CACHE/chroots/$1.current dir
	dir=$(readlink -f "$link" 2>/dev/null) || true
	if [ -z "$dir" ] || [ ! -f "$dir/.sfab-complete" ]; then
		die "no complete chroot for target '$1'; run 'make chroots TARGETS=$1'"
	fi
	echo "$dir"
}

# in_chroot TARGET COMMAND...: run COMMAND inside the target's chroot with a
# clean environment, in private mount and pid namespaces with their own
# /proc (objtool and others need it), so nothing stays mounted afterwards.
in_chroot() {
	local dir
	dir=$(chroot_dir "$1")
	shift
	unshare --mount --pid --fork --mount-proc="$dir/proc" \
		chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 TERM=dumb "$@"
}

# in_root DIR COMMAND...: like in_chroot, for any root directory (an
# image being built), with DEBIAN_FRONTEND=noninteractive.
in_root() {
	local dir=$1
	shift
	unshare --mount --pid --fork --mount-proc="$dir/proc" \
		chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}

# debootstrap_root DIR SUITE LOG: a minbase DIR of SUITE from the
# registry with its apt sources (deb and deb-src of SUITE), no daemon
# started by package scripts, and the registry's old Release files
# accepted. Fails with a hint; LOG keeps debootstrap's output.
debootstrap_root() {
	local dir=$1 suite=$2 lf=$3
	debootstrap --variant=minbase --arch=amd64 "$suite" "$dir" "$SFAB_MIRROR" >"$lf" 2>&1 || {
		tail -n 20 "$lf" >&2
		die "debootstrap of '$suite' from $SFAB_MIRROR failed (log: $lf); check that the registry serves the suite"
	}
	printf 'deb %s %s main\ndeb-src %s %s main\n' "$SFAB_MIRROR" "$suite" "$SFAB_MIRROR" "$suite" \
		>"$dir/etc/apt/sources.list"
	# The registry is a snapshot: its Release files may be past Valid-Until.
	echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99snapshot-registry"
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod +x "$dir/usr/sbin/policy-rc.d"
}

# chroot_lock TARGET: hold (until the caller exits) the lock on the work
# directories a build or package step uses inside TARGET's chroot
# (/tmp/sfab-*): this build's steps and a release's own scripts
# (distro/release-packages.sh) use the same paths there.
chroot_lock() {
	hold_lock 5 "$SFAB_CACHE/chroots/.$1.work.lock" "[$1] another build is using the chroot"
}

# hold_lock FD FILE WHO: hold FILE's lock on descriptor FD (until the
# caller exits or closes FD), making FILE's directory if need be; if
# another run holds it, say "WHO; waiting for it" and wait.
hold_lock() {
	mkdir -p "$(dirname "$2")"
	eval "exec $1>\"\$2\""
	if ! flock -n "$1"; then
		log "$3; waiting for it"
		flock "$1"
	fi
}

# chroot_kernel TARGET: the kernel release (uname -r) the chroot builds for.
chroot_kernel() { cat "$(chroot_dir "$1")/.sfab-kernel"; }

# --- the in-tree tree: upstream/linux laid onto the kernel.org base ------

# intree_prepare: sets INTREE_SRC (a hard-linked copy of the pristine
# kernel.org tree named by ci/upstream-base with upstream/linux copied
# over it) and INTREE_OBJ (its persistent O= build directory, configured
# from ci/intree.config). The pristine tree is never written.
intree_prepare() {
	local base tree work opt want sc mine
	base=$(cat "$SFAB_TOP/ci/upstream-base")
	# One object directory: where the series check (ci/series-check.sh)
	# has just built the tree its last patch gives, and that tree is
	# upstream/linux as it is here, intree, sparse and coccicheck build in
	# that tree and its object directory (holding the series check's
	# lock) instead of building the whole kernel again.
	sc=$SFAB_CACHE/work/series-check-linux-$base
	if [ -f "$sc/.sfab-final" ]; then
		mkdir -p "$SFAB_CACHE/work"
		exec 6>"$SFAB_CACHE/work/.series-check-linux.lock"
		flock 6
		mine=$( (cd "$SFAB_TOP/upstream/linux" && find . -type f -printf '%P\n') | files_hash "$SFAB_TOP/upstream/linux")
		if [ "$(cat "$sc/.sfab-final" 2>/dev/null)" = "$mine" ] && [ -f "$sc/obj/vmlinux" ] &&
			grep -qx 'CONFIG_RDMA_SFAB=m' "$sc/obj/.config"; then
			INTREE_SRC=$sc/src
			INTREE_OBJ=$sc/obj
			cache_note reused kernel-obj "series-check-linux-$base/$mine"
			export INTREE_SRC INTREE_OBJ
			return 0
		fi
		exec 6>&-
	fi
	tree=$("$SFAB_TOP/ci/kernel-tree.sh" "$base")
	work=$SFAB_CACHE/work/intree-$base
	INTREE_SRC=$work/src
	INTREE_OBJ=$work/obj
	rm -rf "$INTREE_SRC"
	mkdir -p "$work" "$INTREE_OBJ"
	cp -al "$tree" "$INTREE_SRC"
	rm -f "$INTREE_SRC/.sfab-complete"
	# --remove-destination: never write through a hard link into the
	# pristine tree.
	cp -r --remove-destination "$SFAB_TOP/upstream/linux/." "$INTREE_SRC/"

	want=$(sha256sum <"$SFAB_TOP/ci/intree.config" | cut -c1-16)
	if [ "$(cat "$INTREE_OBJ/.sfab-config" 2>/dev/null)" != "$want" ]; then
		log "configuring the in-tree build of v$base (allnoconfig + ci/intree.config)"
		make -s -C "$INTREE_SRC" O="$INTREE_OBJ" allnoconfig >/dev/null
		grep '^CONFIG_' "$SFAB_TOP/ci/intree.config" >>"$INTREE_OBJ/.config"
		make -s -C "$INTREE_SRC" O="$INTREE_OBJ" olddefconfig >/dev/null
		while read -r opt; do
			grep -qx "$opt" "$INTREE_OBJ/.config" ||
				die "in-tree config: $opt did not stick (a dependency is missing); fix ci/intree.config"
		done < <(grep '^CONFIG_' "$SFAB_TOP/ci/intree.config")
		echo "$want" >"$INTREE_OBJ/.sfab-config"
	fi
	export INTREE_SRC INTREE_OBJ
}

# files_hash DIR: a hash of the files of DIR whose paths (relative to
# DIR) come on stdin: what makes two trees' copies of them the same.
files_hash() {
	local f
	LC_ALL=C sort | while IFS= read -r f; do
		printf '%s %s\n' "$f" "$(sha256sum <"$1/$f" | cut -c1-64)"
	done | sha256sum | cut -c1-16
}

# intree_make ARGS...: make in the in-tree tree with its O= directory.
intree_make() { kernel_make "$INTREE_SRC" "$INTREE_OBJ" "$@"; }

# kernel_make SRC OBJ ARGS...: make ARGS in the kernel.org tree SRC with
# the object directory OBJ, compiling through ccache (its cache in
# $SFAB_CACHE/ccache, keyed by what it compiles): the series check builds
# the same files patch after patch and run after run, and intree, sparse
# and coccicheck share its object directory, so all of them call the
# compiler the same way.
kernel_make() {
	local src=$1 obj=$2
	shift 2
	CCACHE_DIR=$SFAB_CACHE/ccache CCACHE_MAXSIZE=4G CCACHE_NOHASHDIR=1 \
		make -C "$src" O="$obj" -j"$(nproc)" CC="ccache gcc" "$@"
}

# --- rdma-core sources ------------------------------------------------------

# rdma_core_tree VERSION: path of the cached, extracted rdma-core source
# (the registry's orig tarball; $target names the caller's target).
rdma_core_tree() {
	local ver=$1 debver dl tree
	tree=$SFAB_CACHE/src/rdma-core-$ver
	mkdir -p "$SFAB_CACHE/src"
	exec 8>"$SFAB_CACHE/src/.rdma-core-$ver.lock"
	flock 8
	if [ ! -f "$tree/.sfab-complete" ]; then
		"$SFAB_TOP/ci/apt-root.sh"
		debver=$(apt_cache_kit showsrc rdma-core | sed -n "s/^Version: \\($ver-.*\\)/\\1/p" | sort -V | tail -n 1)
		[ -n "$debver" ] || die "[$target] the registry has no rdma-core $ver source; fix ci/targets"
		dl=$SFAB_CACHE/dl/rdma-core/$debver
		mkdir -p "$dl"
		if ! ls "$dl"/rdma-core_"$ver".orig.tar.* >/dev/null 2>&1; then
			log "[$target] downloading rdma-core $debver source"
			# The registry lacks some .dsc files; the tarball is what counts.
			(cd "$dl" && apt_kit source --download-only --only-source "rdma-core=$debver" >/dev/null 2>&1) || true
		fi
		ls "$dl"/rdma-core_"$ver".orig.tar.* >/dev/null 2>&1 ||
			die "[$target] the registry does not serve rdma-core_$ver.orig.tar; pick a served version in ci/targets"
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		tar -xf "$dl"/rdma-core_"$ver".orig.tar.* -C "$tree.tmp" --strip-components=1
		date -u +%FT%TZ >"$tree.tmp/.sfab-complete"
		mv "$tree.tmp" "$tree"
	fi
	exec 8>&-
	echo "$tree"
}

# --- releases and hotfixes (distro/releases, hotfix/) ----------------------

# release_commit VERSION: the commit distro/releases records for release
# VERSION (x.y.z), or fail. SFAB_CUTTING="VERSION COMMIT" is the release
# ci/cut-release.sh is building, recorded only once it is built.
release_commit() {
	local c cut=${SFAB_CUTTING:-}
	c=$(awk -v v="$1" '!/^#/ && $1 == v { print $2 }' "$SFAB_TOP/distro/releases")
	if [ -z "$c" ] && [ -n "$cut" ] && [ "${cut%% *}" = "$1" ]; then c=${cut#* }; fi
	[ -n "$c" ] || die "no release '$1' in distro/releases (releases: $(awk '!/^#/ && NF { printf "%s ", $1 }' "$SFAB_TOP/distro/releases"))"
	git -C "$SFAB_TOP" cat-file -e "$c^{commit}" 2>/dev/null ||
		die "release $1 names commit $c, which this clone does not have (a shallow clone?); fetch the history"
	echo "$c"
}

# hotfix_patches RELEASE [TARGET [LEVEL]]: the patch files of
# hotfix/RELEASE/series, in order: the first LEVEL of them (default: all),
# and with TARGET only those whose Targets: header names it or "all"
# (TARGET "all", the target-independent artifacts: every patch).
hotfix_patches() {
	local dir=$SFAB_TOP/hotfix/$1 p targets n=0
	[ -f "$dir/series" ] || return 0
	while read -r p; do
		case $p in '#'* | '') continue ;; esac
		n=$((n + 1))
		[ -z "${3:-}" ] || [ "$n" -le "$3" ] || break
		[ -f "$dir/$p" ] || die "hotfix/$1/series names $p, which is not in hotfix/$1/"
		if [ -n "${2:-}" ] && [ "$2" != all ]; then
			targets=$(hotfix_header "$dir/$p" Targets)
			case " $targets " in *" all "* | *" $2 "*) ;; *) continue ;; esac
		fi
		echo "$dir/$p"
	done <"$dir/series"
}

# hotfix_header PATCH NAME: the value of the trailer NAME: in PATCH's
# message (before its "---" line), one line per occurrence.
hotfix_header() { sed -n "/^---\$/q; s/^$2: *//p" "$1"; }

# hotfix_level RELEASE: how many patches hotfix/RELEASE/series carries (K
# of the hotfix version RELEASE+hfK); 0 for none.
hotfix_level() { hotfix_patches "$1" | wc -l; }

# hotfix_version RELEASE: the newest hotfix version of RELEASE
# (RELEASE+hfK), or nothing if its queue is empty.
hotfix_version() {
	local k
	k=$(hotfix_level "$1")
	[ "$k" -eq 0 ] || echo "$1+hf$k"
}

# hotfix_releases: the releases that have a hotfix queue, oldest first.
hotfix_releases() {
	local d
	for d in "$SFAB_TOP"/hotfix/*/series; do
		[ -f "$d" ] || continue
		d=${d%/series}
		basename "$d"
	done | sort -V
}

# release_tree VERSION TARGET DIR: DIR becomes the kit's tree of VERSION
# for TARGET: release x.y.z is its commit's files (git archive); hotfix
# x.y.z+hfK adds the first K patches of hotfix/x.y.z/series that apply to
# TARGET. Its scripts need SFAB_VERSION=VERSION (no git metadata).
release_tree() {
	local ver=$1 target=$2 dir=$3 rel=${1%%+hf*} level='' commit p
	case $ver in *+hf*) level=${ver##*+hf} ;; esac
	commit=$(release_commit "$rel")
	rm -rf "$dir"
	mkdir -p "$dir"
	git -C "$SFAB_TOP" archive "$commit" | tar -x -C "$dir" ||
		die "cannot export release $rel ($commit) into $dir"
	[ -z "$level" ] || [ "$level" -le "$(hotfix_level "$rel")" ] ||
		die "$ver: hotfix/$rel/series has only $(hotfix_level "$rel") patches"
	[ -z "$level" ] && return 0
	for p in $(hotfix_patches "$rel" "$target" "$level"); do
		(cd "$dir" && git apply -p1 "$p") ||
			die "hotfix/$rel/$(basename "$p") does not apply to release $rel (and the patches before it); refresh it with hotfix/new.sh"
	done
}

# diff_changes: the lines the diff (or patch mail) on stdin adds and
# removes, per file: "F path", then its "+" and "-" lines in order.
# Headers, context and the mail's message are left out (hunks are read
# by their line counts).
diff_changes() {
	awk '
		/^diff --git / { f = $NF; sub(/^b\//, "", f); print "F " f; old = new = 0; next }
		old > 0 || new > 0 {
			c = substr($0, 1, 1)
			if (c == " " || c == "") { old--; new--; next }
			if (c == "-") { old--; print; next }
			if (c == "+") { new--; print; next }
			next
		}
		/^@@ / {
			split($2, o, ","); split($3, n, ",")
			old = (2 in o) ? o[2] : 1; new = (2 in n) ? n[2] : 1
		}'
}
