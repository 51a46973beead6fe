#!/usr/bin/env bash
# usage: ci/sign.sh TARGET MODULE.ko
# Signs MODULE.ko (a file under TARGET's chroot) for TARGET's kernel with
# the key SFAB_SIGN_KEY and certificate SFAB_SIGN_CERT (PEM files; the
# certificate may also be DER). The module is stripped of debug info
# first: stripping after signing would remove the signature. The kernel's
# own scripts/sign-file does the signing, in the chroot. Unsigned is the
# default: without both variables this is an error, not a no-op.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: ci/sign.sh TARGET MODULE.ko"
target=$1 ko=$2
key=${SFAB_SIGN_KEY:-} cert=${SFAB_SIGN_CERT:-}
if [ -z "$key" ] || [ -z "$cert" ]; then
	die "module signing needs both SFAB_SIGN_KEY (private key) and SFAB_SIGN_CERT (certificate); see README, 'Module signing'"
fi
[ -r "$key" ] || die "SFAB_SIGN_KEY=$key is not a readable file"
[ -r "$cert" ] || die "SFAB_SIGN_CERT=$cert is not a readable file"
root=$(chroot_dir "$target")
kver=$(chroot_kernel "$target")
case $ko in
"$root"/*) ;;
*) die "ci/sign.sh: $ko is not inside $target's chroot ($root)" ;;
esac
signfile=/lib/modules/$kver/build/scripts/sign-file
in_chroot "$target" test -x "$signfile" ||
	die "[$target] $signfile is missing from the kernel headers; cannot sign for $kver"
tmp=$root/tmp/sfab-sign.$$
mkdir -m 700 "$tmp"
trap 'rm -rf "$tmp"' EXIT
cp "$key" "$tmp/key"
cp "$cert" "$tmp/cert"
in_chroot "$target" strip --strip-debug "${ko#"$root"}"
in_chroot "$target" "$signfile" sha512 "/tmp/sfab-sign.$$/key" "/tmp/sfab-sign.$$/cert" "${ko#"$root"}" ||
	die "[$target] sign-file failed on $ko; are SFAB_SIGN_KEY and SFAB_SIGN_CERT a matching key and certificate?"
tail -c 28 "$ko" | grep -q '~Module signature appended~' ||
	die "[$target] $ko carries no signature after sign-file"
signer=$(in_chroot "$target" /sbin/modinfo -F signer "${ko#"$root"}")
log "[$target] $(basename "$ko") signed (signer: ${signer:-unknown}, sha512)"
