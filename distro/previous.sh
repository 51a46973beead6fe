#!/usr/bin/env bash
# usage: distro/previous.sh TARGET [VERSION]
# The packages of the previous release for TARGET, for the upgrade
# scenario of validation/image.sh: the newest release in distro/releases
# older than VERSION (default: this tree's), built by distro/release-packages.sh
# (from its own commit, with its own scripts). Prints its version and
# directory ("VERSION DIR"); nothing if there is no earlier release.
# With --version, only its version, and nothing is built.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

only_version=
[ "${1:-}" != --version ] || { only_version=1; shift; }
[ $# -eq 1 ] || [ $# -eq 2 ] || die "usage: distro/previous.sh [--version] TARGET [VERSION]"
target=$1
current=${2:-$("$SFAB_TOP/ci/version.sh")}
prev=''
while read -r v _; do
	case $v in '#'* | '') continue ;; esac
	dpkg --compare-versions "$v" lt "$current" || continue
	if [ -z "$prev" ] || dpkg --compare-versions "$v" gt "$prev"; then
		prev=$v
	fi
done <"$SFAB_TOP/distro/releases"
[ -n "$prev" ] || exit 0
[ -z "$only_version" ] || { echo "$prev"; exit 0; }
echo "$prev $("$SFAB_TOP/distro/release-packages.sh" "$prev" "$target")"
