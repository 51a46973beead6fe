#!/usr/bin/env bash
# usage: ci/deps.sh
# Installs, from Debian's registry, every host tool the kit uses
# (ci/host-packages). Idempotent: installs only what is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_root "make deps"
missing=
while read -r p; do
	case $p in '#'* | '') continue ;; esac
	[ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing="$missing $p"
done <"$SFAB_TOP/ci/host-packages"
if [ -z "$missing" ]; then
	log "deps: all $(grep -vc '^#' "$SFAB_TOP/ci/host-packages") host packages are installed"
	exit 0
fi
log "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -q update >/dev/null ||
	die "apt-get update failed: the machine's Debian sources are unreachable"
# shellcheck disable=SC2086 # a list of package names
apt-get -q install -y --no-install-recommends $missing >/dev/null ||
	die "installing$missing failed; run 'apt-get install$missing' to see why"
log "deps: done"
