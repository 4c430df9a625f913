#!/usr/bin/env bash
# The small VM of test/bench/flowtableVm.bench.ts: Debian 13 (trixie)'s kernel, the box ships
# it, and a root filesystem small enough to be the initramfs (no disk, no systemd): busybox,
# trixie's nftables, iproute2, conntrack, iperf3 and kmod, and of the kernel's modules only
# net/, lib/, crypto/ and the veth/bridge drivers the bench's office needs. Everything comes from
# Debian's archive (the mirror the host's apt uses) through mmdebstrap, as image/build.sh does.
#
#   sudo test/bench/flowtableVm.build.sh [CACHE]     (default /var/cache/otasuke-flowvm)
#
# Writes CACHE/vmlinuz, CACHE/rootfs.cpio.zst and CACHE/versions (kernel and package versions).
# Does nothing when they exist (remove CACHE/rootfs.cpio.zst to rebuild); Debian packages stay
# in CACHE/debs between builds. Never touches image/'s cache.
# mmdebstrap hooks are written in single quotes on purpose: mmdebstrap expands "$1" (the root).
# shellcheck disable=SC2016
set -euo pipefail
CACHE="${1:-/var/cache/otasuke-flowvm}"
SUITE=trixie
PACKAGES=(linux-image-amd64 kmod busybox nftables iproute2 conntrack iperf3 procps)
[[ "$(id -u)" == "0" ]] || { echo "flowtableVm.build.sh: run as root (mmdebstrap in root mode)" >&2; exit 1; }
if [[ -f "${CACHE}/rootfs.cpio.zst" && -f "${CACHE}/vmlinuz" && -f "${CACHE}/versions" ]]; then exit 0; fi
for c in mmdebstrap cpio zstd; do command -v "$c" >/dev/null || { echo "flowtableVm.build.sh: needs $c (apt-get install mmdebstrap cpio zstd)" >&2; exit 1; }; done
# The host's own Debian mirror (the only archive this network may reach), as image/build.sh finds it.
MIRROR="$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \[[^]]*\] *\(http[^ ]*debian\) .*/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1 || true)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
mkdir -p -- "${CACHE}/debs"
STAGE="$(mktemp -d)"
trap 'rm -rf -- "$STAGE"' EXIT
ROOT="${STAGE}/root"
echo "flowtableVm.build.sh: mmdebstrap ${SUITE} from ${MIRROR} into ${ROOT}" >&2
# The kernel's own initramfs is never used (the VM boots this tree instead): initramfs-tools
# is told not to build one (update_initramfs=no, kept over the package's file by force-confold).
mmdebstrap --variant=minbase --mode=root --format=directory \
  --include="$(IFS=','; printf '%s' "${PACKAGES[*]}")" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='force-confold' \
  --essential-hook='mkdir -p "$1"/etc/initramfs-tools && printf "update_initramfs=no\n" > "$1"/etc/initramfs-tools/update-initramfs.conf' \
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
  --setup-hook="sync-in ${CACHE}/debs /var/cache/apt/archives/" \
  --customize-hook="sync-out /var/cache/apt/archives ${CACHE}/debs" \
  --customize-hook='chroot "$1" dpkg-query -W -f="\${Package} \${Version}\n" linux-image-amd64 nftables iproute2 conntrack iperf3 busybox libnftables1 > "$1"/versions' \
  "$SUITE" "$ROOT" "$MIRROR"

KVER="$(find "${ROOT}/usr/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -n 1)"
cp -L -- "${ROOT}/boot/vmlinuz-${KVER}" "${STAGE}/vmlinuz"
{ echo "kernel ${KVER}"; cat "${ROOT}/versions"; } > "${STAGE}/versions"
# Only the modules the office needs: netfilter, bridge, veth and what they depend on.
MODS="${ROOT}/usr/lib/modules/${KVER}"
find "${MODS}/kernel" -mindepth 1 -maxdepth 1 ! -name net ! -name lib ! -name crypto ! -name drivers -exec rm -rf -- {} +
find "${MODS}/kernel/drivers" -mindepth 1 -maxdepth 1 ! -name net -exec rm -rf -- {} +
find "${MODS}/kernel/drivers/net" -mindepth 1 ! -name 'veth.ko*' ! -name 'dummy.ko*' -delete 2>/dev/null || true
find "${MODS}/kernel/net" -mindepth 1 -maxdepth 1 \( -name wireless -o -name mac80211 -o -name bluetooth -o -name sunrpc -o -name ceph -o -name 9p -o -name rxrpc -o -name rds -o -name tipc -o -name sctp -o -name nfc -o -name mpls -o -name batman-adv -o -name appletalk -o -name can -o -name ieee802154 -o -name mac802154 -o -name smc -o -name qrtr -o -name vmw_vsock -o -name ceph -o -name l2tp -o -name atm -o -name x25 \) -exec rm -rf -- {} +
chroot "$ROOT" depmod -a "$KVER"
rm -rf -- "${ROOT:?}/boot" "${ROOT}/var/cache/apt" "${ROOT}/var/lib/apt/lists" "${ROOT}/usr/share/doc" \
  "${ROOT}/usr/lib/firmware" "${ROOT}/usr/share/locale" "${ROOT}/usr/share/man" "${ROOT}/usr/share/zoneinfo"
ln -sf /proc/self/mounts "${ROOT}/etc/mtab"
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet) | zstd -q -T0 -10 > "${STAGE}/rootfs.cpio.zst"
mkdir -p -- "$CACHE"
mv -- "${STAGE}/vmlinuz" "${STAGE}/versions" "$CACHE/"
mv -- "${STAGE}/rootfs.cpio.zst" "$CACHE/"
echo "flowtableVm.build.sh: $(tr '\n' ';' < "${CACHE}/versions") rootfs $(du -h "${CACHE}/rootfs.cpio.zst" | cut -f1)" >&2
