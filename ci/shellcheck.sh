#!/usr/bin/env bash
# usage: ci/shellcheck.sh
# Runs shellcheck over every shell script of the kit; any finding fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_tool shellcheck
cd "$SFAB_TOP"
mapfile -t scripts < <(
	{
		git ls-files --cached --others --exclude-standard -- '*.sh'
		echo .ci/run
	} | sort -u
)
shellcheck --version | sed -n 2p
shellcheck -x "${scripts[@]}" || die "shellcheck has findings (above)"
echo "shellcheck: ${#scripts[@]} scripts, no findings"
