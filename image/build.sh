#!/usr/bin/env bash
# build.sh — builds the Otasuke UTM appliance root filesystem (Debian 12 "bookworm").
#
#   sudo image/build.sh [--out DIR] [--tar FILE] [--mirror URL] [--force]
#
# Produces a complete rootfs directory (and optionally a tarball) with utmd installed under
# /opt/otasuke-utm, the systemd units, sysctl, modules and networkd files of this folder, and
# the services enabled. Turning the rootfs into a disk image (partitions, bootloader) depends
# on the provider's hardware and is not done here.
#
# Needs: root, debootstrap, the Debian archive (network), Node.js 20 + npm on the build host
# (same major version as the image, because better-sqlite3 is a native module), and the
# NodeSource archive key (see NODESOURCE_KEYRING). Takes minutes; tests never run it (they
# only check its syntax and --help).
#
# Node.js: Debian 12 ships Node.js 18, but the project needs Node.js 20 (package.json
# engines). The image installs `nodejs` 20.x from the NodeSource apt archive — the same
# source our CI machines use (deb.nodesource.com/node_20.x, suite nodistro) — pinned to
# that origin, with the archive key copied from the build host (never `curl | bash`).
# Security updates for Node then arrive through apt like every other package.
set -euo pipefail
umask 022

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "${HERE}/.." && pwd)"
readonly HERE PROJECT
readonly SUITE="bookworm"
readonly ARCH="amd64"
readonly APP_DIR="/opt/otasuke-utm"
NODESOURCE_KEYRING="${NODESOURCE_KEYRING:-/usr/share/keyrings/nodesource.gpg}"
NODESOURCE_URL="${NODESOURCE_URL:-https://deb.nodesource.com/node_20.x}"
OUT="${PROJECT}/build/rootfs"
TAR=""
MIRROR="http://deb.debian.org/debian"
FORCE=0

# Debian packages of the appliance (beyond debootstrap's minbase).
readonly PACKAGES=(
  systemd systemd-sysv systemd-resolved udev dbus kmod linux-image-amd64
  iproute2 nftables conntrack ulogd2 ulogd2-json tcpdump dnsmasq-base
  ca-certificates curl util-linux openssh-server less
)

usage() {
  sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
  --out DIR     rootfs directory to create (default: build/rootfs in the project)
  --tar FILE    also write the rootfs as a .tar.gz
  --mirror URL  Debian mirror (default http://deb.debian.org/debian)
  --force       delete DIR first if it exists
Environment: NODESOURCE_KEYRING (default /usr/share/keyrings/nodesource.gpg),
             NODESOURCE_URL (default https://deb.nodesource.com/node_20.x)
EOF
}

die() {
  printf 'build.sh: %s\n' "$*" >&2
  exit 1
}
step() { printf '\n== %s\n' "$*"; }

while (($#)); do
  case "$1" in
    --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
    --tar) TAR="${2:?--tar needs a file}"; shift 2 ;;
    --mirror) MIRROR="${2:?--mirror needs a URL}"; shift 2 ;;
    --force) FORCE=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# --- Prerequisites --------------------------------------------------------------------------
[[ "$(id -u)" == "0" ]] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then die "node and npm (20.x) are needed on the build host"; fi
HOST_NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$HOST_NODE_MAJOR" == "20" ]] || die "build host has Node.js ${HOST_NODE_MAJOR}; need 20 (native modules must match the image)"
[[ -f "$NODESOURCE_KEYRING" ]] || die "NodeSource key not found at ${NODESOURCE_KEYRING} (set NODESOURCE_KEYRING)"
[[ "$OUT" == /* ]] || OUT="$(pwd)/${OUT}"
[[ "$OUT" != "/" ]] || die "refusing --out /"
if [[ -e "$OUT" ]]; then
  ((FORCE)) || die "${OUT} exists; use --force to replace it"
  umount -R -- "$OUT/proc" "$OUT/sys" "$OUT/dev" 2>/dev/null || true
  rm -rf --one-file-system -- "$OUT"
fi

STAGE="$(mktemp -d)"
MOUNTS=()
cleanup() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -R -- "${MOUNTS[i]}" || true; done
  rm -f -- "${OUT}/usr/sbin/policy-rc.d"
  rm -rf -- "$STAGE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$OUT" "$@"; }

# --- 1. The application, staged on the host --------------------------------------------------
step "staging the application"
(cd "$PROJECT" && npx tsc -p tsconfig.build.json)
mkdir -p -- "${STAGE}/app"
cp -a -- "${PROJECT}/package.json" "${PROJECT}/package-lock.json" "${PROJECT}/dist" "${PROJECT}/rules" "${STAGE}/app/"
mkdir -p -- "${STAGE}/app/firmware" "${STAGE}/app/webui" "${STAGE}/app/image"
cp -a -- "${PROJECT}/firmware/bin" "${STAGE}/app/firmware/"
# Static assets of the page, when the web UI has them (server code is in dist/).
if [[ -d "${PROJECT}/webui/static" ]]; then cp -a -- "${PROJECT}/webui/static" "${STAGE}/app/webui/"; fi
cp -a -- "${HERE}/README.md" "${HERE}/provisioning.example.json" "${HERE}/firstboot" "${STAGE}/app/image/"
# Production dependencies only, taken from the project's own installed node_modules (the
# exact versions of package-lock.json, native modules already built for the host's Node 20
# and glibc, which match the image — checked inside the rootfs below) and pruned offline.
# This avoids a second download and a from-source build of better-sqlite3.
[[ -d "${PROJECT}/node_modules/better-sqlite3" ]] || die "node_modules missing: run \`make build\` (npm ci) first"
cp -aL -- "${PROJECT}/node_modules" "${STAGE}/app/node_modules"
(cd "${STAGE}/app" && npm prune --omit=dev --offline --no-audit --no-fund)
find "${STAGE}/app/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete

# --- 2. Debian base system ------------------------------------------------------------------
step "debootstrap ${SUITE} (${ARCH}) from ${MIRROR}"
debootstrap --variant=minbase --arch="$ARCH" \
  --include="$(IFS=','; printf '%s' "${PACKAGES[*]}")" \
  "$SUITE" "$OUT" "$MIRROR"

for m in proc sys dev; do
  case "$m" in
    proc) mount -t proc proc "${OUT}/proc" ;;
    sys) mount -t sysfs sys "${OUT}/sys" ;;
    dev) mount --rbind /dev "${OUT}/dev" && mount --make-rslave "${OUT}/dev" ;;
  esac
  MOUNTS+=("${OUT}/${m}")
done
# No service may start inside the build chroot.
printf '#!/bin/sh\nexit 101\n' >"${OUT}/usr/sbin/policy-rc.d"
chmod 0755 "${OUT}/usr/sbin/policy-rc.d"

# Name resolution inside the chroot while building: systemd-resolved made /etc/resolv.conf
# a link to its stub, which does not run here. The link is put back at the end.
rm -f -- "${OUT}/etc/resolv.conf"
cp -L -- /etc/resolv.conf "${OUT}/etc/resolv.conf"

cat >"${OUT}/etc/apt/sources.list" <<EOF
deb ${MIRROR} ${SUITE} main
deb ${MIRROR} ${SUITE}-updates main
deb http://security.debian.org/debian-security ${SUITE}-security main
EOF

# --- 3. Node.js 20 from NodeSource (same source as CI), pinned to that origin ---------------
step "Node.js 20 from ${NODESOURCE_URL}"
install -D -m 0644 -- "$NODESOURCE_KEYRING" "${OUT}/usr/share/keyrings/nodesource.gpg"
cat >"${OUT}/etc/apt/sources.list.d/nodesource.sources" <<EOF
Types: deb
URIs: ${NODESOURCE_URL}
Suites: nodistro
Components: main
Architectures: ${ARCH}
Signed-By: /usr/share/keyrings/nodesource.gpg
EOF
# Debian's own nodejs (18) must never win over NodeSource's 20.x.
cat >"${OUT}/etc/apt/preferences.d/nodejs" <<'EOF'
Package: nodejs
Pin: origin deb.nodesource.com
Pin-Priority: 1001
EOF
in_root apt-get update -q
# apt-get update exits 0 even when an archive was unreachable; without NodeSource's index the
# candidate would silently be Debian's nodejs 18. Refuse that before installing anything.
NODE_CANDIDATE="$(in_root apt-cache policy nodejs | sed -n 's/^ *Candidate: *//p')"
[[ "$NODE_CANDIDATE" == 20.* ]] || die "nodejs candidate is '${NODE_CANDIDATE}', not 20.x: is ${NODESOURCE_URL} reachable?"
in_root apt-get install -y -q --no-install-recommends nodejs
IMAGE_NODE_MAJOR="$(in_root node -p 'process.versions.node.split(".")[0]')"
[[ "$IMAGE_NODE_MAJOR" == "20" ]] || die "image got Node.js ${IMAGE_NODE_MAJOR}, expected 20"

# --- 4. The application and our system files -----------------------------------------------
step "installing Otasuke UTM into ${APP_DIR}"
mkdir -p -- "${OUT}${APP_DIR}"
cp -a -- "${STAGE}/app/." "${OUT}${APP_DIR}/"
chown -R 0:0 -- "${OUT}${APP_DIR}"
chmod 0755 -- "${OUT}${APP_DIR}/firmware/bin/utmd" "${OUT}${APP_DIR}/firmware/bin/utmctl" "${OUT}${APP_DIR}/image/firstboot/otasuke-firstboot"
ln -sf -- "${APP_DIR}/firmware/bin/utmd" "${OUT}/usr/local/bin/utmd"
ln -sf -- "${APP_DIR}/firmware/bin/utmctl" "${OUT}/usr/local/bin/utmctl"

install -m 0644 -t "${OUT}/etc/systemd/system/" -- "${HERE}"/systemd/*.service
install -D -m 0644 -t "${OUT}/etc/sysctl.d/" -- "${HERE}"/sysctl.d/*.conf
install -D -m 0644 -t "${OUT}/etc/modules-load.d/" -- "${HERE}"/modules-load.d/*.conf
install -D -m 0644 -t "${OUT}/etc/systemd/network/" -- "${HERE}"/network/*
install -d -m 0755 -- "${OUT}/etc/otasuke-utm"
install -d -m 0700 -- "${OUT}/var/lib/otasuke-utm"
# dnsmasq (router mode) runs as its own locked system user; utmd cannot create it at run time
# (/etc is read-only under the unit's ProtectSystem=strict). README: "Router mode: DHCP and DNS".
in_root useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
  --comment 'Otasuke UTM dnsmasq (DHCP and DNS for the office)' otasuke-dnsmasq

# The native module loads and the validator runs with the image's own Node and libc.
in_root node -e "new (require('${APP_DIR}/node_modules/better-sqlite3'))(':memory:').close()"
in_root "${APP_DIR}/firmware/bin/utmd" --check-provisioning "${APP_DIR}/image/provisioning.example.json"

# --- 5. Services ---------------------------------------------------------------------------
step "enabling services"
in_root systemctl enable utmd-restore.service otasuke-firstboot.service utmd.service \
  systemd-networkd.service systemd-resolved.service ssh.service
# Debian's nftables.service loads /etc/nftables.conf, which starts with `flush ruleset`:
# it would wipe the restored last-good ruleset. Debian enables ulogd2.service on install; its
# default config would take NFLOG groups and write /var/log/ulog, while utmd renders and
# supervises its own ulogd2. Neither may ever run on this box.
in_root systemctl mask nftables.service ulogd2.service
# DNS for the box itself comes from DHCP on br0 through systemd-resolved.
ln -sfn ../run/systemd/resolve/stub-resolv.conf "${OUT}/etc/resolv.conf"

# --- 6. Per-box identity is made at first boot, never baked into the image -----------------
step "removing build-time identity"
# Empty machine-id: systemd creates a unique one at first boot (also seeds br0's MAC).
: >"${OUT}/etc/machine-id"
rm -f -- "${OUT}/var/lib/dbus/machine-id"
# SSH host keys are generated per box on the first start of ssh.service.
rm -f -- "${OUT}"/etc/ssh/ssh_host_*
install -d -m 0755 -- "${OUT}/etc/systemd/system/ssh.service.d"
cat >"${OUT}/etc/systemd/system/ssh.service.d/otasuke-hostkeys.conf" <<'EOF'
# Otasuke UTM: host keys are not shipped in the image; make this box's own on first start.
# The empty line resets Debian's list so the keys exist before its `sshd -t` check runs.
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
EOF
# No root password: technicians log in with keys the provider installs.
in_root passwd -l root
printf 'otasuke-utm\n' >"${OUT}/etc/hostname"
in_root apt-get clean
rm -rf -- "${OUT}"/var/lib/apt/lists/*

for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -R -- "${MOUNTS[i]}"; done
MOUNTS=()
rm -f -- "${OUT}/usr/sbin/policy-rc.d"

if [[ -n "$TAR" ]]; then
  step "writing ${TAR}"
  tar --numeric-owner --xattrs --acls -C "$OUT" -czf "$TAR" .
fi
step "done: ${OUT}"
