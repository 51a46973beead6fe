#!/usr/bin/env bash
# usage: ci/version.sh [FIELD]
# The kit's one version source: VERSION holds the version being worked
# towards (the next release). A tree at the commit distro/releases records
# for that version, with no local change, is that release; any other tree
# is a snapshot that sorts before it in both dpkg and rpm:
#   VERSION~devN+gSHA       (N: commits in HEAD's history)
#   VERSION~devN+gSHA+dirty (uncommitted changes)
# FIELD: version (the default; module, provider, diag and packages all
# carry it), deb (Debian version of the kit's own packages), rpm-version,
# rpm-release, or all (FIELD=VALUE lines for every field).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(tr -d ' \n' <"$top/VERSION")
case $base in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "ci/version.sh: VERSION holds '$base'; it must be MAJOR.MINOR.PATCH" >&2; exit 1 ;;
esac

if [ -n "${SFAB_VERSION:-}" ]; then
	# Set by whoever builds from an exported tree with no git metadata.
	version=$SFAB_VERSION
elif git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	head=$(git -C "$top" rev-parse HEAD)
	released=$(awk -v v="$base" '!/^#/ && $1 == v { print $2 }' "$top/distro/releases" 2>/dev/null || true)
	dirty=
	git -C "$top" diff --quiet HEAD -- 2>/dev/null || dirty=+dirty
	if [ -n "$released" ] && [ "$head" = "$(git -C "$top" rev-parse "$released^{commit}" 2>/dev/null)" ] &&
		[ -z "$dirty" ]; then
		version=$base
	else
		version="$base~dev$(git -C "$top" rev-list --count HEAD)+g$(git -C "$top" rev-parse --short=7 HEAD)$dirty"
	fi
else
	echo "ci/version.sh: $top is not a git checkout; set SFAB_VERSION" >&2
	exit 1
fi

field=${1:-version}
case $field in
version) echo "$version" ;;
deb) echo "$version-1" ;;
rpm-version) echo "$version" ;;
rpm-release) echo 1 ;;
all) printf 'version=%s\ndeb=%s\nrpm-version=%s\nrpm-release=%s\n' "$version" "$version-1" "$version" 1 ;;
*) echo "ci/version.sh: unknown field '$field'" >&2; exit 2 ;;
esac
