# shellcheck shell=bash
# Helpers of the upstream series scripts (ci/upstream-series.sh,
# ci/series-check.sh, ci/checkpatch.sh). Source it after ci/lib.sh; do
# not run it. The data are in ci/series/ (ci/series/README.md).
#
# Projects: "linux" (the kernel series, against the kernel.org tree named
# by ci/upstream-base) and "rdma-core" (the provider's series, against the
# rdma-core source of the newest target in ci/targets).

SERIES_DATA=$SFAB_TOP/ci/series

series_projects() { printf '%s\n' linux rdma-core; }

# series_check_project PROJECT: dies unless PROJECT is one of the projects.
series_check_project() {
	case $1 in
	linux | rdma-core) ;;
	*) die "unknown series '$1'; the series are: $(series_projects | tr '\n' ' ')" ;;
	esac
}

# series_select USAGE [PROJECT...]: sets $projects to the PROJECTs asked
# for (all when none), each checked; -h or --help dies with USAGE.
series_select() {
	local usage=$1 p
	shift
	projects=("$@")
	[ ${#projects[@]} -gt 0 ] || mapfile -t projects < <(series_projects)
	for p in "${projects[@]}"; do
		case $p in -h | --help) die "usage: $usage" ;; esac
		series_check_project "$p"
	done
}

# series_out PROJECT: where the exported series of PROJECT is written.
series_out() { echo "$SFAB_OUT/upstream/$1"; }

# series_prefix PROJECT: the directory of the project's tree in this
# repository; series_scope PROJECT: the part of it the series carries
# (upstream/rdma-core/README.md describes the kit's directory, it is not
# rdma-core's).
series_prefix() { echo "upstream/$1"; }
series_scope() {
	case $1 in
	linux) echo upstream/linux ;;
	rdma-core) echo upstream/rdma-core/providers ;;
	esac
}

# series_version PROJECT: the version of the pristine tree the series is
# against.
series_version() {
	case $1 in
	linux) cat "$SFAB_TOP/ci/upstream-base" ;;
	rdma-core) target_field "$(targets_all | tail -n 1)" rdmacore-src ;;
	esac
}

# series_pristine_tree PROJECT: the path of that pristine tree (cached).
series_pristine_tree() {
	local target
	case $1 in
	linux) "$SFAB_TOP/ci/kernel-tree.sh" "$(series_version linux)" ;;
	rdma-core)
		# rdma_core_tree names $target in its messages.
		# shellcheck disable=SC2034
		target=$(targets_all | tail -n 1)
		rdma_core_tree "$(series_version rdma-core)"
		;;
	esac
}

# series_subject_prefix PROJECT: the [PATCH ...] prefix of its mails.
series_subject_prefix() {
	case $1 in
	linux) echo "PATCH rdma-next" ;;
	rdma-core) echo "PATCH rdma-core" ;;
	esac
}

# series_base PROJECT: the full id of the commit ci/series/PROJECT/base
# records; it must be in the history of HEAD.
series_base() {
	local f=$SERIES_DATA/$1/base c full
	[ -f "$f" ] || die "ci/series/$1/base is missing; record the commit the split patches reproduce there"
	c=$(awk '!/^#/ && NF { print $1; exit }' "$f")
	[ -n "$c" ] || die "ci/series/$1/base names no commit; record one (git log -- $(series_scope "$1"))"
	full=$(git -C "$SFAB_TOP" rev-parse -q --verify "$c^{commit}") ||
		die "ci/series/$1/base names '$c', which is no commit of this repository; record an existing one (git log -- $(series_scope "$1"))"
	git -C "$SFAB_TOP" merge-base --is-ancestor "$full" HEAD ||
		die "ci/series/$1/base ($c) is not in the history of HEAD; record a commit of this branch"
	echo "$full"
}

# series_msgs PROJECT: the message files of the split, in order.
series_msgs() {
	local f found=0
	for f in "$SERIES_DATA/$1"/[0-9][0-9]-*.msg; do
		[ -e "$f" ] || continue
		found=1
		echo "$f"
	done
	[ "$found" -eq 1 ] || die "ci/series/$1 has no NN-name.msg file: the split has no patch"
}

# msg_text FILE: the commit message of a message file (before "---").
msg_text() { awk '/^---$/ { exit } { print }' "$1"; }

# msg_subject FILE: its first line.
msg_subject() { sed -n 1p "$1"; }

# msg_entries FILE: what the patch contains (after "---"), one a line.
msg_entries() {
	awk 'seen && !/^#/ && NF { print } /^---$/ { seen = 1 }' "$1"
}

# series_identity: "Name <email>" from this repository's git config, the
# author and signer of the split patches.
series_identity() {
	local name email
	name=$(git -C "$SFAB_TOP" config user.name) || name=
	email=$(git -C "$SFAB_TOP" config user.email) || email=
	if [ -z "$name" ] || [ -z "$email" ]; then
		die "git config user.name and user.email are not both set in $SFAB_TOP; the series is signed off with them: set them (git config user.name 'Your Name'; git config user.email you@example.org)"
	fi
	echo "$name <$email>"
}

# subject_allowed PROJECT SUBJECT: SUBJECT has a form ci/series/PROJECT/subjects allows.
subject_allowed() {
	grep -v '^#' "$SERIES_DATA/$1/subjects" | grep -v '^$' | {
		local re
		while IFS= read -r re; do
			if [[ $2 =~ $re ]]; then
				return 0
			fi
		done
		return 1
	}
}

# series_input_key PROJECT: a hash of everything the export of PROJECT is
# made from, so a gate can tell a stale export from a current one.
series_input_key() {
	local p=$1
	{
		echo "base $(series_base "$p")"
		echo "version $(series_version "$p")"
		git -C "$SFAB_TOP" rev-parse "HEAD:$(series_scope "$p")"
		# The rdma-core series takes the kernel's uAPI headers.
		[ "$p" != rdma-core ] || git -C "$SFAB_TOP" rev-parse HEAD:upstream/linux/include/uapi/rdma
		(cd "$SFAB_TOP" && sha256sum ci/series-lib.sh ci/upstream-series.sh ci/series/"$p"/*)
		series_identity
	} | sha256sum | cut -c1-16
}

# series_require_current PROJECT: dies unless the export of PROJECT in
# out/ is there and made from what is in the tree now.
series_require_current() {
	local out
	out=$(series_out "$1")
	[ -f "$out/series.info" ] ||
		die "no exported $1 series in $out; run 'make upstream-series' first"
	[ "$(sed -n 's/^key=//p' "$out/series.info")" = "$(series_input_key "$1")" ] ||
		die "the exported $1 series in $out is stale (upstream/, ci/series/ or the scripts changed since); run 'make upstream-series'"
}

# series_patches PROJECT: the exported patches (not the cover letter).
series_patches() {
	local out f
	out=$(series_out "$1")
	for f in "$out"/[0-9][0-9][0-9][0-9]-*.patch; do
		[ -e "$f" ] || continue
		case $f in */0000-cover-letter.patch) continue ;; esac
		echo "$f"
	done
}

# patch_subject PATCH: the subject of an exported patch, without [PATCH].
patch_subject() {
	awk '/^Subject: / { s = $0; getline n; while (n ~ /^[ \t]/) { s = s n; getline n } print s; exit }' "$1" |
		sed -e 's/^Subject: //' -e 's/^\[[^]]*\] //' -e 's/[ \t]\+/ /g'
}

# patch_name PATCH: "0005 (subject)", how failures name a patch.
patch_name() { echo "$(basename "$1" | cut -c1-4) ($(patch_subject "$1"))"; }

# --- pristine git repositories and scratch trees -------------------------

# pristine_repo NAME VERSION TREE: a bare git repository of the pristine
# source TREE with one commit (branch "pristine"), cached in
# $SFAB_CACHE/git/NAME-VERSION and made once (completion stamp), under a
# lock. Author, committer and date are fixed (the date of TREE's top
# Makefile or CMakeLists.txt), so the commit, and every patch made on
# it, is the same on any machine. Prints the repository's path.
pristine_repo() {
	local name=$1 ver=$2 tree=$3 repo date top
	repo=$SFAB_CACHE/git/$name-$ver
	mkdir -p "$SFAB_CACHE/git"
	exec 7>"$SFAB_CACHE/git/.$name-$ver.lock"
	flock 7
	if [ ! -f "$repo/sfab-complete" ]; then
		log "making a git repository of the pristine $name $ver tree (once; a minute or two)"
		top=$tree/Makefile
		[ -f "$top" ] || top=$tree/CMakeLists.txt
		date=$(stat -c %Y "$top")
		rm -rf "$repo" "$repo.tmp"
		git init -q --bare "$repo.tmp"
		git --git-dir="$repo.tmp" config core.bigFileThreshold 16m
		git --git-dir="$repo.tmp" --work-tree="$tree" add -A -f -- . ':!.sfab-complete'
		GIT_AUTHOR_NAME="sfab release kit" GIT_AUTHOR_EMAIL="sfab-kit@localhost" \
			GIT_COMMITTER_NAME="sfab release kit" GIT_COMMITTER_EMAIL="sfab-kit@localhost" \
			GIT_AUTHOR_DATE="@$date +0000" GIT_COMMITTER_DATE="@$date +0000" \
			git --git-dir="$repo.tmp" --work-tree="$tree" commit -q --no-verify \
			-m "$name $ver" -m "The pristine source, from Debian's orig tarball."
		git --git-dir="$repo.tmp" branch -m pristine
		rm -f "$repo.tmp/index"
		date -u +%FT%TZ >"$repo.tmp/sfab-complete"
		mv "$repo.tmp" "$repo"
	fi
	exec 7>&-
	echo "$repo"
}

# pristine_commit REPO: the pristine commit of a repository made above.
pristine_commit() { git --git-dir="$1" rev-parse pristine; }

# scratch_tree REPO DIR: DIR becomes a work tree of REPO's pristine
# commit, clean (a clone sharing REPO's objects, made once and reused: a
# reset rewrites only the files that differ, so the object directories of
# builds stay warm). Prints nothing.
scratch_tree() {
	local repo=$1 dir=$2 base
	base=$(pristine_commit "$repo")
	if [ ! -f "$dir/.git/sfab-scratch" ] ||
		[ "$(cat "$dir/.git/objects/info/alternates" 2>/dev/null)" != "$repo/objects" ]; then
		log "checking out a scratch tree of $(basename "$repo") in $dir (once)"
		rm -rf "$dir"
		mkdir -p "$(dirname "$dir")"
		git clone -q --shared --no-checkout "$repo" "$dir"
		touch "$dir/.git/sfab-scratch"
	fi
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" checkout -q -f -B series "$base"
	git -C "$dir" clean -q -fdx
}

# series_git DIR ARGS...: git in a scratch tree, as the series' author
# and committer (series_identity), with hooks and the user's aliases out
# of the way.
series_git() {
	local dir=$1 id name email
	shift
	id=$(series_identity)
	name=${id% <*}
	email=${id##*<}
	email=${email%>}
	GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email \
		GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
		git -C "$dir" -c core.hooksPath=/dev/null "$@"
}
