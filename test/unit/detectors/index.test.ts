import test from 'ava';
import { collectorAllowEntry, DetectorSet } from '../../../firmware/src/detectors/index.js';
import { parseThresholds, ThresholdsError } from '../../../firmware/src/detectors/thresholds.js';
import { DAY0, flow, H, periodic, RULES, thresholds } from './helpers.js';

test('the shipped rules/thresholds.json validates', (t) => {
  t.notThrows(() => parseThresholds(RULES));
});

test('every well-known service in the shipped rules cites its source (issue 15)', (t) => {
  const missing = parseThresholds(RULES).allowlist.filter((e) => e.source.length === 0).map((e) => e.name);
  t.deepEqual(missing, []);
});

test('bad thresholds are refused with ThresholdsError', (t) => {
  const bad = structuredClone(RULES) as Record<string, unknown>;
  (bad['beacon'] as Record<string, unknown>)['weights'] = { ts: 0.5, ds: 0.5, dur: 0.5, hist: 0.5 };
  t.throws(() => parseThresholds(bad), { instanceOf: ThresholdsError });
  t.throws(() => parseThresholds({ ...(RULES as object), surprise: 1 }), { instanceOf: ThresholdsError });
});

test('DetectorSet feeds every detector and evict() empties stale state', (t) => {
  const set = new DetectorSet({ thresholds: thresholds(), listed: (ip) => (ip === '198.51.100.66' ? { feedId: 'f', category: 'c2', action: 'watch', listedAt: 0 } : undefined) });
  const findings = [
    ...set.onFlow(flow({ remoteIp: '198.51.100.66' })),
    ...set.onFlow(flow({ remotePort: 25, remoteIp: '198.51.100.25' })),
  ];
  t.deepEqual(findings.map((f) => f.kind).sort(), ['mail_abuse', 'threat_contact']);
  t.is(set.produced['threat_intel'], 1);
  t.true(Object.values(set.sizes()).some((n) => n > 0));
  set.evict(DAY0 + 30 * 24 * H);
  t.deepEqual(Object.values(set.sizes()).filter((n) => n > 0), []);
});

test('the upstream collector, added from provisioning, is never a beacon', (t) => {
  const stream = periodic({ every: 60_000, hours: 24, over: { remoteIp: '192.0.2.200', remotePort: 6514 } });
  const plain = new DetectorSet({ thresholds: thresholds(), listed: () => undefined });
  t.true(stream.flatMap((f) => plain.onFlow(f)).some((f) => f.kind === 'beacon'));
  const withCollector = new DetectorSet({ thresholds: thresholds(), listed: () => undefined, extraAllow: [collectorAllowEntry('192.0.2.200')] });
  t.false(stream.flatMap((f) => withCollector.onFlow(f)).some((f) => f.kind === 'beacon'));
});

test('a thresholds file written for older firmware ("timeScale": 1) still loads; another scale is refused', (t) => {
  t.notThrows(() => thresholds({ timeScale: 1 }));
  t.throws(() => thresholds({ timeScale: 0.001 }), { instanceOf: ThresholdsError });
});
