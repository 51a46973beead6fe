#!/usr/bin/env bash
# usage: hotfix/build.sh RELEASE   (make hotfix RELEASE=x.y.z)
# The hotfix packages of release RELEASE for every selected target: the
# queue is checked first (hotfix/check.sh: upstream first), then for each
# target the packages of RELEASE+hfK (K: the patches in
# hotfix/RELEASE/series) are built by the release's own scripts
# (distro/release-packages.sh) into out/hotfix/RELEASE+hfK/TARGET/ with
# their manifest and SHA256SUMS, and validated in the VM like a release
# (hotfix/validate.sh); the DKMS tarball and the RPMs of the hotfix go to
# out/hotfix/RELEASE+hfK/{dkms,rpm}/. Ends with the summary.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then die "usage: make hotfix RELEASE=x.y.z"; fi
rel=$1
release_commit "$rel" >/dev/null
ver=$(hotfix_version "$rel")
[ -n "$ver" ] || die "release $rel has no hotfix patch (hotfix/$rel/series); make one with: make hotfix-patch RELEASE=$rel COMMIT=<upstream commit>"
"$SFAB_TOP/ci/deps.sh"
"$SFAB_TOP/ci/apt-root.sh"
export SFAB_RUN_SINCE=${SFAB_RUN_SINCE:-$(date +%s)}
run_step kit hotfix-queue "fix the queue: each patch must carry an upstream commit unchanged" \
	"$SFAB_TOP/hotfix/check.sh" "$rel"
rc=0
for t in $(targets_selected); do
	run_step "$t" chroot "check the registry and the log" "$SFAB_TOP/ci/chroot.sh" "$t" &&
		run_step "$t" hotfix "see the log; out/hotfix/$ver/ keeps the logs of the image and the VM" \
			"$SFAB_TOP/hotfix/validate.sh" "$t" "$ver" || rc=1
done
run_step kit hotfix-kit "see the log: the release's own distro/dkms-tarball.sh or distro/rpm.sh" \
	"$SFAB_TOP/distro/release-kit-artifacts.sh" "$ver" "$SFAB_OUT/hotfix/$ver" || rc=1
"$SFAB_TOP/ci/summary.sh" || rc=1
for d in dkms rpm; do
	[ ! -d "$SFAB_OUT/hotfix/$ver/$d" ] ||
		echo "out/hotfix/$ver/$d: $(find "$SFAB_OUT/hotfix/$ver/$d" -maxdepth 1 -type f -printf '%f ' | sort)"
done
for t in $(targets_selected); do
	[ -f "$SFAB_OUT/hotfix/$ver/$t/manifest" ] || continue
	echo "out/hotfix/$ver/$t:"
	awk -F'\t' '!/^#/ { printf "  %-28s %s\n", $1, $2 }' "$SFAB_OUT/hotfix/$ver/$t/manifest"
done
exit "$rc"
