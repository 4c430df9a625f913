#!/usr/bin/env bash
# mkdisk.sh — assembles the appliance disk image (GPT, raw) from build.sh's outputs, without
# loop devices (each filesystem is made in a file and written at its partition's offset).
#
#   image/mkdisk.sh --boot DIR --rootfs rootfs.squashfs --out disk.raw [--provisioning FILE]
#   image/mkdisk.sh --set-provisioning FILE --out disk.raw   (rewrite only that partition)
#
# Layout (partition names are what the box finds its partitions by; UUIDs are fixed so two
# builds give the same table):
#   1 esp           192 MiB  vfat   systemd-boot, slot kernels+initrds, loader entries
#   2 root-a        768 MiB  squashfs  slot A (factory: this build)
#   3 root-b        768 MiB  squashfs  slot B (empty until the first update)
#   4 otasuke-prov    8 MiB  vfat "OTASUKEPROV": the provider's provisioning bundle, read at
#                            first boot (otasuke-utm/provisioning.json)
#   5 otasuke-data  512 MiB  ext4   mounted at /var: everything the box writes
# The data partition is last so a provider can grow it to the rest of a larger disk.
set -euo pipefail
umask 022

BOOT="" ROOTFS="" OUT="" PROV="" SET_PROV=""
while (($#)); do
  case "$1" in
    --boot) BOOT="${2:?}"; shift 2 ;;
    --rootfs) ROOTFS="${2:?}"; shift 2 ;;
    --out) OUT="${2:?}"; shift 2 ;;
    --provisioning) PROV="${2:?}"; shift 2 ;;
    --set-provisioning) SET_PROV="${2:?}"; shift 2 ;;
    -h | --help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'mkdisk.sh: unknown argument %s\n' "$1" >&2; exit 2 ;;
  esac
done
die() { printf 'mkdisk.sh: %s\n' "$*" >&2; exit 1; }
[[ -n "$OUT" ]] || die "--out is required"

readonly MIB=1048576
# start and size of each partition in MiB
readonly ESP_AT=1 ESP_MB=192
readonly ROOTA_AT=193 ROOT_MB=768
readonly ROOTB_AT=961
readonly PROV_AT=1729 PROV_MB=8
readonly DATA_AT=1737 DATA_MB=512
readonly TOTAL_MB=2250
readonly PARTUUID_A="8a1d6c41-0a5e-4f1e-9a35-6f7461000002"
readonly PARTUUID_B="8a1d6c41-0a5e-4f1e-9a35-6f7461000003"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764547200}"

WORK="$(mktemp -d)"
trap 'rm -rf -- "$WORK"' EXIT

# Writes file $1 into $OUT at MiB offset $2.
put() { dd if="$1" of="$OUT" bs=1M seek="$2" conv=notrunc,sparse status=none; }

# The provisioning partition: vfat labelled OTASUKEPROV, optionally holding bundle $1.
prov_fs() {
  local img="${WORK}/prov.img"
  rm -f -- "$img"
  mkfs.vfat -C -n OTASUKEPROV -i 0f7a5a01 --invariant "$img" $((PROV_MB * 1024)) >/dev/null
  if [[ -n "${1:-}" ]]; then
    [[ -f "$1" ]] || die "provisioning bundle $1 not found"
    MTOOLS_SKIP_CHECK=1 mmd -i "$img" ::otasuke-utm
    MTOOLS_SKIP_CHECK=1 mcopy -i "$img" -- "$1" ::otasuke-utm/provisioning.json
  fi
  put "$img" "$PROV_AT"
}

if [[ -n "$SET_PROV" ]]; then
  [[ -f "$OUT" ]] || die "${OUT} does not exist"
  prov_fs "$SET_PROV"
  exit 0
fi
[[ -d "$BOOT" && -f "${BOOT}/vmlinuz" && -f "${BOOT}/initrd.img" && -f "${BOOT}/systemd-bootx64.efi" ]] || die "--boot needs vmlinuz, initrd.img, systemd-bootx64.efi"
[[ -f "$ROOTFS" ]] || die "--rootfs ${ROOTFS} not found"
(($(stat -c %s -- "$ROOTFS") <= ROOT_MB * MIB)) || die "rootfs is larger than a ${ROOT_MB} MiB slot"

rm -f -- "$OUT"
truncate -s "${TOTAL_MB}M" "$OUT"
sfdisk --quiet --no-reread --no-tell-kernel "$OUT" <<EOT
label: gpt
label-id: 8A1D6C41-0A5E-4F1E-9A35-6F7461000000
unit: sectors
start=$((ESP_AT * 2048)), size=$((ESP_MB * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=8a1d6c41-0a5e-4f1e-9a35-6f7461000001, name="esp"
start=$((ROOTA_AT * 2048)), size=$((ROOT_MB * 2048)), type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=${PARTUUID_A}, name="root-a"
start=$((ROOTB_AT * 2048)), size=$((ROOT_MB * 2048)), type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=${PARTUUID_B}, name="root-b"
start=$((PROV_AT * 2048)), size=$((PROV_MB * 2048)), type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=8a1d6c41-0a5e-4f1e-9a35-6f7461000004, name="otasuke-prov"
start=$((DATA_AT * 2048)), size=$((DATA_MB * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=8a1d6c41-0a5e-4f1e-9a35-6f7461000005, name="otasuke-data"
EOT

# ESP: systemd-boot as the removable-media loader, slot A's kernel, the factory entry.
ESP="${WORK}/esp.img"
mkfs.vfat -C -F 32 -n ESP -i 0f7a5a00 --invariant "$ESP" $((ESP_MB * 1024)) >/dev/null
mkdir -p -- "${WORK}/esp/EFI/BOOT" "${WORK}/esp/loader/entries" "${WORK}/esp/otasuke/a" "${WORK}/esp/otasuke/b"
cp -- "${BOOT}/systemd-bootx64.efi" "${WORK}/esp/EFI/BOOT/BOOTX64.EFI"
cp -- "${BOOT}/vmlinuz" "${BOOT}/initrd.img" "${WORK}/esp/otasuke/a/"
# timeout 0: no menu; systemd-boot boots the first entry of its order (see
# rauc/bootloader-custom for how that order encodes the primary slot and the boot counter).
printf 'timeout 0\neditor no\nauto-entries no\nauto-firmware no\n' >"${WORK}/esp/loader/loader.conf"
cat >"${WORK}/esp/loader/entries/otasuke-a.conf" <<EOT
title      Otasuke UTM (slot A)
sort-key   otasuke
version    1
linux      /otasuke/a/vmlinuz
initrd     /otasuke/a/initrd.img
options    root=PARTUUID=${PARTUUID_A} ro rootfstype=squashfs rauc.slot=A console=tty0 console=ttyS0,115200 panic=10
EOT
find "${WORK}/esp" -exec touch -h -d "@${SOURCE_DATE_EPOCH}" {} +
MTOOLS_SKIP_CHECK=1 mcopy -s -p -m -i "$ESP" -- "${WORK}/esp/EFI" "${WORK}/esp/loader" "${WORK}/esp/otasuke" ::
put "$ESP" "$ESP_AT"

put "$ROOTFS" "$ROOTA_AT"
prov_fs "$PROV"

# Data: empty ext4; the box makes its folders at boot (tmpfiles).
DATA="${WORK}/data.img"
E2FSPROGS_FAKE_TIME="$SOURCE_DATE_EPOCH" mkfs.ext4 -q -F -L otasuke-data -U 8a1d6c41-0a5e-4f1e-9a35-6f7461000015 \
  -E "root_owner=0:0,hash_seed=8a1d6c41-0a5e-4f1e-9a35-6f7461000016,lazy_itable_init=0" "$DATA" "${DATA_MB}M"
put "$DATA" "$DATA_AT"
printf 'mkdisk.sh: wrote %s (%s MiB, sparse)\n' "$OUT" "$TOTAL_MB"
