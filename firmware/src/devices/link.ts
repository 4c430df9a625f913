// Pure private-MAC linking. Phones rotate a random ("private") MAC per network or over time;
// without linking, every rotation looks like a new device and staff drown in alerts. We link
// a new address to a known device when enough independent signals agree, say "maybe" when
// some do, and "new" otherwise. The caller words "maybe" honestly: 以前の機器と同じかもしれません.

export interface LinkSignals {
  mac: string;
  randomised: boolean;
  clientId: string | null;   // option 61, hex
  hostname: string | null;
  prl: readonly number[];
  vendorClass: string | null;
  /** the option-55 list is shared by many devices (in the fingerprint table, or already seen on
   *  other devices here): equal lists then do not tell devices apart */
  commonFingerprint?: boolean | undefined;
}

export interface LinkCandidate extends LinkSignals {
  firstSeen: number;
  lastSeen: number;
}

export type LinkSignal = 'client_id' | 'client_id_differs' | 'hostname' | 'generic_hostname' | 'hostname_differs' | 'fingerprint' | 'common_fingerprint' | 'prl' | 'timing' | 'both_active';
export type LinkVerdict = 'same' | 'maybe' | 'new';

export interface LinkResult {
  verdict: LinkVerdict;
  mac: string | null;     // the best candidate (for same/maybe)
  score: number;          // 0..1
  signals: LinkSignal[];  // which signals agreed
}

export interface LinkPolicy {
  sameAt: number;          // score at or above which it is the same device
  maybeAt: number;
  maxGapMs: number;        // an old address unseen for longer than this is not a candidate
  quietMs: number;         // an old address seen this recently is still in use: another device
}

export const DEFAULT_LINK_POLICY: LinkPolicy = { sameAt: 0.75, maybeAt: 0.35, maxGapMs: 30 * 86_400_000, quietMs: 5 * 60_000 };

// Names many devices share out of the box; equal names then say little.
const GENERIC = /^(iphone|ipad|android|localhost|galaxy|pixel|unknown|mobile|phone|(android-)?dhcp|espressif)$/i;

/** Option 61 of type 1 (RFC 2132 §9.14: hardware type Ethernet) holding the device's own MAC. */
function fromMac(clientId: string, mac: string): boolean {
  return clientId === `01${mac.replace(/:/g, '')}`;
}

function normName(h: string | null): string | null {
  if (h === null) return null;
  const n = h.trim().toLowerCase().replace(/\.local$/, '');
  return n === '' ? null : n;
}

/** Scores one candidate against the new observation. Pure. Only evidence that separates
 *  devices can reach "maybe" (0.35): an equal client id, an equal individual hostname, or a
 *  rare fingerprint together with timing. A common list (every iPhone sends the same one) plus
 *  timing stays below it; a generic name ("iPhone") adds nothing; different individual names
 *  speak against the link. */
export function scoreLink(obs: LinkSignals & { at: number }, c: LinkCandidate, policy: LinkPolicy = DEFAULT_LINK_POLICY): { score: number; signals: LinkSignal[] } {
  const signals: LinkSignal[] = [];
  let score = 0;
  if (obs.clientId !== null && obs.clientId === c.clientId) { score += 0.8; signals.push('client_id'); }
  else if (obs.clientId !== null && c.clientId !== null && !(fromMac(obs.clientId, obs.mac) && fromMac(c.clientId, c.mac))) {
    // A client id that is not the address itself (a DUID, RFC 4361) outlives a change of
    // address: a different one is another device. Two ids made of each one's own MAC say nothing.
    score -= 0.3; signals.push('client_id_differs');
  }
  const a = normName(obs.hostname); const b = normName(c.hostname);
  if (a !== null && a === b) {
    if (GENERIC.test(a)) signals.push('generic_hostname');
    else { score += 0.45; signals.push('hostname'); }
  } else if (a !== null && b !== null && !GENERIC.test(a) && !GENERIC.test(b)) { score -= 0.3; signals.push('hostname_differs'); }
  if (obs.prl.length > 0 && obs.prl.length === c.prl.length && obs.prl.every((x, i) => x === c.prl[i])) {
    if ((obs.vendorClass ?? '') !== (c.vendorClass ?? '')) { score += 0.05; signals.push('prl'); }
    else if (obs.commonFingerprint === true) { score += 0.15; signals.push('common_fingerprint'); }
    else { score += 0.3; signals.push('fingerprint'); }
  }
  // The old address went quiet before this one appeared, recently enough to be a rotation.
  // (Seeing both active later would disprove the link; the inventory can re-check then.)
  // An old address seen after the new one appeared is another device; one still in use a
  // moment ago (a second identical printer) is too, unless an individual name or the client id
  // says it is a quick reconnect.
  const gap = obs.at - c.lastSeen;
  const named = signals.includes('client_id') || signals.includes('hostname');
  if (gap >= policy.quietMs && gap <= policy.maxGapMs) { score += 0.15; signals.push('timing'); }
  else if ((gap < 0 && !signals.includes('client_id')) || (gap < policy.quietMs && !named)) { score -= 0.5; signals.push('both_active'); }
  return { score: Math.max(0, Math.min(1, Math.round(score * 100) / 100)), signals };
}

/** Decides whether a newly seen address belongs to a known device. Only randomised
 *  addresses are linked (a vendor MAC is its own identity). Pure; O(candidates). */
export function linkDevice(obs: LinkSignals & { at: number }, known: Iterable<LinkCandidate>, policy: LinkPolicy = DEFAULT_LINK_POLICY): LinkResult {
  if (!obs.randomised) return { verdict: 'new', mac: null, score: 0, signals: [] };
  let best: LinkResult = { verdict: 'new', mac: null, score: 0, signals: [] };
  for (const c of known) {
    if (c.mac === obs.mac) continue;
    const gap = obs.at - c.lastSeen;
    if (gap > policy.maxGapMs) continue;
    const { score, signals } = scoreLink(obs, c, policy);
    if (score > best.score) best = { verdict: 'new', mac: c.mac, score, signals };
  }
  if (best.score >= policy.sameAt) return { ...best, verdict: 'same' };
  if (best.score >= policy.maybeAt) return { ...best, verdict: 'maybe' };
  return { verdict: 'new', mac: null, score: best.score, signals: [] };
}
