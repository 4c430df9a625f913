#!/usr/bin/env bash
# bundle.sh — makes a signed RAUC update bundle (verity format) from a slot image.
#
#   image/rauc/bundle.sh --rootfs rootfs.squashfs --version V --cert C.pem --key K.pem
#                        --out update.raucb [--keyring CA.pem]
#
# The signing key and certificate come from outside the repository (the provider's signing
# service; tests make a throwaway CA with make-test-ca.sh). --keyring checks the result.
set -euo pipefail
umask 022
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOTFS="" VERSION="" CERT="" KEY="" OUT="" KEYRING=""
while (($#)); do
  case "$1" in
    --rootfs) ROOTFS="${2:?}"; shift 2 ;;
    --version) VERSION="${2:?}"; shift 2 ;;
    --cert) CERT="${2:?}"; shift 2 ;;
    --key) KEY="${2:?}"; shift 2 ;;
    --out) OUT="${2:?}"; shift 2 ;;
    --keyring) KEYRING="${2:?}"; shift 2 ;;
    -h | --help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'bundle.sh: unknown argument %s\n' "$1" >&2; exit 2 ;;
  esac
done
die() { printf 'bundle.sh: %s\n' "$*" >&2; exit 1; }
[[ -f "$ROOTFS" && -n "$VERSION" && -f "$CERT" && -f "$KEY" && -n "$OUT" ]] || die "need --rootfs --version --cert --key --out"
[[ "$VERSION" =~ ^[0-9]+(\.[0-9]+){1,3}([~+-][A-Za-z0-9.]+)?$ ]] || die "bad --version ${VERSION}"
WORK="$(mktemp -d)"
trap 'rm -rf -- "$WORK"' EXIT
mkdir -p -- "${WORK}/content"
cp -- "$ROOTFS" "${WORK}/content/rootfs.squashfs"
install -m 0755 -- "${HERE}/bundle-hook" "${WORK}/content/hook"
cat >"${WORK}/content/manifest.raucm" <<EOT
[update]
compatible=otasuke-utm-amd64
version=${VERSION}
description=Otasuke UTM ${VERSION}

[bundle]
format=verity

[hooks]
filename=hook

[image.rootfs]
filename=rootfs.squashfs
hooks=post-install
EOT
rm -f -- "$OUT"
ARGS=(bundle --cert="$CERT" --key="$KEY")
[[ -z "$KEYRING" ]] || ARGS+=(--keyring="$KEYRING")
rauc "${ARGS[@]}" "${WORK}/content" "$OUT"
