#!/usr/bin/env bash
# usage: ci/sign-check.sh TARGET
# Module signing, checked on TARGET's build (out/build/TARGET/sfab.ko):
# unsigned by default (no key given to the build), and with a throw-away
# key and certificate, ci/sign.sh strips and signs a copy that modinfo
# then shows signed by that certificate, with sha512.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: ci/sign-check.sh TARGET"
target=$1
need_tool openssl
ko=$SFAB_OUT/build/$target/sfab.ko
[ -f "$ko" ] || die "[$target] no $ko; run 'ci/build.sh $target' first"
if [ -z "${SFAB_SIGN_KEY:-}" ] && tail -c 28 "$ko" | grep -q '~Module signature appended~'; then
	die "[$target] $ko is signed although no key was given: unsigned is the default"
fi
root=$(chroot_dir "$target")
tmp=$(mktemp -d "$root/tmp/sfab-sign-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=sfab sign-check $$/" \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || die "openssl could not make a test key"
cp "$ko" "$tmp/sfab.ko"
SFAB_SIGN_KEY=$tmp/key.pem SFAB_SIGN_CERT=$tmp/cert.pem "$SFAB_TOP/ci/sign.sh" "$target" "$tmp/sfab.ko"
signer=$(in_chroot "$target" /sbin/modinfo -F signer "${tmp#"$root"}/sfab.ko")
algo=$(in_chroot "$target" /sbin/modinfo -F sig_hashalgo "${tmp#"$root"}/sfab.ko")
[ "$signer" = "sfab sign-check $$" ] || die "[$target] the signed module's signer is '$signer'"
[ "$algo" = sha512 ] || die "[$target] the signed module's hash is '$algo', not sha512"
if in_chroot "$target" sh -c "readelf -S '${tmp#"$root"}/sfab.ko' | grep -q '\.debug_info'"; then
	die "[$target] the signed module still has debug info: strip must come before signing"
fi
echo "[$target] unsigned by default; signed copy: signer '$signer', $algo, no debug info"
