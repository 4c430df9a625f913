// Evidence states only what happened (issue 15). Each test builds a world where one evidence
// field could be tempted to claim something that did not happen, and fails if it does.
import test from 'ava';
import { ThreatIntelDetector, type Listing } from '../../../firmware/src/detectors/threatIntel.js';
import { MailDetector } from '../../../firmware/src/detectors/mail.js';
import { UploadDetector } from '../../../firmware/src/detectors/upload.js';
import { LongConnectionDetector } from '../../../firmware/src/detectors/longConn.js';
import { BeaconDetector } from '../../../firmware/src/detectors/beacon.js';
import { ScanDetector } from '../../../firmware/src/detectors/scan.js';
import { ctx, DAY0, flow, H, MIN, periodic, run } from './helpers.js';

const listing = (o: Partial<Listing>): Listing => ({ feedId: 'f', category: 'c2', action: 'block', listedAt: 0, ...o });
const ti = (l: Listing) => new ThreatIntelDetector(ctx(), () => l);

test('threat_contact: an unknown listing time is never read as a policy gap', (t) => {
  const [f] = ti(listing({ listedAt: 0 })).onFlow(flow({ start: DAY0, end: DAY0 + MIN }));
  t.like(f, { action: 'blocked', evidence: { reason: 'listing_time_unknown', listedAt: null } });
  t.notRegex(JSON.stringify(f?.evidence), /policy_gap/);
});

test('threat_contact: "answered while listed" only when the listing is known to predate the connection', (t) => {
  const [before] = ti(listing({ listedAt: DAY0 - H })).onFlow(flow({ start: DAY0, end: DAY0 + MIN }));
  t.like(before, { evidence: { reason: 'answered_while_listed', listedAt: DAY0 - H } });
  const [after] = ti(listing({ listedAt: DAY0 + 30_000 })).onFlow(flow({ start: DAY0, end: DAY0 + MIN }));
  t.like(after, { evidence: { reason: 'listed_after_start' } });
});

test('threat_contact: a watch feed is never said to be blocked', (t) => {
  const [f] = ti(listing({ action: 'watch', listedAt: DAY0 - H })).onFlow(flow());
  t.like(f, { action: 'watched', params: { watchOnly: true }, evidence: { reason: 'watch_only', feedAction: 'watch' } });
});

test('threat_contact: on an inbound flow the attacker\'s packets are not the device answering', (t) => {
  const d = ti(listing({ listedAt: DAY0 - H }));
  // SSH brute force knocking: the attacker sent packets (pktsIn), the device sent none.
  const knock = (i: number) => flow({ direction: 'inbound', remoteIp: `203.0.113.${i}`, devicePort: 22, remotePort: 40000 + i, pktsIn: 6, bytesIn: 400, pktsOut: 0, bytesOut: 0, start: DAY0 + i * 1000, end: DAY0 + i * 1000 + 500 });
  t.deepEqual(Array.from({ length: 50 }, (_, i) => d.onFlow(knock(i))).flat(), []);
  // The device answered (the SSH banner went out): one story for the device, opened by the remote.
  const answered = (i: number) => flow({ direction: 'inbound', remoteIp: `203.0.113.${i}`, devicePort: 22, remotePort: 41000 + i, pktsIn: 12, bytesIn: 2000, pktsOut: 10, bytesOut: 3000, start: DAY0 + H + i * 1000, end: DAY0 + H + i * 1000 + 500 });
  const found = Array.from({ length: 50 }, (_, i) => d.onFlow(answered(i))).flat();
  t.is(found.length, 1);
  t.like(found[0], { direction: 'inbound', severity: 'warning', params: { inbound: true, port: 22 }, evidence: { openedBy: 'remote', pktsOut: 10 } });
});

test('mail: attempts count connections, not their NEW and END events; servers are the distinct ones', (t) => {
  const flows = [1, 2, 3, 4, 5].flatMap((i) => [
    flow({ event: 'new', ctId: 100 + i, remotePort: 587, remoteIp: `198.51.100.${i}`, start: DAY0 + i * 1000, end: DAY0 + i * 1000 }),
    flow({ ctId: 100 + i, remotePort: 587, remoteIp: `198.51.100.${i}`, start: DAY0 + i * 1000, end: DAY0 + i * 1000 + 900 }),
    flow({ ctId: 200 + i, remotePort: 587, remoteIp: `198.51.100.${i}`, start: DAY0 + i * 1000 + 1, end: DAY0 + i * 1000 + 950 }),
  ]);
  const found = run(new MailDetector(ctx()), flows);
  // The burst is found at the fifth server's first event: four servers with two connections each,
  // plus that one. NEW and END of a connection never count twice (that would say 14).
  t.is(found.length, 1);
  t.like(found[0], { evidence: { distinctServers: 5, attemptsSeen: 9 } });
});

test('upload: a growth finding never claims its added bytes were one sighting\'s bytesSent', (t) => {
  const d = new UploadDetector(ctx());
  const at = DAY0 + 2 * H;
  const a = d.onFlow(flow({ remoteIp: '198.51.100.200', start: at, end: at + 20 * MIN, bytesOut: 1_100_000_000, bytesIn: 1_000_000 }));
  t.like(a[0], { evidence: { bytesSent: 1_100_000_000 } });
  const b = d.onFlow(flow({ remoteIp: '198.51.100.200', start: at + 21 * MIN, end: at + 40 * MIN, bytesOut: 1_200_000_000, bytesIn: 1_000_000 }));
  t.is(b.length, 1);
  t.false('bytesSent' in (b[0]?.evidence ?? {}));
  t.like(b[0], { params: { bytes: 1_200_000_000 }, evidence: { bytesAddedSinceReport: 1_200_000_000, hourBytesOut: 2_300_000_000, grew: true } });
  // Nothing more is sent: nothing more is reported.
  t.deepEqual(d.onFlow(flow({ remoteIp: '198.51.100.200', start: at + 41 * MIN, end: at + 42 * MIN, bytesOut: 10, bytesIn: 10 })), []);
});

test('long connection: stillOpen is true only for a flow that has not ended', (t) => {
  const d = new LongConnectionDetector(ctx());
  // Let the detector observe long enough first.
  for (let h = 0; h < 8; h++) d.onFlow(flow({ remoteIp: '198.51.100.9', start: DAY0 + h * H, end: DAY0 + h * H + 1000 }));
  const open = d.onFlow(flow({ event: 'update', remoteIp: '198.51.100.77', start: DAY0, end: DAY0 + 9 * H }));
  t.like(open[0], { evidence: { stillOpen: true, durationHours: 9 } });
  const d2 = new LongConnectionDetector(ctx());
  for (let h = 0; h < 8; h++) d2.onFlow(flow({ remoteIp: '198.51.100.9', start: DAY0 + h * H, end: DAY0 + h * H + 1000 }));
  const ended = d2.onFlow(flow({ event: 'end', remoteIp: '198.51.100.77', start: DAY0, end: DAY0 + 9 * H }));
  t.like(ended[0], { evidence: { stillOpen: false, durationHours: 9 } });
});

test('beacon: connections and interval in the evidence are the pair\'s real ones', (t) => {
  const flows = periodic({ every: 5 * MIN, hours: 24, seed: 3 });
  const found = run(new BeaconDetector(ctx()), flows);
  t.true(found.length > 0);
  const last = found.at(-1)!;
  t.is(last.evidence['medianIntervalSeconds'], 300);
  // Never more connections than happened in the window.
  t.true((last.evidence['connections'] as number) <= flows.length);
  t.is(last.evidence['connections'], last.params['connections']);
  t.is(last.params['intervalSeconds'], 300);
});

test('scan: distinct hosts are the ones tried, never repeats of one', (t) => {
  const d = new ScanDetector(ctx());
  const flows = Array.from({ length: 60 }, (_, i) => flow({ remotePort: 445, remoteIp: `198.51.100.${i % 20}`, pktsIn: 0, bytesIn: 0, start: DAY0 + i * 1000, end: DAY0 + i * 1000 + 10 }));
  t.deepEqual(run(d, flows), [], '20 hosts tried three times each is not 60 hosts');
});
