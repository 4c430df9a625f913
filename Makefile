# Otasuke UTM — the two commands a newcomer needs are `make run` and `make test`.
# Both install what they need on a fresh Debian 12 machine (as root) first.
SHELL := /bin/bash
DEBS := nftables ulogd2 ulogd2-json iproute2 conntrack tcpdump dnsmasq-base rsyslog rsyslog-openssl rsyslog-gnutls rsyslog-relp openssl \
        chromium busybox udhcpc isc-dhcp-client iputils-ping netcat-openbsd kmod procps python3 fonts-ipafont-gothic tzdata
# The stamp names the lock file's hash: npm ci runs only when the lock really changed
# (not when a fresh checkout merely has newer file times).
SYSLOG_NG_ROOT := /var/cache/utm-lab/syslog-ng
STAMP := node_modules/.installed-$(shell sha256sum package-lock.json | cut -c1-16)

.PHONY: all deps debs build check test test-unit test-integration bench bench-flowtable bench-image run docs clean image image-test image-debs

# Tools the tests need: such a test fails under CI when its tool is missing.
DEBS += shellcheck systemd
# test/bench/packetPath.bench.ts: bulk TCP (iperf3) and its small C UDP generator (gcc, libc6-dev)
DEBS += iperf3 gcc libc6-dev
# test/integration/robust/readOnly.test.ts: the state dir on a loop-mounted ext4 (losetup, mkfs.ext4)
DEBS += mount e2fsprogs
# test/e2e/office.test.ts: the monthly report's figures read back from the printed PDF
DEBS += poppler-utils
# The libraries of syslog-ng-core, which the lab runs unpacked (it cannot be installed beside rsyslog).
DEBS += libcap2 libglib2.0-0 libivykis0 libjson-c5 libnet1 libpcre3 libssl3 libsystemd0 libwrap0

all: build

debs:
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# syslog-ng-core conflicts with rsyslog: the lab runs it unpacked, never installed (test/lab/syslogNg.ts).
	@if [ ! -x $(SYSLOG_NG_ROOT)/usr/sbin/syslog-ng ]; then \
	  echo "unpacking syslog-ng-core into $(SYSLOG_NG_ROOT)"; tmp=$$(mktemp -d) && \
	  (cd $$tmp && { apt-get download syslog-ng-core 2>/dev/null || { apt-get update -qq && apt-get download syslog-ng-core; }; }) && mkdir -p $(SYSLOG_NG_ROOT) && dpkg -x $$tmp/syslog-ng-core_*.deb $(SYSLOG_NG_ROOT) && rm -rf $$tmp; \
	fi

$(STAMP):
	npm ci --no-audit --no-fund
	@touch $@

deps: debs $(STAMP)

build: $(STAMP)
	npx tsc -p tsconfig.build.json
	node firmware/bundle.mjs

check: $(STAMP)
	npx tsc -p tsconfig.json --noEmit
	npx tsx test/tools/importGraph.ts
	npx eslint

test: deps build check
	npx tsx test/lab/cleanup.ts
	npx ava

test-unit: $(STAMP)
	npx ava 'test/unit/**/*.test.ts'

test-integration: deps build
	npx tsx test/lab/cleanup.ts
	npx ava 'test/integration/**/*.test.ts'

# The benches that boot a VM have targets of their own (bench-flowtable, bench-image).
VM_BENCHES := test/bench/flowtableVm.bench.ts test/bench/imageFootprint.bench.ts
bench: deps build
	@for b in $(filter-out $(VM_BENCHES),$(wildcard test/bench/*.bench.ts)); do echo "== $$b"; npx tsx $$b || exit 1; done

run: deps build
	node --import tsx test/lab/demo.ts $(if $(MODE),--mode $(MODE))

docs: $(STAMP)
	npx tsx firmware/src/cli/configDoc.ts > firmware/CONFIG.md
	npx tsx firmware/src/cli/configDoc.ts --schema config > firmware/config.schema.json
	npx tsx firmware/src/cli/configDoc.ts --schema provisioning > firmware/provisioning.schema.json

clean:
	rm -rf dist

# The appliance image (image/README.md). Debian packages are cached in IMAGE_CACHE between
# runs; RAUC_KEYRING names the provider's update CA (outside the repo; a throwaway dev CA
# is made in IMAGE_CACHE without it).
IMAGE_DEBS := mmdebstrap squashfs-tools dosfstools mtools fdisk e2fsprogs openssl rauc \
        qemu-system-x86 qemu-utils ovmf rsyslog iproute2 curl dnsmasq-base
IMAGE_CACHE ?= /var/cache/otasuke-image
IMAGE_OUT ?= build/image

image-debs:
	@$(MAKE) --no-print-directory debs DEBS="$(IMAGE_DEBS)"

image: image-debs $(STAMP)
	image/build.sh --out $(IMAGE_OUT) --cache $(IMAGE_CACHE) $(if $(RAUC_KEYRING),--keyring $(RAUC_KEYRING))

# Boots the image in QEMU inside a namespace lab (test/image/). The test build has its own
# throwaway update CA (made once, outside git) and its own output folder. No lab cleanup here:
# each image test removes its own lab (and QEMU with it) in teardown, and a sweep of stale labs
# belongs to `make test`, not to a target others may run beside their own labs.
IMAGE_TEST_OUT ?= build/image-test
image-test: image-debs $(STAMP)
	@test -f $(IMAGE_CACHE)/test-ca/ca.cert.pem || image/rauc/make-test-ca.sh $(IMAGE_CACHE)/test-ca
	image/build.sh --out $(IMAGE_TEST_OUT) --cache $(IMAGE_CACHE) --keyring $(IMAGE_CACHE)/test-ca/ca.cert.pem
	OTASUKE_TEST_IMAGE=$(abspath $(IMAGE_TEST_OUT)) OTASUKE_TEST_CA=$(IMAGE_CACHE)/test-ca \
	  npx ava --config ava.image.config.mjs

# utmd's memory on the booted test image, idle for 10 minutes (test/bench/imageFootprint.bench.ts).
bench-image: image-debs $(STAMP)
	@test -f $(IMAGE_CACHE)/test-ca/ca.cert.pem || image/rauc/make-test-ca.sh $(IMAGE_CACHE)/test-ca
	image/build.sh --out $(IMAGE_TEST_OUT) --cache $(IMAGE_CACHE) --keyring $(IMAGE_CACHE)/test-ca/ca.cert.pem
	OTASUKE_TEST_IMAGE=$(abspath $(IMAGE_TEST_OUT)) npx tsx test/bench/imageFootprint.bench.ts

# Router mode's flowtable measured on the kernel the box ships (test/bench/flowtableVm.bench.ts):
# boots Debian 13's kernel under QEMU with a small root filesystem built from Debian's archive
# (cached in FLOWVM_CACHE, outside git). Not part of `make test` or `make bench`: under TCG it
# takes a while (README, "Packet-path bench").
FLOWVM_DEBS := qemu-system-x86 mmdebstrap cpio zstd gcc libc6-dev
FLOWVM_CACHE ?= /var/cache/otasuke-flowvm
bench-flowtable: $(STAMP)
	@$(MAKE) --no-print-directory debs DEBS="$(FLOWVM_DEBS)"
	FLOWVM_CACHE=$(FLOWVM_CACHE) npx tsx test/bench/flowtableVm.bench.ts
