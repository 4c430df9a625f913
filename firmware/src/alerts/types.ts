// The shapes every detector, sensor and device module hands to the alert pipeline.
// A Finding is what a pure detector concludes from events; the pipeline turns findings
// into stored, deduplicated Alerts and groups them into incidents.

export type Severity = 'info' | 'warning' | 'danger';

/** Which way the traffic went, seen from the office. */
export type Direction = 'outbound' | 'inbound' | 'lan';

/** What the box already did about it (shown to staff as "what the box did"). */
export type BoxAction = 'blocked' | 'watched' | 'quarantined' | 'none';

export interface DeviceRef {
  mac?: string | undefined; // lower-case aa:bb:cc:dd:ee:ff
  ip?: string | undefined;  // normalised text form
}

export interface RemoteRef {
  ip: string;
  port?: number | undefined;
}

/** Message parameters: plain values only, rendered (and escaped) by the catalog. */
export type AlertParams = Record<string, string | number | boolean | undefined>;

export interface Finding {
  /** Alert kind; a key of the message catalog (webui/src/i18n/alerts). */
  kind: string;
  severity: Severity;
  /** Findings with the same key within the kind's cooldown update one alert. */
  dedupKey: string;
  /** Event time (ms since epoch) taken from the event, never from the wall clock. */
  at: number;
  device?: DeviceRef | undefined;
  remote?: RemoteRef | undefined;
  direction?: Direction | undefined;
  action: BoxAction;
  /** How many events this finding stands for (default 1). */
  count?: number | undefined;
  params: AlertParams;
  /** What a technician wants to see: scores, counts, timings. JSON-serialisable. */
  evidence: Record<string, unknown>;
  /** false: stored and shown on the page only, because upstream hears of it another way (a
   *  condition's failure and recovery messages, app/reporting.ts). Default: sent upstream. */
  upstream?: boolean | undefined;
  /** true: weak on its own (a long HTTPS connection is what every chat app keeps open); stored only
   *  when the device already has an open incident, where it adds to the story. Default false. */
  corroborating?: boolean | undefined;
  /** Kinds of an earlier alert with the same dedupKey that this finding corrects (a device
   *  reclassified on later evidence): that alert takes this finding's kind, params and evidence
   *  (`evidence.replaces` names the kind it had), and upstream is told at once. */
  replaces?: readonly string[] | undefined;
}

export interface Alert {
  id: number;
  kind: string;
  severity: Severity;
  dedupKey: string;
  device: DeviceRef;
  remote: RemoteRef | null;
  direction: Direction | null;
  action: BoxAction;
  count: number;
  firstSeen: number;
  lastSeen: number;
  params: AlertParams;
  evidence: Record<string, unknown>;
  incidentId: number | null;
}
