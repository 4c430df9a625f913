// The optional local config file (JSON). Everything has a default, so utmd runs with none.
import { z } from 'zod';
import { DnsDomain, HostLabel, IfName, IpAddress, IpEntry, IpPrefix, Port } from './fields.js';
import { FeedsConfigSchema } from './feeds.js';
import { isHostOrAddress } from '../net/hostOrAddress.js';
import { UpstreamTargetSchema } from './upstream.js';

/** Per-kind cooldowns (seconds) shipped by default: slow stories fold their reminders for a day. */
export const DEFAULT_COOLDOWN_BY_KIND: Readonly<Record<string, number>> = { beacon: 86_400, long_connection: 86_400, upload: 21_600, mail_abuse: 7_200 };

/** The alert pipeline's cooldown for a kind (ms): the config's per-kind value, else the shipped one, else cooldownSeconds. */
export function cooldownMsFor(alerts: { cooldownSeconds: number; cooldownByKind: Record<string, number> }): (kind: string) => number {
  const byKind: Record<string, number> = { ...DEFAULT_COOLDOWN_BY_KIND, ...alerts.cooldownByKind };
  return (kind) => ((Object.hasOwn(byKind, kind) ? byKind[kind] : undefined) ?? alerts.cooldownSeconds) * 1000;
}

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Ignored; lets editors find the JSON schema'),
    mode: z
      .enum(['auto', 'bridge', 'router'])
      .default('auto')
      .describe('bridge: sit transparently between the internet router and the office switch; router: route and NAT for the office; auto: bridge when the box has two or more Ethernet ports'),
    interfaces: z
      .strictObject({
        wan: IfName.optional().describe('Port facing the internet router. A claim the evidence must confirm before the box serves anything (README: Ports). Auto: the one port where the router is seen'),
        lan: z.array(IfName).min(1).optional().describe('Ports facing the office. Auto: every other Ethernet port, once the router\'s port is proven'),
        bridge: IfName.default('br0').describe('Bridge device that joins the ports in bridge mode'),
      })
      .default({ bridge: 'br0' })
      .describe('Which port is which. Leave out to detect'),
    lan: z
      .strictObject({
        prefixes: z.array(IpPrefix).optional().describe('Office address ranges. Auto: the prefixes on the LAN side of the box'),
      })
      .default({})
      .describe('The office network'),
    blocklist: z
      .strictObject({
        local: z.array(IpEntry).max(100_000).default([]).describe('Addresses, prefixes or ranges always blocked in both directions'),
      })
      .default({ local: [] })
      .describe('Local blocklist (feeds are configured separately)'),
    feeds: FeedsConfigSchema,
    allowlist: z
      .strictObject({
        local: z.array(IpEntry).max(10_000).default([]).describe('Addresses never blocked, whatever a blocklist says'),
      })
      .default({ local: [] })
      .describe('Allowlist, evaluated before every blocklist'),
    router: z
      .strictObject({
        dnsServers: z.array(IpAddress).max(8).optional().describe('Resolvers the box forwards the office\'s DNS to in router mode. Default: those in the box\'s own /etc/resolv.conf'),
        localDomain: DnsDomain.default('lan').describe('Domain the office\'s devices are named under (a PC that calls itself keiri-pc is keiri-pc.lan); answered by the box, never asked outside'),
        boxName: HostLabel.default('otasuke').describe('The box\'s own name in the office (otasuke and otasuke.lan point at the box); no device can take it'),
        dnsRebindAllowed: z.array(DnsDomain).max(32).default([]).describe('Domains whose answers from outside may point into private ranges (e.g. the provider\'s own names for the box). Every other outside answer that points into private, loopback or link-local ranges is dropped (DNS rebinding)'),
      })
      .default({ localDomain: 'lan', boxName: 'otasuke', dnsRebindAllowed: [] })
      .describe('Router mode only: services the box gives the office (DHCP and DNS through dnsmasq)'),
    ui: z
      .strictObject({
        port: Port.default(80).describe('TCP port of the local status page (LAN side only; read-only, links to the secure page)'),
        httpsPort: Port.default(443).describe('TCP port of the secure page (HTTPS with the box\'s own certificate): login and every action (LAN side only)'),
      })
      .default({ port: 80, httpsPort: 443 })
      .describe('Local status page'),
    storage: z
      .strictObject({
        minFreeMb: z.int().min(1).max(1_000_000).default(64).describe('Free space (MB) in the state dir below which utmd raises the "disk" condition and deletes low-value records first (sent upstream messages, alerts older than 7 days); unsent messages are never deleted'),
        checkSeconds: z.int().min(1).max(3600).default(30).describe('How often the free space in the state dir is checked'),
        reserveMb: z.int().min(0).max(4096).default(8).describe('Space (MB) utmd holds back in a file in the state dir while there is room (0: none). A write refused because the disk is full removes it, so alerts are still stored and sent to the monitoring centre while the disk stays full; it is made again once minFreeMb is free besides it'),
      })
      .default({ minFreeMb: 64, checkSeconds: 30, reserveMb: 8 })
      .describe('The state dir\'s disk space'),
    sensors: z
      .strictObject({
        nflogGroup: z.int().min(1).max(65535).default(1).describe('NFLOG group our log rules write to'),
      })
      .default({ nflogGroup: 1 })
      .describe('Traffic sensors'),
    alerts: z
      .strictObject({
        cooldownSeconds: z.int().min(0).max(7 * 86400).default(3600).describe('Repeats of the same alert within this time update it instead of raising a new one'),
        cooldownByKind: z
          .record(z.string().regex(/^[a-z_]{1,40}$/), z.int().min(0).max(7 * 86400))
          .default({})
          .describe('Cooldown per alert kind (seconds), over cooldownSeconds and the shipped ones (beacon and long_connection 86400, upload 21600, mail_abuse 7200: a slow story\'s reminders — hourly for mail — update its first alert instead of opening new ones)'),
      })
      .default({ cooldownSeconds: 3600, cooldownByKind: {} })
      .describe('Alert handling'),
    traffic: z
      .strictObject({
        thresholdsFile: z.string().max(4096).optional().describe('Detection thresholds (JSON). Default: rules/thresholds.json of the installed package'),
        // Older firmware accepted a test knob here; a config written then must still load after an update.
        timeScale: z.number().positive().max(1).optional().describe('Obsolete, ignored: detection durations are always real (kept so that older configs still load)'),
        conntrackPollSeconds: z.int().min(1).max(3600).default(60).describe('How often open connections are listed to find long-lived ones (the flow sensor only reports ended connections)'),
        counterPollSeconds: z.int().min(1).max(3600).default(60).describe('How often the kernel\'s per-device byte counters are read (utmctl status, traffic.bytes)'),
        dnsNames: z
          .strictObject({
            capture: z.boolean().default(true).describe('Capture DNS answers sent to office devices (tcpdump \'udp src port 53\' on the LAN-side ports) to learn the names of the addresses they contact'),
            trustedServers: z.array(IpAddress).max(64).default([]).describe('DNS servers outside the office whose answers name addresses. Answers from the box itself and from office addresses (the office router, a LAN DNS server) are always used; others are counted and ignored, so software asking its own server cannot give its address an allowlisted name'),
            maxNames: z.int().min(100).max(1_000_000).default(50_000).describe('Most addresses whose name is remembered; the least recently used are forgotten first'),
            minHoldMinutes: z.int().min(1).max(1440).default(180).describe('A learned name is kept at least this long after the last answer, whatever its DNS TTL: connections (a push channel lasts 90 minutes) are only judged when they end'),
          })
          .default({ capture: true, trustedServers: [], maxNames: 50_000, minHoldMinutes: 180 })
          .describe('The DNS name sensor: names for allowlist entries matched by name (rules/thresholds.json) and for alert evidence'),
      })
      .default({ conntrackPollSeconds: 60, counterPollSeconds: 60, dnsNames: { capture: true, trustedServers: [], maxNames: 50_000, minHoldMinutes: 180 } })
      .describe('Anomalous-traffic detectors'),
    reporting: z
      .strictObject({
        heartbeatSeconds: z.int().min(5).max(86_400).default(300).describe('How often the box tells the monitoring centre it is alive (uptime, ruleset hash, feed ages, queue depth); the first one goes soon after start'),
        silenceSeconds: z.int().min(10).max(86_400).default(900).describe('When nothing has been confirmed by the collector for longer than this while messages wait, the office page says so and the upstream condition is raised'),
        recoverySettleSeconds: z.int().min(0).max(3600).default(60).describe('A failed condition (sensor, feed, collector) must stay good this long before the recovery message goes upstream; going bad again within it continues the same episode (no flapping spam)'),
        statsTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM').default('00:05').describe('Box-local time of day when the previous day\'s statistics are computed, kept and sent upstream'),
      })
      .default({ heartbeatSeconds: 300, silenceSeconds: 900, recoverySettleSeconds: 60, statsTime: '00:05' })
      .describe('What the box tells the monitoring centre on its own: heartbeats, daily statistics, failures and recoveries'),
    protect: z
      .strictObject({
        ntpServers: z.array(z.string().max(253).refine(isHostOrAddress, 'a host name or address')).max(16).default([])
          .describe('Time servers the box uses that systemd-timesyncd\'s and chrony\'s config do not name (host names are resolved): never blocked by any list'),
      })
      .default({ ntpServers: [] })
      .describe('Self-protection: what no blocklist, feed or manual block may cut off. The box\'s own addresses, the office, the gateway, the collector, the management addresses, its DNS resolvers (resolv.conf, DHCP leases, router.dnsServers), its NTP servers and every feed\'s download server are protected without configuration'),
    upstream: UpstreamTargetSchema.optional().describe('Monitoring-centre collector, replacing the provisioning bundle\'s as a whole; normally comes from the bundle'),
    upstreamQueue: z
      .strictObject({
        maxMessages: z.int().min(100).max(1_000_000).default(50_000).describe('Most messages waiting for the collector; beyond it the overflow policy drops statistics first, alerts last'),
        maxBytes: z.int().min(65_536).max(1_073_741_824).default(33_554_432).describe('Most bytes of messages waiting for the collector (same policy)'),
        backoffBaseMs: z.int().min(10).max(600_000).default(1000).describe('First reconnect delay after a failure; doubles per failure, with full jitter'),
        backoffMaxMs: z.int().min(100).max(3_600_000).default(60_000).describe('Longest reconnect delay'),
      })
      .default({ maxMessages: 50_000, maxBytes: 33_554_432, backoffBaseMs: 1000, backoffMaxMs: 60_000 })
      .describe('The upstream outbox and its one reconnect backoff'),
  })
  .describe('Otasuke UTM local configuration');

export type Config = z.output<typeof ConfigSchema>;
