# Otasuke UTM — the two commands a newcomer needs are `make run` and `make test`.
# Both install what they need on a fresh Debian 12 machine (as root) first.
SHELL := /bin/bash
DEBS := nftables ulogd2 ulogd2-json iproute2 conntrack tcpdump dnsmasq-base rsyslog rsyslog-openssl rsyslog-gnutls rsyslog-relp openssl \
        chromium busybox udhcpc isc-dhcp-client iputils-ping netcat-openbsd kmod procps python3 fonts-ipafont-gothic
# The stamp names the lock file's hash: npm ci runs only when the lock really changed
# (not when a fresh checkout merely has newer file times).
SYSLOG_NG_ROOT := /var/cache/utm-lab/syslog-ng
STAMP := node_modules/.installed-$(shell sha256sum package-lock.json | cut -c1-16)

.PHONY: all deps debs build check test test-unit test-integration bench run docs clean

# Tools the tests need: such a test fails under CI when its tool is missing.
DEBS += shellcheck systemd

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
	  (cd $$tmp && apt-get download syslog-ng-core) && mkdir -p $(SYSLOG_NG_ROOT) && dpkg -x $$tmp/syslog-ng-core_*.deb $(SYSLOG_NG_ROOT) && rm -rf $$tmp; \
	fi

$(STAMP):
	npm ci --no-audit --no-fund
	@touch $@

deps: debs $(STAMP)

build: $(STAMP)
	npx tsc -p tsconfig.build.json

check: $(STAMP)
	npx tsc -p tsconfig.json --noEmit
	npx tsx test/tools/importGraph.ts

test: deps build check
	npx tsx test/lab/cleanup.ts
	npx ava

test-unit: $(STAMP)
	npx ava 'test/unit/**/*.test.ts'

test-integration: deps build
	npx tsx test/lab/cleanup.ts
	npx ava 'test/integration/**/*.test.ts'

bench: deps build
	@for b in test/bench/*.bench.ts; do echo "== $$b"; npx tsx $$b || exit 1; done

run: deps build
	node --import tsx test/lab/demo.ts $(if $(MODE),--mode $(MODE))

docs: $(STAMP)
	npx tsx firmware/src/cli/configDoc.ts > firmware/CONFIG.md
	npx tsx firmware/src/cli/configDoc.ts --schema config > firmware/config.schema.json
	npx tsx firmware/src/cli/configDoc.ts --schema provisioning > firmware/provisioning.schema.json

clean:
	rm -rf dist
