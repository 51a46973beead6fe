#!/usr/bin/env bash
# usage: ci/deps.sh
# Installs, from Debian's registry, every host tool the kit uses
# (ci/host-packages), and from npm the few that only npm has
# (ci/npm/package-lock.json pins them; today gitlab-ci-local, for
# ci/pipeline-check.sh). Idempotent: installs only what is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_root "make deps"
missing=
while read -r p; do
	case $p in '#'* | '') continue ;; esac
	[ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing="$missing $p"
done <"$SFAB_TOP/ci/host-packages"
# npm by its command: Debian's nodejs lacks it (package npm), other
# nodejs builds carry it and conflict with Debian's npm package.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -z "$missing" ]; then
	log "deps: all $(grep -vc '^#' "$SFAB_TOP/ci/host-packages") host packages are installed"
else
	log "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q update >/dev/null ||
		die "apt-get update failed: the machine's Debian sources are unreachable"
	# shellcheck disable=SC2086 # a list of package names
	apt-get -q install -y --no-install-recommends $missing >/dev/null ||
		die "installing$missing failed; run 'apt-get install$missing' to see why"
fi

# The npm tools go into the kit's cache, one directory per lock file
# (ci/pipeline-check.sh finds them by the same hash), not into the
# machine's global node_modules: the versions stay the lock's whatever
# else the machine has, and two trees with different locks coexist.
lock=$SFAB_TOP/ci/npm/package-lock.json
npm_dir=$SFAB_CACHE/npm/$(sha256sum <"$lock" | cut -c1-16)
if [ ! -f "$npm_dir/.sfab-complete" ]; then
	mkdir -p "$SFAB_CACHE/npm"
	exec 9>"$SFAB_CACHE/npm/.lock"
	flock 9
	if [ ! -f "$npm_dir/.sfab-complete" ]; then
		log "deps: installing the npm tools of ci/npm/package-lock.json into $npm_dir"
		rm -rf "$npm_dir.tmp"
		mkdir -p "$npm_dir.tmp"
		cp "$SFAB_TOP/ci/npm/package.json" "$lock" "$npm_dir.tmp/"
		(cd "$npm_dir.tmp" && npm ci --no-audit --no-fund --ignore-scripts \
			--cache "$SFAB_CACHE/npm/cache") >"$npm_dir.log" 2>&1 || {
			tail -n 20 "$npm_dir.log" >&2
			die "npm ci of ci/npm/package-lock.json failed (log: $npm_dir.log); check that the npm registry is reachable"
		}
		date -u +%FT%TZ >"$npm_dir.tmp/.sfab-complete"
		rm -rf "$npm_dir"
		mv "$npm_dir.tmp" "$npm_dir"
	fi
	exec 9>&-
fi
log "deps: done"
