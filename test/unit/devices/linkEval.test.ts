// Private-MAC linking measured on distinct devices from the public labelled set: 570 devices,
// each joining once with its own private MAC (client id derived from the MAC, as phones do),
// an hour apart, through the real inventory path. Every "same" or "maybe" is a false link.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { loadFingerprints } from '../../../firmware/src/devices/fingerprintFile.js';
import { observe } from '../../../firmware/src/devices/inventory.js';
import { DEFAULT_POLICY, emptyInventory, type InventoryState, type Observation } from '../../../firmware/src/devices/model.js';
import { loadLabelled } from './classifyEval.js';

const table = loadFingerprints();
const fixture = (name: string) => loadLabelled(fileURLToPath(new URL(`../../fixtures/dhcp-fingerprints/${name}`, import.meta.url)));
const cases = fixture('fingerbank-6.9.1.json');
// The larger set: FingerBank and Satori together (1,128 devices; many lists occur in both, and
// Satori gives one list to several devices, e.g. seven FreeBSD releases): the hard case for linking.
const both = [...cases, ...fixture('satori-2025-05-07.json')];
const H = 3_600_000; const T0 = 1_764_100_000_000; const AFTER = T0 + 8 * 24 * H;

function privateMac(i: number, round: 0 | 1): string {
  const hex = i.toString(16).padStart(8, '0');
  return `${round === 0 ? '02' : '06'}:5e:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
}

function join(state: InventoryState, mac: string, at: number, prl: number[], vendorClass: string | null, hostname: string | null) {
  const obs: Observation = { mac, at, source: 'dhcp', vendor: null, dhcp: { hostname, prl, vendorClass, clientId: `01${mac.replace(/:/g, '')}` } };
  return observe(state, obs, at, DEFAULT_POLICY, table);
}

/** Joins every labelled device once; returns how many were linked (same or maybe) to another. */
function falseLinks(hostname: (i: number) => string | null, set = cases): { links: number; devices: number } {
  let s = emptyInventory(T0); let links = 0; let at = AFTER;
  set.forEach((c, i) => {
    const mac = privateMac(i, 0);
    const r = join(s, mac, at, c.prl.split(',').map(Number), c.vendorClass, hostname(i));
    s = r.state; at += H;
    const d = s.devices.get(mac)!;
    if (d.linkedTo !== null || d.maybeSameAs !== null) links++;
  });
  return { links, devices: set.length };
}

// Measured limitation (README "Private MACs"): a list outside the table seen on exactly one other
// device counts as rare, so the second device of the same model an hour later is "maybe the
// same". FingerBank and Satori hold the same model's list twice; that is most of these links.
// This bounds the rate so it cannot grow unnoticed; it is not the 2 % the smaller set meets.
test('on FingerBank and Satori together, the false-link rate stays at the measured level', (t) => {
  for (const [what, name] of [['no hostname', () => null], ['all named "iPhone"', () => 'iPhone']] as const) {
    const r = falseLinks(name, both);
    t.log(`false links (${what}), FingerBank + Satori: ${r.links}/${r.devices} = ${(r.links / r.devices).toFixed(3)}`);
    t.true(r.links / r.devices <= 0.1);
  }
  // The same with one device per distinct (option 55, option 60): the duplicates removed.
  const seen = new Set<string>();
  const distinct = both.filter((c) => { const k = `${c.prl}|${c.vendorClass ?? ''}`; if (seen.has(k)) return false; seen.add(k); return true; });
  const r = falseLinks(() => null, distinct);
  t.log(`false links, one device per distinct fingerprint: ${r.links}/${r.devices} = ${(r.links / r.devices).toFixed(3)}`);
  t.true(r.links / r.devices <= 0.02);
});

test('distinct devices with private MACs and no hostname are not claimed to be the same', (t) => {
  const r = falseLinks(() => null);
  t.log(`false links without hostnames: ${r.links}/${r.devices} = ${(r.links / r.devices).toFixed(3)}`);
  t.true(r.links / r.devices <= 0.02);
});

test('distinct devices all named "iPhone" are not claimed to be the same', (t) => {
  const r = falseLinks(() => 'iPhone');
  t.log(`false links with a generic name: ${r.links}/${r.devices} = ${(r.links / r.devices).toFixed(3)}`);
  t.true(r.links / r.devices <= 0.02);
});

test('distinct devices with individual names are never linked', (t) => {
  t.is(falseLinks((i) => `PC-${i}`).links, 0);
});

test('the same devices rejoining with a new private MAC and their own name are linked', (t) => {
  let s = emptyInventory(T0); let at = AFTER;
  for (const [i, c] of cases.entries()) { s = join(s, privateMac(i, 0), at, c.prl.split(',').map(Number), c.vendorClass, `Dev-${i}`).state; at += 60_000; }
  at += 24 * H;
  let same = 0;
  for (const [i, c] of cases.entries()) {
    const mac = privateMac(i, 1);
    s = join(s, mac, at, c.prl.split(',').map(Number), c.vendorClass, `Dev-${i}`).state; at += 60_000;
    if (s.devices.get(mac)!.linkedTo === privateMac(i, 0)) same++;
  }
  t.log(`rejoins linked: ${same}/${cases.length}`);
  t.true(same / cases.length >= 0.95);
});

// A fleet: three identical devices of every labelled kind (three XP PCs, three HP printers, a room
// of iPhones), all in use at once — the common office case that must not read as one device.
test('a fleet of identical devices in use at once is not claimed to be one device', (t) => {
  let s = emptyInventory(T0); let at = AFTER; let links = 0; let n = 0;
  for (const [i, c] of cases.entries()) {
    for (let k = 0; k < 3; k++) {
      const mac = privateMac(i * 4 + k, 0);
      s = join(s, mac, at, c.prl.split(',').map(Number), c.vendorClass, k === 0 ? null : 'iPhone').state;
      at += 60_000; n++;
      const d = s.devices.get(mac)!;
      if (d.linkedTo !== null || d.maybeSameAs !== null) links++;
    }
  }
  t.log(`false links in fleets: ${links}/${n} = ${(links / n).toFixed(3)}`);
  t.true(links / n <= 0.02);
});

// Two units of one model (every distinct fingerprint of both public sets): unit A joins and goes
// home; unit B, another device of the same model, joins an hour later, after A's address went
// quiet (the timing a MAC rotation has too); the next morning both are back. Their client ids are
// derived from their private MACs, as phones do (they say nothing beyond the MAC). Every "same"
// or "maybe" claim is false; the rate is stated at the alert and once A has been seen again.
test('two devices of the same model joining one after the other: false links at the alert and after both are seen', (t) => {
  const seen = new Set<string>();
  const models = both.filter((c) => { const k = `${c.prl}|${c.vendorClass ?? ''}`; if (seen.has(k)) return false; seen.add(k); return true; });
  for (const [what, name] of [['no hostname', () => null], ['both named "iPhone"', () => 'iPhone'], ['individual names', (u: number) => `Phone-${u}`]] as const) {
    let s = emptyInventory(T0); let at = AFTER; let atAlert = 0; let standing = 0;
    const pairs: [string, string][] = [];
    models.forEach((c, i) => {
      const prl = c.prl.split(',').map(Number);
      const a = privateMac(2 * i, 0); const b = privateMac(2 * i + 1, 0);
      s = join(s, a, at, prl, c.vendorClass, name(2 * i)).state;
      s = join(s, b, at + H, prl, c.vendorClass, name(2 * i + 1)).state;
      const d = s.devices.get(b)!;
      if (d.linkedTo === a || d.maybeSameAs === a) atAlert++;
      pairs.push([a, b]);
      at += 3 * H;
    });
    // The next morning both units are in use again (seen in the kernel's tables).
    at += 24 * H;
    for (const [a, b] of pairs) {
      s = observe(s, { mac: a, at, source: 'neigh', ipv4: '192.168.1.20', vendor: null }, at, DEFAULT_POLICY, table).state;
      s = observe(s, { mac: b, at: at + 1000, source: 'neigh', ipv4: '192.168.1.21', vendor: null }, at + 1000, DEFAULT_POLICY, table).state;
      const d = s.devices.get(b)!;
      if (d.linkedTo === a || d.maybeSameAs === a) standing++;
      at += 2000;
    }
    t.log(`same-model pairs (${what}): false links at the alert ${atAlert}/${models.length} = ${(atAlert / models.length).toFixed(3)}; still claimed once both were seen ${standing}/${models.length}`);
    t.is(standing, 0, 'both units seen in use: never the same device');
    if (what === 'individual names') t.is(atAlert, 0);
  }
});
