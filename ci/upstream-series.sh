#!/usr/bin/env bash
# usage: ci/upstream-series.sh [linux|rdma-core]...
# Writes the upstream submission series (make upstream-series), both by
# default: out/upstream/linux/ for linux-rdma, against the pristine
# kernel.org tree of ci/upstream-base, and out/upstream/rdma-core/,
# against the newest target's rdma-core source. Each has the cover letter
# (0000-cover-letter.patch), one file per patch (0001-...), series.mbox
# (all of them, for git am or b4) and series.info (what it was made from).
#
# The patches are commits in a scratch clone of the pristine tree (a git
# repository cached under $SFAB_CACHE/git): first the split of the new
# driver or provider as upstream/ has it at ci/series/PROJECT/base, one
# commit per ci/series/PROJECT/NN-*.msg, authored and signed off by this
# repository's git config identity (the submitter: each split patch takes
# pieces of many commits of the history); then every later commit of
# upstream/ as it is in the history (git format-patch --relative, then
# git am -s). To and Cc come from scripts/get_maintainer.pl over the
# series (maintainers To, lists and reviewers Cc). Dates come from the
# commits and message ids are made from them, so the same input gives the
# same patches. ci/series/README.md describes the data.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$SFAB_TOP/ci/series-lib.sh"

# Literal replacements in ${var//pattern/replacement}.
shopt -u patsub_replacement 2>/dev/null || true

# blob_of PATH: the content of PATH (of this repository) at $base.
blob_of() { git -C "$SFAB_TOP" cat-file blob "$base:$1"; }

# needed_files: the files of the scope at $base that the series must
# carry, relative to the project's tree: those that the pristine tree
# lacks or has with other content.
needed_files() {
	local f r
	while IFS= read -r f; do
		r=${f#"$prefix"/}
		if [ ! -f "$pristine/$r" ] || ! blob_of "$f" | cmp -s - "$pristine/$r"; then
			echo "$r"
		fi
	done < <(git -C "$SFAB_TOP" ls-tree -r --name-only "$base" -- "$scope")
}

# check_coverage: every needed file is in exactly one message file and
# every file entry is needed.
check_coverage() {
	local msg e listed=$work/listed needed=$work/needed dup missing extra
	needed_files | sort >"$needed"
	: >"$listed"
	for msg in "${msgs[@]}"; do
		while IFS= read -r e; do
			case $e in "diff "* | uapi) continue ;; esac
			printf '%s %s\n' "$e" "$(basename "$msg")" >>"$listed"
		done < <(msg_entries "$msg")
	done
	dup=$(cut -d' ' -f1 "$listed" | sort | uniq -d)
	[ -z "$dup" ] || die "in ci/series/$project/, these files are in more than one patch: $(
		for e in $dup; do printf '%s (%s) ' "$e" "$(awk -v f="$e" '$1 == f { printf "%s ", $2 }' "$listed")"; done
	)- each file must be in exactly one"
	extra=$(cut -d' ' -f1 "$listed" | sort | comm -23 - "$needed")
	[ -z "$extra" ] || die "ci/series/$project/ lists files that $prefix at the base does not have or has unchanged from the pristine tree: $(echo "$extra" | tr '\n' ' ')- fix the lists"
	missing=$(cut -d' ' -f1 "$listed" | sort | comm -13 - "$needed")
	[ -z "$missing" ] || die "these files of $prefix differ from the pristine $project $version tree but no patch carries them: $(echo "$missing" | tr '\n' ' ')- add each to one of ci/series/$project/*.msg"
}

# add_whole_file REL: REL, as upstream/ has it at the base, into the
# scratch tree and its index.
add_whole_file() {
	local rel=$1 mode
	mode=$(git -C "$SFAB_TOP" ls-tree "$base" -- "$prefix/$rel" | cut -d' ' -f1)
	mkdir -p "$(dirname "$wt/$rel")"
	blob_of "$prefix/$rel" >"$wt/$rel"
	if [ "$mode" = 100755 ]; then chmod +x "$wt/$rel"; else chmod -x "$wt/$rel"; fi
	git -C "$wt" add -- "$rel"
}

# add_header_to_cmake NAME: rdma/NAME into the publish_internal_headers
# list of kernel-headers/CMakeLists.txt, sorted, as kernel-headers/update
# writes it.
add_header_to_cmake() {
	local f=$wt/kernel-headers/CMakeLists.txt
	grep -qx "  rdma/$1" "$f" && return
	awk -v h="  rdma/$1" '
		/^publish_internal_headers\(rdma$/ { inlist = 1; print; next }
		inlist && (/^  \)$/ || $0 > h) { print h; inlist = 0; done = 1 }
		{ print }
		END { if (!done) exit 1 }' "$f" >"$f.new" ||
		die "kernel-headers/CMakeLists.txt of rdma-core $version has no publish_internal_headers(rdma list; the uapi entry must learn its new form"
	mv "$f.new" "$f"
	git -C "$wt" add kernel-headers/CMakeLists.txt
}

# apply_uapi: the kernel series' changes to include/uapi/rdma (upstream/
# linux at HEAD against the pristine kernel.org tree) into rdma-core's
# kernel-headers/rdma, as kernel-headers/update does: new headers whole
# and listed in CMakeLists.txt, the kernel's change to a header rdma-core
# also has applied to rdma-core's copy (which may be newer).
apply_uapi() {
	local ktree f r new=$work/uapi-new
	ktree=$(series_pristine_tree linux)
	while IFS= read -r f; do
		r=${f#upstream/linux/include/uapi/rdma/}
		mkdir -p "$(dirname "$new/$r")"
		git -C "$SFAB_TOP" cat-file blob "HEAD:$f" >"$new/$r"
		if [ ! -f "$ktree/include/uapi/rdma/$r" ]; then
			mkdir -p "$(dirname "$wt/kernel-headers/rdma/$r")"
			cp "$new/$r" "$wt/kernel-headers/rdma/$r"
			git -C "$wt" add "kernel-headers/rdma/$r"
			add_header_to_cmake "$r"
		elif ! cmp -s "$new/$r" "$ktree/include/uapi/rdma/$r"; then
			diff -u --label "a/kernel-headers/rdma/$r" --label "b/kernel-headers/rdma/$r" \
				"$ktree/include/uapi/rdma/$r" "$new/$r" >"$work/uapi.diff" || true
			git -C "$wt" apply --index "$work/uapi.diff" ||
				die "the kernel series' change to include/uapi/rdma/$r does not apply to rdma-core $version's kernel-headers/rdma/$r (diff: $work/uapi.diff)"
		fi
	done < <(git -C "$SFAB_TOP" ls-tree -r --name-only HEAD -- upstream/linux/include/uapi/rdma/)
}

# commit_split MSG N: the patch MSG describes, as commit N of the split.
commit_split() {
	local msg=$1 n=$2 e date text
	while IFS= read -r e; do
		case $e in
		"diff "*)
			git -C "$wt" apply --index "$SERIES_DATA/$project/${e#diff }" ||
				die "$(basename "$msg"): ci/series/$project/${e#diff } does not apply to $project $version; update it against that tree"
			;;
		uapi)
			[ "$project" = rdma-core ] || die "$(basename "$msg"): 'uapi' is an rdma-core entry"
			apply_uapi
			;;
		*) add_whole_file "$e" ;;
		esac
	done < <(msg_entries "$msg")
	! git -C "$wt" diff --cached --quiet ||
		die "$(basename "$msg") changes nothing in the pristine $project tree; give it its files or drop it"
	text=$(msg_text "$msg")
	if grep -q '^Signed-off-by:' <<<"$text"; then
		die "$(basename "$msg") has a Signed-off-by: the series adds it from git config; remove it"
	fi
	printf '%s\n\nSigned-off-by: %s\n' "$text" "$identity" >"$work/msg"
	date="@$((epoch + n)) +0000"
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
		series_git "$wt" commit -q --no-verify --cleanup=whitespace -F "$work/msg"
}

# apply_history: the commits of upstream/ after the base, as they are.
apply_history() {
	local mbox=$work/history.mbox n
	git -C "$SFAB_TOP" -c diff.noprefix=false -c diff.mnemonicPrefix=false format-patch -q \
		--stdout --no-signature --relative="$prefix" "$base..HEAD" -- "$scope" >"$mbox"
	n=$(grep -c '^From [0-9a-f]\{40\} ' "$mbox" || true)
	history=$n
	[ "$n" -gt 0 ] || return 0
	log "[$project] $n incremental patches from the history of $scope after ${base:0:12}"
	series_git "$wt" am -q -s --committer-date-is-author-date "$mbox" >"$work/am.log" 2>&1 || {
		cat "$work/am.log" >&2
		die "the incremental patch \"$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$wt/.git/rebase-apply/$(printf '%04d' "$(cat "$wt/.git/rebase-apply/next")")" 2>/dev/null)\" of the history does not apply on the split (log: $work/am.log); the split must reproduce $scope at the base"
	}
}

# maintainers KIND PATCH...: addresses get_maintainer.pl gives for the
# patches (KIND: m maintainers, l lists, r reviewers), one a line.
maintainers() {
	# --no-fixes: a Fixes: tag of the series names one of its own
	# patches, which the pristine tree, where get_maintainer.pl looks its
	# author up, does not have ("fatal: ambiguous argument" in the log).
	local kind=$1 opts=(--no-git --no-git-fallback --no-rolestats --no-m --no-l --no-r --no-multiline --no-fixes)
	shift
	opts+=("--$kind")
	if [ "$project" = linux ]; then
		(cd "$wt" && perl scripts/get_maintainer.pl "${opts[@]}" "$@")
	else
		# rdma-core's MAINTAINERS has the kernel's format.
		(cd "$wt" && perl "$(series_pristine_tree linux)/scripts/get_maintainer.pl" --no-tree \
			--mpath="$wt/MAINTAINERS" "${opts[@]}" "$@")
	fi
}

# address_args: --to and --cc options of format-patch for the series.
address_args() {
	local gm=$work/gm a
	rm -rf "$gm"
	git -C "$wt" format-patch -q -o "$gm" "$pristine_sha..HEAD"
	addr_args=()
	while IFS= read -r a; do addr_args+=("--to=$a"); done < <(maintainers m "$gm"/*.patch)
	{
		maintainers r "$gm"/*.patch
		maintainers l "$gm"/*.patch
		[ ! -f "$SERIES_DATA/$project/lists" ] || awk '!/^#/ && NF { print $1 }' "$SERIES_DATA/$project/lists"
	} | awk '!seen[$0]++' >"$work/cc"
	while IFS= read -r a; do addr_args+=("--cc=$a"); done <"$work/cc"
	[ "${#addr_args[@]}" -gt 0 ] || die "get_maintainer.pl found nobody for the $project series; is the MAINTAINERS entry in it?"
}

# cover_body: the body of the project's cover letter template, with the
# placeholders filled in.
cover_body() {
	local t
	t=$(sed '1,2d' "$SERIES_DATA/$project/cover-letter")
	t=${t//@KERNEL@/$(series_version linux)}
	t=${t//@RDMA_CORE@/$(series_version rdma-core)}
	t=${t//@KERNEL_COVER@/$(sed -n 1p "$SERIES_DATA/linux/cover-letter")}
	t=${t//@RDMA_CORE_COVER@/$(sed -n 1p "$SERIES_DATA/rdma-core/cover-letter")}
	printf '%s\n' "$t"
}

# fill_cover FILE: the template's subject and body into git's cover letter.
fill_cover() {
	local f=$1 subject
	subject=$(sed -n 1p "$SERIES_DATA/$project/cover-letter")
	if [ -z "$subject" ] || [ -n "$(sed -n 2p "$SERIES_DATA/$project/cover-letter")" ]; then
		die "ci/series/$project/cover-letter must start with the subject line and a blank line"
	fi
	cover_body >"$work/cover-body"
	if grep -o '@[A-Z_]*@' "$work/cover-body"; then
		die "ci/series/$project/cover-letter has placeholders this script does not know (above)"
	fi
	awk -v subj="$subject" -v bodyf="$work/cover-body" '
		/^Subject: .*\*\*\* SUBJECT HERE \*\*\*$/ { sub(/\*\*\* SUBJECT HERE \*\*\*$/, ""); print $0 subj; s = 1; next }
		/^\*\*\* BLURB HERE \*\*\*$/ { while ((getline l < bodyf) > 0) print l; b = 1; next }
		{ print }
		END { exit !(s && b) }' "$f" >"$f.new" ||
		die "git format-patch wrote a cover letter without its SUBJECT/BLURB placeholders: $f"
	mv "$f.new" "$f"
}

# fix_message_ids DIR: git makes message ids from the commit (or
# "cover") and the clock; make them from the base's date instead.
fix_message_ids() {
	sed -i -E "s/^((Message-Id|In-Reply-To|References): <(cover|[0-9a-f]{40})\\.)[0-9]+(\\.git\\.)/\\1$epoch\\4/" "$1"/*.patch
	if grep -h '^\(Message-Id\|In-Reply-To\|References\):' "$1"/*.patch | grep -v "\.$epoch\.git\."; then
		die "git format-patch wrote message ids of a form this script does not know (above)"
	fi
	if [ -n "$(grep -h '^Message-Id:' "$1"/*.patch | sort | uniq -d)" ]; then
		die "two patches of the $project series have the same message id"
	fi
}

export_series() {
	local out msg n=0 repo
	project=$1
	prefix=$(series_prefix "$project")
	scope=$(series_scope "$project")
	version=$(series_version "$project")
	pristine=$(series_pristine_tree "$project")
	base=$(series_base "$project")
	epoch=$(git -C "$SFAB_TOP" log -1 --format=%ct "$base")
	out=$(series_out "$project")
	work=$SFAB_CACHE/work/series-export-$project-$version
	wt=$work/src
	mapfile -t msgs < <(series_msgs "$project")
	mkdir -p "$work"
	check_coverage
	if [ -n "$(git -C "$SFAB_TOP" status --porcelain -- "$scope")" ]; then
		log "[$project] warning: uncommitted changes under $scope are not in the series (it is made from commits)"
	fi

	repo=$(pristine_repo "$project" "$version" "$pristine")
	pristine_sha=$(pristine_commit "$repo")
	scratch_tree "$repo" "$wt"
	for msg in "${msgs[@]}"; do
		n=$((n + 1))
		commit_split "$msg" "$n"
	done
	apply_history
	address_args

	rm -rf "$out.new"
	mkdir -p "$out.new"
	GIT_COMMITTER_DATE="@$epoch +0000" series_git "$wt" format-patch -q --cover-letter \
		--thread=shallow --subject-prefix="$(series_subject_prefix "$project")" \
		"${addr_args[@]}" -o "$out.new" "$pristine_sha..HEAD"
	fill_cover "$out.new/0000-cover-letter.patch"
	fix_message_ids "$out.new"
	cat "$out.new"/[0-9][0-9][0-9][0-9]-*.patch >"$out.new/series.mbox"
	{
		echo "key=$(series_input_key "$project")"
		echo "project=$project"
		echo "version=$version"
		echo "base=$base"
		echo "pristine=$pristine_sha"
		echo "split=$n"
		echo "history=$history"
	} >"$out.new/series.info"
	rm -rf "$out"
	mv "$out.new" "$out"
	log "[$project] $(series_patches "$project" | wc -l) patches ($n split, $history from the history) and the cover letter in $out"
}

series_select "ci/upstream-series.sh [linux|rdma-core]..." "$@"
set -- "${projects[@]}"
identity=$(series_identity)
mkdir -p "$SFAB_OUT/upstream" "$SFAB_CACHE/work"
# One export at a time: the scratch trees under $SFAB_CACHE/work are
# shared by every clone of the kit on this machine.
exec 6>"$SFAB_CACHE/work/.series-export.lock"
flock 6
for p in "$@"; do
	export_series "$p"
done
