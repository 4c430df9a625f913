// The presentation rules of the office page (issue 12), pure: which alerts, incidents and new
// devices are still open, how each is presented (tone), in what order, and the state card's
// verdict. Rendering (views/office*.ts) and the daemon's overview use these and nothing else.
//  - A new device alone is a question (「この機器に心当たりはありますか？」), never an incident.
//  - Blocked attempts with no sign of infection are 'attention' (確認), not danger.
//  - Order: danger, then what needs an answer, then attention, then notices; newest first within.
//  - Each alert is shown once: inside its open incident, or on its own, or in the history.
//  - Marked as handled (acknowledged) or decided (device approved/quarantined) means closed:
//    closed things move to the history and no longer count for the state card.
//  - A notice about a state that no longer holds closes itself: 「機器を隔離しました」 stays open
//    only while the device is quarantined; once released it is history, saying so.
//  - Every staff decision (approve, quarantine, release) is a line of the history, whether or
//    not the device had an alert (a PC with a fixed address found in the kernel's tables).
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { AuditEntry, Device } from '../../../firmware/src/devices/model.js';
import type { IncidentEntry } from '../../../firmware/src/traffic/view.js';
import type { StoredAck } from '../../../firmware/src/store/acksRepo.js';

export type Tone = 'danger' | 'answer' | 'attention' | 'notice';
export const TONE_ORDER: readonly Tone[] = ['danger', 'answer', 'attention', 'notice'];

/** A staff "対応済み" mark on one alert or incident (migration 007). */
export type Ack = StoredAck;

/** The state card's verdict (the same words as Overview['state']). */
export type OfficeState = 'safe' | 'attention' | 'danger';

/** What the rules need of a monitored condition (deps.ts Condition has more). */
export interface ConditionLike {
  id: string;
  ok: boolean;
}

/** Kinds that announce a device the box had not seen: answered by approve or quarantine. */
export function isArrivalKind(kind: string): boolean {
  return kind === 'new_device' || kind === 'unknown_device' || kind.startsWith('new_device_');
}

/** Kinds that are a sign the device itself is infected or misused (traffic that got out or
 *  looks like control by someone else), as opposed to attempts the box stopped. */
const INFECTION_SIGNS: ReadonlySet<string> = new Set(['beacon', 'threat_contact', 'upload', 'mail_abuse', 'scan', 'long_connection']);

/** True when `a` is an attempt the box blocked (nothing got out). */
export function isBlockedAttempt(a: Pick<Alert, 'kind' | 'action'>): boolean {
  return (a.kind === 'blocklist_hit' || a.kind === 'threat_repeat') && a.action === 'blocked';
}

/** How one alert is presented on its own. Severity comes from the detector; the page calms it:
 *  a blocked attempt is attention whatever the detector said, a new device is a question. */
export function alertTone(a: Pick<Alert, 'kind' | 'action' | 'severity'>): Tone {
  if (isArrivalKind(a.kind)) return 'answer';
  if (isBlockedAttempt(a)) return 'attention';
  return a.severity === 'danger' ? 'danger' : a.severity === 'warning' ? 'attention' : 'notice';
}

/** How an incident is presented: danger only with a sign of infection; an incident of new-device
 *  findings alone is a question; blocked attempts (with or without a new device) are attention. */
export function incidentTone(e: Pick<IncidentEntry['incident'], 'kinds' | 'severity'>): Tone {
  // A new device and what staff decided about it (its quarantine notice) is still a question.
  if (e.kinds.length > 0 && e.kinds.every((k) => isArrivalKind(k) || isStateNotice(k))) return 'answer';
  if (!e.kinds.some((k) => INFECTION_SIGNS.has(k))) return e.severity === 'info' ? 'notice' : 'attention';
  return e.severity === 'danger' ? 'danger' : e.severity === 'warning' ? 'attention' : 'notice';
}

export type OpenItem =
  | { type: 'incident'; tone: Tone; at: number; entry: IncidentEntry }
  | { type: 'alert'; tone: Tone; at: number; alert: Alert }
  /** Blocked attempts of one kind on several devices: one calm card listing each alert once. */
  | { type: 'group'; tone: 'attention'; at: number; kind: string; alerts: Alert[] }
  | { type: 'question'; tone: 'answer'; at: number; mac: string; device: Device | null; alerts: Alert[] };

export type HistoryItem =
  | { type: 'incident'; at: number; entry: IncidentEntry; ack: Ack | null }
  /** `over`: the state the alert told of no longer holds (a quarantined device was released). */
  | { type: 'alert'; at: number; alert: Alert; ack: Ack | null; over?: boolean }
  | { type: 'decided'; at: number; mac: string; device: Device | null; alerts: Alert[] }
  /** One staff decision on a device, from the inventory's audit log. */
  | { type: 'decision'; at: number; mac: string; device: Device | null; action: DecisionAction; actor: string };

/** The audit actions that are decisions on a device (labels and housekeeping are not). */
export type DecisionAction = 'approve' | 'quarantine' | 'release' | 'auto_quarantine';
const DECISIONS: ReadonlySet<string> = new Set<DecisionAction>(['approve', 'quarantine', 'release', 'auto_quarantine']);
const isDecision = (a: string): a is DecisionAction => DECISIONS.has(a);

/** Kinds that tell of a state of a device; the notice closes once the device left that state. */
const STATE_NOTICES: Readonly<Record<string, Device['status']>> = { device_quarantined: 'quarantined' };
const isStateNotice = (kind: string): boolean => Object.hasOwn(STATE_NOTICES, kind);

export interface OfficeInput {
  now: number;
  alerts: readonly Alert[];
  incidents: readonly IncidentEntry[];
  devices: readonly Device[];
  acks: readonly Ack[];
  conditions: readonly ConditionLike[];
  /** The inventory's audit log (decisions on devices), any order. */
  audit?: readonly AuditEntry[] | undefined;
}

export interface OfficeModel {
  state: OfficeState;
  open: OpenItem[];
  history: HistoryItem[];
}

/** Open alerts older than this leave the open list (the history keeps them). */
export const OPEN_DAYS = 7;
export const HISTORY_SHOWN = 12;
const DAY = 86_400_000;

/** The state card: danger on an open danger item or a failed ruleset; attention on any open
 *  question or attention item, or another failing condition; otherwise safe. Notices never
 *  change it. */
export function officeState(open: readonly Pick<OpenItem, 'tone'>[], conditions: readonly ConditionLike[]): OfficeState {
  if (open.some((i) => i.tone === 'danger') || conditions.some((c) => c.id === 'ruleset' && !c.ok)) return 'danger';
  if (open.some((i) => i.tone === 'answer' || i.tone === 'attention') || conditions.some((c) => !c.ok)) return 'attention';
  return 'safe';
}

function compareOpen(a: OpenItem, b: OpenItem): number {
  const typeRank = { incident: 0, question: 1, group: 2, alert: 3 } as const;
  return TONE_ORDER.indexOf(a.tone) - TONE_ORDER.indexOf(b.tone) || typeRank[a.type] - typeRank[b.type] || b.at - a.at;
}

/** Folds the open blocked-attempt alerts of each kind, when there are two or more, into one
 *  group item (in place): a busy week of stopped connections is one calm card, not twenty. */
function groupBlockedAttempts(open: OpenItem[]): void {
  const byKind = new Map<string, Alert[]>();
  for (const i of open) if (i.type === 'alert' && isBlockedAttempt(i.alert)) byKind.set(i.alert.kind, [...(byKind.get(i.alert.kind) ?? []), i.alert]);
  for (const [kind, alerts] of byKind) {
    if (alerts.length < 2) continue;
    const ids = new Set(alerts.map((a) => a.id));
    for (let k = open.length - 1; k >= 0; k--) {
      const i = open[k];
      if (i?.type === 'alert' && ids.has(i.alert.id)) open.splice(k, 1);
    }
    const sorted = [...alerts].sort((a, b) => b.lastSeen - a.lastSeen);
    open.push({ type: 'group', tone: 'attention', at: sorted[0]?.lastSeen ?? 0, kind, alerts: sorted });
  }
}

/** Decides what is open, how it is presented and in what order, and the state. Never throws. */
export function buildOfficeModel(i: OfficeInput): OfficeModel {
  const ackOf = new Map(i.acks.map((a) => [`${a.target}:${a.id}`, a]));
  const devices = new Map(i.devices.map((d) => [d.mac, d]));
  const open: OpenItem[] = [];
  const history: HistoryItem[] = [];
  const placed = new Set<number>();
  const questions = new Map<string, { at: number; alerts: Alert[] }>();
  const undecided = (mac: string | undefined): boolean => mac === undefined || (devices.get(mac)?.status ?? 'new') === 'new';
  const ask = (mac: string, at: number, alerts: readonly Alert[]): void => {
    const q = questions.get(mac) ?? { at, alerts: [] };
    q.at = Math.max(q.at, at);
    for (const a of alerts) if (!q.alerts.some((x) => x.id === a.id)) q.alerts.push(a);
    questions.set(mac, q);
  };

  for (const entry of i.incidents) {
    const inc = entry.incident;
    for (const a of entry.alerts) placed.add(a.id);
    const ack = ackOf.get(`incident:${inc.id}`) ?? null;
    const tone = incidentTone(inc);
    const mac = inc.device.mac;
    if (tone === 'answer' && mac !== undefined) {
      // A new device alone: one question per device while undecided; decided ones are history.
      // Its state notices (「機器を隔離しました」) are told on their own, open while they hold.
      const arrivals = entry.alerts.filter((a) => !isStateNotice(a.kind));
      for (const a of entry.alerts) if (isStateNotice(a.kind)) placed.delete(a.id);
      if (arrivals.length === 0 && entry.alerts.length > 0) continue;
      if (undecided(mac) && !ack) ask(mac, inc.lastAt, arrivals);
      else history.push({ type: 'decided', at: inc.lastAt, mac, device: devices.get(mac) ?? null, alerts: arrivals });
      continue;
    }
    if (ack || i.now - inc.lastAt > OPEN_DAYS * DAY) history.push({ type: 'incident', at: inc.lastAt, entry, ack });
    else open.push({ type: 'incident', tone, at: inc.lastAt, entry });
  }

  for (const a of i.alerts) {
    if (placed.has(a.id)) continue;
    placed.add(a.id);
    const ack = ackOf.get(`alert:${a.id}`) ?? (a.incidentId !== null ? ackOf.get(`incident:${a.incidentId}`) : undefined) ?? null;
    if (isArrivalKind(a.kind) && a.device.mac !== undefined) {
      if (undecided(a.device.mac) && !ack) ask(a.device.mac, a.lastSeen, [a]);
      else history.push({ type: 'decided', at: a.lastSeen, mac: a.device.mac, device: devices.get(a.device.mac) ?? null, alerts: [a] });
      continue;
    }
    const held = STATE_NOTICES[a.kind];
    const mac = a.device.mac;
    const over = held !== undefined && mac !== undefined && devices.has(mac) && devices.get(mac)?.status !== held;
    if (over) history.push({ type: 'alert', at: a.lastSeen, alert: a, ack, over });
    else if (ack || i.now - a.lastSeen > OPEN_DAYS * DAY) history.push({ type: 'alert', at: a.lastSeen, alert: a, ack });
    else open.push({ type: 'alert', tone: alertTone(a), at: a.lastSeen, alert: a });
  }

  // Devices still waiting for an answer, alerted or not (e.g. the alert was pruned).
  for (const d of i.devices) if (d.status === 'new' && !questions.has(d.mac)) ask(d.mac, d.firstSeen, []);
  for (const [mac, q] of questions) open.push({ type: 'question', tone: 'answer', at: q.at, mac, device: devices.get(mac) ?? null, alerts: q.alerts });

  for (const e of i.audit ?? []) {
    if (isDecision(e.action)) history.push({ type: 'decision', at: e.at, mac: e.mac, device: devices.get(e.mac) ?? null, action: e.action, actor: e.actor });
  }

  groupBlockedAttempts(open);
  open.sort(compareOpen);
  history.sort((a, b) => b.at - a.at);
  return { state: officeState(open, i.conditions), open, history: history.slice(0, HISTORY_SHOWN) };
}
