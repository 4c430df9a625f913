import test from 'ava';
import { MailDetector } from '../../../firmware/src/detectors/mail.js';
import { ctx, DAY0, flow, MIN, run, thresholds } from './helpers.js';

const smtp = (i: number, port: number, over = {}) =>
  flow({ remotePort: port, remoteIp: `198.51.100.${i}`, start: DAY0 + i * 5000, end: DAY0 + i * 5000 + 2000, ...over });

test('a PC sending mail straight to port 25 is reported once', (t) => {
  const found = run(new MailDetector(ctx()), [smtp(1, 25), smtp(1, 25, { start: DAY0 + MIN, end: DAY0 + MIN + 1 })]);
  t.is(found.length, 1);
  t.like(found[0], { kind: 'mail_abuse', severity: 'warning', evidence: { pattern: 'direct_smtp' } });
});

test('30 distinct servers on 587 in a few minutes is a dangerous burst that grows to 30', (t) => {
  const flows = Array.from({ length: 30 }, (_, i) => smtp(i + 1, 587));
  const found = run(new MailDetector(ctx()), flows);
  // One finding at the threshold, then one per new server (the pipeline folds them into one alert).
  t.is(found.length, 26);
  t.like(found[0], { kind: 'mail_abuse', severity: 'danger', evidence: { pattern: 'burst', distinctServers: 5 } });
  t.like(found.at(-1), { kind: 'mail_abuse', severity: 'danger', params: { servers: 30 }, evidence: { pattern: 'burst', distinctServers: 30, attemptsSeen: 30 } });
  t.true(found.every((f) => f.dedupKey === found[0]?.dedupKey));
});

test('NEW and END of one connection are one attempt in the evidence', (t) => {
  const flows = Array.from({ length: 6 }, (_, i) => [
    smtp(i + 1, 587, { event: 'new', ctId: 900 + i, end: DAY0 + (i + 1) * 5000 }),
    smtp(i + 1, 587, { ctId: 900 + i }),
  ]).flat();
  const found = run(new MailDetector(ctx()), flows);
  t.like(found.at(-1), { evidence: { distinctServers: 6, attemptsSeen: 6 } });
});

test('a repeat to the same servers with nothing new is not reported again within the hour', (t) => {
  const flows = [...Array.from({ length: 5 }, (_, i) => smtp(i + 1, 587)), ...Array.from({ length: 5 }, (_, i) => smtp(i + 1, 587, { start: DAY0 + MIN * 2 + i, end: DAY0 + MIN * 2 + i + 1 }))];
  t.is((run(new MailDetector(ctx()), flows)).length, 1);
});

test('submission to the office provider and the designated mail server are normal', (t) => {
  const d = new MailDetector(ctx(thresholds({ mailSubmission: ['203.0.113.25'], mailServers: ['192.168.1.5'] })));
  const flows = [
    ...Array.from({ length: 20 }, (_, i) => flow({ remotePort: 587, remoteIp: '203.0.113.25', start: DAY0 + i * MIN, end: DAY0 + i * MIN + 500 })),
    ...Array.from({ length: 40 }, (_, i) => smtp(i + 1, 25, { deviceIp: '192.168.1.5', deviceMac: '02:00:00:00:00:05' })),
  ];
  t.deepEqual(run(d, flows), []);
});

test('a few servers spread over hours on 587 is not a burst', (t) => {
  const flows = Array.from({ length: 10 }, (_, i) => flow({ remotePort: 587, remoteIp: `198.51.100.${i}`, start: DAY0 + i * 30 * MIN, end: DAY0 + i * 30 * MIN + 900 }));
  t.deepEqual(run(new MailDetector(ctx()), flows), []);
});
