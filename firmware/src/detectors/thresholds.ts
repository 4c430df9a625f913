// Schema of rules/thresholds.json: every number a detector decides with, as data.
// Durations are written in real units (seconds, minutes, hours) and compared with event times
// (flow timestamps, ms), so a test replays hours of traffic in milliseconds by writing the times.
import { z } from 'zod';

const Port = z.number().int().min(0).max(65535);

export const AllowEntrySchema = z.strictObject({
  name: z.string().min(1).max(80).describe('Shown to the technician, e.g. "ntp".'),
  proto: z.enum(['tcp', 'udp', 'any']).default('any').describe('Protocol the ports apply to.'),
  ports: z.array(z.union([Port, z.tuple([Port, Port])])).default([]).describe('Remote ports or [from, to] ranges; empty = any port.'),
  cidrs: z.array(z.string().max(50)).default([]).describe('Remote prefixes; empty = any address.'),
  names: z.array(z.string().max(253)).default([]).describe('Remote host-name suffixes, matched when a name lookup is available (the address\'s own name, or a name the office looked up in the same network lately).'),
  appPorts: z.array(z.union([Port, z.tuple([Port, Port])])).default([])
    .describe('Ports the service\'s app uses to servers DNS does not name (a video bridge, a music access point): a flow there counts as this service only when the same device looked up one of `names` lately.'),
  source: z.array(z.string().max(400)).default([]).describe('Where the entry\'s names, ports and networks come from (issue 15: each rule cites its source).'),
  detectors: z.array(z.enum(['beacon', 'long_connection', 'upload', 'scan', 'mail'])).default(['beacon', 'long_connection'])
    .describe('Detectors this entry silences. Threat-intel contact is never allowlisted.'),
});
export type AllowEntry = z.infer<typeof AllowEntrySchema>;

export const ThresholdsSchema = z.strictObject({
  version: z.literal(1),
  // Files written for older firmware may still say "timeScale": 1; anything else was a test knob.
  timeScale: z.literal(1).optional().describe('Obsolete, no effect: durations are always real. Only 1 is accepted.'),
  timezoneOffsetMinutes: z.number().int().min(-720).max(840).default(540).describe('Office local time offset from UTC, for business hours.'),
  businessHours: z.strictObject({
    days: z.array(z.number().int().min(0).max(6)).describe('Working days, 0 = Sunday.'),
    startHour: z.number().int().min(0).max(23).describe('First working hour (local).'),
    endHour: z.number().int().min(1).max(24).describe('Hour the working day ends (local, exclusive).'),
  }),
  mailServers: z.array(z.string().max(50)).default([]).describe('LAN addresses/prefixes of designated mail servers allowed to send SMTP.'),
  mailSubmission: z.array(z.string().max(50)).default([]).describe("Remote prefixes of the office's own mail provider (submission on 465/587 is normal there)."),
  allowlist: z.array(AllowEntrySchema).describe('Benign periodic or long-lived services.'),
  caps: z.strictObject({
    devices: z.number().int().positive().describe('Devices tracked per detector before the least recently seen is dropped.'),
    beaconPairs: z.number().int().positive().describe('(device, destination) pairs the beacon detector keeps.'),
    beaconConnsPerPair: z.number().int().min(8).describe('Newest connection times kept per pair.'),
    destinations: z.number().int().positive().describe('Destinations whose popularity (devices seen) is remembered.'),
    scanKeysPerDevice: z.number().int().positive().describe('Ports and hosts tracked per device in the scan window (each holds at most threshold+1 entries).'),
    openFlows: z.number().int().positive().describe('Long-lived flows whose last counters are kept to turn updates into deltas.'),
  }),
  threatIntel: z.strictObject({
    repeatWindowMinutes: z.number().positive().describe('Window in which blocked attempts from one device are counted.'),
    repeatAttempts: z.number().int().positive().describe('Blocked attempts in the window that make a "keeps trying" warning.'),
    escalateAttempts: z.number().int().positive().describe('Attempts in the window that make it dangerous.'),
    reportEveryMinutes: z.number().positive().describe('Least time between two findings for the same device and address.'),
  }),
  beacon: z.strictObject({
    windowHours: z.number().positive().describe('Sliding window (RITA: 24 h).'),
    minConnections: z.number().int().min(4).describe('Connections in the window before a pair is scored.'),
    minObservedHours: z.number().positive().describe('How long the box must have watched before any beacon is reported.'),
    scoreThreshold: z.number().min(0).max(1).describe('Combined score that raises a finding.'),
    dangerScore: z.number().min(0).max(1).describe('Combined score that makes it dangerous.'),
    weights: z.strictObject({ ts: z.number(), ds: z.number(), dur: z.number(), hist: z.number() }).describe('RITA weights; must sum to 1.'),
    histModeSensitivity: z.number().positive().describe('RITA HistModeSensitivity (0.05).'),
    histBimodalOutlierRemoval: z.number().int().min(0).describe('RITA HistBimodalOutlierRemoval (1).'),
    histBimodalMinHours: z.number().int().min(6).describe('RITA HistBimodalMinHours (11).'),
    durMinHours: z.number().int().min(1).describe('RITA DurMinHours (6).'),
    durIdealHours: z.number().int().min(1).describe('RITA DurIdealNumberOfConsistentHours (12).'),
    rescoreMinutes: z.number().positive().describe('Least time between two scorings of one pair (CPU bound).'),
    reportEveryHours: z.number().positive().describe('Least time between two findings for one pair whose figures (connections, interval, score) did not change; changed figures are reported at the next rescore so the alert grows.'),
    newDestinationBonus: z.number().min(0).max(0.5).default(0.15).describe("How much lower the score threshold is for a destination the device first used after the box had watched it for routineDays (new for the device): RITA v5's first_seen_score_increase (0.15)."),
    channels: z.strictObject({
      persistentHours: z.number().int().min(1).max(24).default(20).describe('Hours of the last 24 with a connection that make a (device, destination) pair a persistent channel; rare when no other office device used its network or name.'),
      perDevice: z.number().int().min(1).default(2).describe('Persistent rare channels outside published operator networks (rules/service-networks.json) that make a device one keeping several, as an implant keeps its controller and fallbacks.'),
      scoreThreshold: z.number().min(0).max(1).default(0.7).describe("Score threshold for the persistent rare channels (any network) of a device keeping several: RITA's 'low' beacon threshold (score_thresholds.low, 70)."),
      minOfficeDevices: z.number().int().min(1).default(5).describe('Office devices active within longConnection.popularityHours below which no channel counts as rare (in an office of one or two, everything is).'),
    }).default({ persistentHours: 20, perDevice: 2, scoreThreshold: 0.7, minOfficeDevices: 5 }).describe('One device, several persistent rare channels: evidence that lowers the beacon threshold for them.'),
    routineDays: z.number().int().min(1).max(30).default(2).describe("A check-in on a web port (80/443) to a network (/24, /48) the device first used at least this many days (× 24 h) ago and used on at least this many earlier office days is part of the device's routine (RITA v5's first-seen modifier): it only adds to an incident something else opened. Keep it above the time the slowest beacon the method sees takes to be found (minConnections an hour apart: 24 h), so a new controller is reported before it can become routine."),
  }),
  mail: z.strictObject({
    ports: z.array(Port).describe('SMTP ports (25, 465, 587).'),
    directPorts: z.array(Port).describe('Ports where any use by an ordinary PC is suspicious (25: direct-to-MX).'),
    windowMinutes: z.number().positive().describe('Window for counting distinct mail servers.'),
    burstServers: z.number().int().positive().describe('Distinct external mail servers in the window that make a spam burst.'),
    reportEveryMinutes: z.number().positive().describe('Least time between two findings for one device.'),
  }),
  scan: z.strictObject({
    windowMinutes: z.number().positive().describe('Zeek: 5 minutes.'),
    hostsPerPort: z.number().int().positive().describe('Zeek address scan: more than this many hosts on one port (25).'),
    portsPerHost: z.number().int().positive().describe('Zeek port scan: more than this many ports on one host (15).'),
    alwaysCountPorts: z.array(Port).describe('Ports where every attempt counts (SMB, RDP, Telnet...); elsewhere only unanswered attempts count.'),
    failedMaxReplyPackets: z.number().int().min(0).describe('A TCP flow with at most this many reply packets (a reset) is an unanswered attempt; UDP counts only with no reply.'),
    reportEveryMinutes: z.number().positive().describe('Least time between two findings for one device and port/host.'),
  }),
  upload: z.strictObject({
    baselineDays: z.number().int().positive().describe('Days of hourly history kept per device.'),
    minBaselineHours: z.number().int().positive().describe('Hours of the same kind (business/off) needed before z-scores are used.'),
    zScore: z.number().positive().describe('Robust z-score (median/MAD) that counts as unusual (Firewalla: 8).'),
    madFloorBytes: z.number().positive().describe('Smallest MAD used, so a flat baseline does not make every byte unusual.'),
    hourlyFloorBytesBusiness: z.number().positive().describe('Bytes sent in one business hour below which nothing is reported.'),
    hourlyFloorBytesOff: z.number().positive().describe('Same, outside business hours.'),
    hourlyFloorBytesOtherPorts: z.number().positive().describe('Bytes sent one-way in one hour to ports other than 80/443 of destinations few office devices use (longConnection.maxDevices), below which nothing is reported; any hour.'),
    minUpDownRatio: z.number().positive().describe('Sent/received ratio below which traffic looks like a call or sync, not an upload.'),
    singleFlowBytesBusiness: z.number().positive().describe('One flow sending this much in business hours is its own signal.'),
    singleFlowBytesOff: z.number().positive().describe('Same, outside business hours.'),
    sameHourRatio: z.number().positive().describe('Not unusual when an earlier day sent at least this fraction of the amount in the same hour.'),
    dangerFactor: z.number().positive().describe('Sent bytes this many times the floor make it dangerous.'),
  }),
  longConnection: z.strictObject({
    minHours: z.number().positive().describe('Flow age that counts as long.'),
    maxDevices: z.number().int().positive().describe('A destination (its network, /24 or /48, or its looked-up name) used by at most this many office devices counts as rare; more make it widely used, which counts against long-connection and beacon findings.'),
    popularityHours: z.number().positive().describe('How long a destination (network or name) remembers which devices used it.'),
    minObservedHours: z.number().positive().describe('How long the box must have watched before rarity is trusted.'),
    reportEveryHours: z.number().positive().describe('Least time between two findings for one device and destination.'),
  }),
});
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export class ThresholdsError extends Error {}

/** Validate a decoded thresholds document; throws ThresholdsError (with the zod issue as cause). */
export function parseThresholds(doc: unknown): Thresholds {
  const r = ThresholdsSchema.safeParse(doc);
  if (!r.success) throw new ThresholdsError(`invalid thresholds: ${z.prettifyError(r.error)}`, { cause: r.error });
  const w = r.data.beacon.weights;
  if (Math.abs(w.ts + w.ds + w.dur + w.hist - 1) > 1e-9) throw new ThresholdsError('beacon weights must sum to 1');
  return r.data;
}

const H = 3_600_000;
const M = 60_000;

/** Event-time helpers derived from thresholds: durations and local business hours. */
export interface Clocked {
  t: Thresholds;
  /** A duration in ms (event time is wall-clock ms). */
  ms(realMs: number): number;
  minutes(n: number): number;
  hours(n: number): number;
  /** Event time → index of the local hour (continuous, for bucketing). */
  hourIndex(at: number): number;
  isBusinessHour(at: number): boolean;
}

/** Build the Clocked view of validated thresholds. */
export function clocked(t: Thresholds): Clocked {
  const off = t.timezoneOffsetMinutes * M;
  const days = new Set(t.businessHours.days);
  const hourIndex = (at: number): number => Math.floor((at + off) / H);
  return {
    t,
    ms: (x) => x,
    minutes: (n) => n * M,
    hours: (n) => n * H,
    hourIndex,
    isBusinessHour(at) {
      const hi = hourIndex(at);
      const hod = ((hi % 24) + 24) % 24;
      // 1970-01-01 was a Thursday (4).
      const dow = ((Math.floor(hi / 24) + 4) % 7 + 7) % 7;
      return days.has(dow) && hod >= t.businessHours.startHour && hod < t.businessHours.endHour;
    },
  };
}
