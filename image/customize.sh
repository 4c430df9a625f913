#!/usr/bin/env bash
# customize.sh ROOT — mmdebstrap customize hook of image/build.sh: turns the trixie rootfs in
# ROOT into the appliance's read-only slot. Environment from build.sh: OTASUKE_APP (the app
# tree), OTASUKE_IMAGE (this folder), OTASUKE_VERSION_FILE, OTASUKE_KEYRING (RAUC CA).
#
# Read-only root: everything the box writes lives on the data partition, mounted at /var
# (state dir, journal, RAUC status). /etc/otasuke-utm is a link into the state dir so the
# provisioning bundle and local config are data, not firmware.
set -euo pipefail
umask 022

ROOT="${1:?usage: customize.sh ROOT}"
readonly ROOT
readonly APP_DIR="/opt/otasuke-utm"
: "${OTASUKE_APP:?}" "${OTASUKE_IMAGE:?}" "${OTASUKE_VERSION_FILE:?}" "${OTASUKE_KEYRING:?}"
VERSION="$(cat -- "$OTASUKE_VERSION_FILE")"
readonly VERSION
in_root() { LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$ROOT" "$@"; }

# --- The application -----------------------------------------------------------------------
mkdir -p -- "${ROOT}${APP_DIR}"
cp -a -- "${OTASUKE_APP}/." "${ROOT}${APP_DIR}/"
chown -R 0:0 -- "${ROOT}${APP_DIR}"
chmod 0755 -- "${ROOT}${APP_DIR}/firmware/bin/utmd" "${ROOT}${APP_DIR}/firmware/bin/utmctl" \
  "${ROOT}${APP_DIR}/image/firstboot/otasuke-firstboot" "${ROOT}${APP_DIR}/image/health/otasuke-healthcheck"
ln -sf -- "${APP_DIR}/firmware/bin/utmd" "${ROOT}/usr/local/bin/utmd"
ln -sf -- "${APP_DIR}/firmware/bin/utmctl" "${ROOT}/usr/local/bin/utmctl"
# The runtime build.sh put in the app tree is the box's only node (no Debian nodejs): utmd.service
# starts it by its path, and the launchers' `#!/usr/bin/env node` find it through this link.
chmod 0755 -- "${ROOT}${APP_DIR}/node/bin/node"
ln -sf -- "${APP_DIR}/node/bin/node" "${ROOT}/usr/local/bin/node"
if [[ -e "${ROOT}/usr/bin/node" ]]; then
  echo "customize: /usr/bin/node exists: a second Node.js reached the image" >&2
  exit 1
fi
# The native module loads and the validator runs with the image's own Node and glibc.
in_root node -e "new (require('${APP_DIR}/node_modules/better-sqlite3'))(':memory:').close()"
# The example bundle's password is a known example one, so the validator must run AND refuse
# it for exactly that reason (issue 12: the example once passed).
if check_out="$(in_root "${APP_DIR}/firmware/bin/utmd" --check-provisioning "${APP_DIR}/image/provisioning.example.json" 2>&1)"; then
  echo "customize: the example bundle passed --check-provisioning; its password must be refused" >&2
  exit 1
fi
case "${check_out}" in
  *'known example password'*) ;;
  *) echo "customize: --check-provisioning failed for another reason: ${check_out}" >&2; exit 1 ;;
esac

# --- Release identity (read by utmctl update status, RAUC handlers, diag) -------------------
cat >"${ROOT}/etc/otasuke-release" <<EOF
VERSION=${VERSION}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
SUITE=trixie
EOF

# --- System files ----------------------------------------------------------------------------
install -m 0644 -t "${ROOT}/etc/systemd/system/" -- "${OTASUKE_IMAGE}"/systemd/*.service
install -D -m 0644 -t "${ROOT}/etc/sysctl.d/" -- "${OTASUKE_IMAGE}"/sysctl.d/*.conf
install -D -m 0644 -t "${ROOT}/etc/modules-load.d/" -- "${OTASUKE_IMAGE}"/modules-load.d/*.conf
install -D -m 0644 -t "${ROOT}/etc/systemd/network/" -- "${OTASUKE_IMAGE}"/network/*
install -D -m 0644 -- "${OTASUKE_IMAGE}/system/fstab" "${ROOT}/etc/fstab"
install -D -m 0644 -- "${OTASUKE_IMAGE}/system/tmpfiles.conf" "${ROOT}/usr/lib/tmpfiles.d/otasuke-utm.conf"
install -D -m 0644 -- "${OTASUKE_IMAGE}/system/journald.conf" "${ROOT}/etc/systemd/journald.conf.d/otasuke.conf"
install -D -m 0644 -- "${OTASUKE_IMAGE}/system/watchdog.conf" "${ROOT}/etc/systemd/system.conf.d/otasuke-watchdog.conf"
# RAUC: slots, the CA bundles must chain to, the systemd-boot backend and the version floor.
install -D -m 0644 -- "${OTASUKE_IMAGE}/rauc/system.conf" "${ROOT}/etc/rauc/system.conf"
install -D -m 0644 -- "$OTASUKE_KEYRING" "${ROOT}/etc/rauc/keyring.pem"
install -D -m 0755 -t "${ROOT}/usr/lib/otasuke/" -- "${OTASUKE_IMAGE}/rauc/bootloader-custom" "${OTASUKE_IMAGE}/rauc/pre-install"
mkdir -p -- "${ROOT}/efi"
# /etc/otasuke-utm is data (provisioning bundle, local config), on the data partition.
rm -rf -- "${ROOT}/etc/otasuke-utm"
ln -s -- /var/lib/otasuke-utm/etc "${ROOT}/etc/otasuke-utm"

# Stable names for the slot's kernel and initrd (the RAUC slot hook copies them to the ESP).
KVER="$(find "${ROOT}/lib/modules/" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
ln -sf -- "vmlinuz-${KVER}" "${ROOT}/boot/vmlinuz"
ln -sf -- "initrd.img-${KVER}" "${ROOT}/boot/initrd.img"
# The initrd must mount a squashfs root from virtio/NVMe/SATA disks found by PARTUUID.
for m in squashfs virtio_blk virtio_pci nvme sd_mod ahci; do
  grep -qx -- "$m" "${ROOT}/etc/initramfs-tools/modules" || printf '%s\n' "$m" >>"${ROOT}/etc/initramfs-tools/modules"
done
printf 'COMPRESS=zstd\n' >"${ROOT}/etc/initramfs-tools/conf.d/otasuke"
# mkinitramfs honours SOURCE_DATE_EPOCH: rebuild once with our modules list so it is stable.
in_root update-initramfs -u -k "$KVER"

# --- Services --------------------------------------------------------------------------------
# The clock: a box left alone for years needs it right (TLS to the collector and the feeds,
# the messages' timestamps, the daily statistics, the schedules). timesyncd takes NTP servers
# from DHCP (systemd-networkd passes them) or Debian's pool, and keeps the last time it knew
# in /var/lib/systemd/timesync: after its first sync, a box whose RTC battery is dead starts
# from that time at boot, not from systemd's build date.
in_root systemctl enable utmd-restore.service otasuke-firstboot.service utmd.service otasuke-healthy.service \
  systemd-networkd.service systemd-resolved.service systemd-timesyncd.service
# Debian's nftables.service loads /etc/nftables.conf, which starts with `flush ruleset`:
# it would wipe the restored last-good ruleset. Debian enables ulogd2.service on install; its
# default config would take NFLOG groups and write /var/log/ulog, while utmd renders and
# supervises its own ulogd2. Neither may ever run on this box.
in_root systemctl mask nftables.service ulogd2.service
# dnsmasq (router mode) runs as its own locked system user; utmd cannot create it at run time
# (/etc is read-only under the unit's ProtectSystem=strict). README: "Router mode: DHCP and DNS".
in_root useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
  --comment 'Otasuke UTM dnsmasq (DHCP and DNS for the office)' otasuke-dnsmasq
# RAUC's D-Bus service is started on demand by `rauc install`; mark-good runs in-process.
ln -sfn ../run/systemd/resolve/stub-resolv.conf "${ROOT}/etc/resolv.conf"

# --- Per-box identity is made at boot, never baked into the image --------------------------
: >"${ROOT}/etc/machine-id"
rm -f -- "${ROOT}/var/lib/dbus/machine-id"
# No root password: the console shows the login prompt, technicians need the provider's key.
in_root passwd -l root >/dev/null
printf 'otasuke-utm\n' >"${ROOT}/etc/hostname"

# --- Reproducibility: drop what records the build's own moment --------------------------------
in_root apt-get clean
rm -rf -- "${ROOT}"/var/lib/apt/lists/* "${ROOT}"/var/cache/ldconfig/aux-cache "${ROOT}"/var/log/* \
  "${ROOT}"/var/cache/debconf/*-old "${ROOT}"/var/lib/dpkg/*-old "${ROOT}"/etc/*- \
  "${ROOT}"/root/.npm "${ROOT}"/tmp/* "${ROOT}"/var/tmp/*
find "${ROOT}/usr/lib/python3"* -name '__pycache__' -prune -exec rm -rf {} + 2>/dev/null || true
