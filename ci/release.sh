#!/usr/bin/env bash
# usage: ci/release.sh
# The kit's main job (make): from this tree, for every target, in its
# distro's chroot: sfab built against its kernel (out/build/, the W=1
# gate) and every package (distro/package.sh: out/TARGET/ with the
# packages, manifest and SHA256SUMS); then the DKMS source tarball
# (out/dkms/) and the RPM family (out/rpm/). A target that fails keeps
# its previous out/TARGET.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SFAB_TOP/ci/deps.sh"
"$SFAB_TOP/ci/apt-root.sh"
rm -rf "$SFAB_OUT/results"
rc=0
log "building sfab $("$SFAB_TOP/ci/version.sh") for: $(targets_selected | tr '\n' ' ')"
for t in $(targets_selected); do
	run_step "$t" chroot "check the registry and the log" "$SFAB_TOP/ci/chroot.sh" "$t" &&
		run_step "$t" build "fix the build for $t" "$SFAB_TOP/ci/build.sh" "$t" &&
		run_step "$t" package "see the log; out/$t is left as it was" "$SFAB_TOP/distro/package.sh" "$t" || rc=1
done
run_step kit dkms-tarball "see the log" "$SFAB_TOP/distro/dkms-tarball.sh" || rc=1
run_step kit rpm "see the log; out/rpm is left as it was" "$SFAB_TOP/distro/rpm.sh" || rc=1
"$SFAB_TOP/ci/summary.sh" || rc=1
for t in $(targets_selected); do
	[ -f "$SFAB_OUT/$t/manifest" ] || continue
	echo "out/$t:"
	awk -F'\t' '!/^#/ { printf "  %-28s %s\n", $1, $2 }' "$SFAB_OUT/$t/manifest"
done
for d in dkms rpm; do
	[ -d "$SFAB_OUT/$d" ] && echo "out/$d: $(cd "$SFAB_OUT/$d" && find . -maxdepth 1 -name '*.*rpm' -o -maxdepth 1 -name '*.tar.gz' | sed 's|^\./||' | sort | tr '\n' ' ')"
done
exit "$rc"
