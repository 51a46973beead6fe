#!/usr/bin/env bash
# usage: ci/apt-root.sh
# Sets up the kit's own apt root under $SFAB_CACHE/apt (all target suites,
# deb and deb-src) and refreshes its lists when they are a day old. The
# machine's own sources are never touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$SFAB_APT"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d}
touch "$SFAB_APT/status"
# Steps of several targets may get here at once: one refreshes, the
# others wait for it and then find the lists fresh.
exec 9>"$SFAB_APT/.refresh.lock"
flock 9

want=$(mktemp)
trap 'rm -f "$want"' EXIT
for t in $(targets_all); do
	s=$(target_field "$t" suite)
	echo "deb [arch=amd64] $SFAB_MIRROR $s main"
	echo "deb-src $SFAB_MIRROR $s main"
done >"$want"

fresh=$(find "$SFAB_APT/lists" -maxdepth 1 -name '*_InRelease' -mmin -1440 -print -quit 2>/dev/null)
if cmp -s "$want" "$SFAB_APT/sources.list" && [ -n "$fresh" ]; then
	exit 0
fi
cp "$want" "$SFAB_APT/sources.list"
log "refreshing the kit's apt lists ($(targets_all | tr '\n' ' '))"
if ! out=$(apt_kit update 2>&1); then
	echo "$out" | grep -E '^(E|W):' >&2 || echo "$out" | tail -n 5 >&2
	die "refreshing the kit's apt lists from $SFAB_MIRROR failed (above); check the network or set SFAB_MIRROR"
fi
