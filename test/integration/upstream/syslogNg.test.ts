// The shipped syslog-ng reference config takes the box's RFC 5425 TLS stream and keeps the
// structured data as fields: every sequence number arrives, written as JSON _SDATA.utmMsg@32473.seq.
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { makeTestPki } from '../../lab/testPki.js';
import { startSyslogNg } from '../../lab/syslogNg.js';
import { waitFor } from '../../lab/poll.js';

test('syslog-ng reference config: 200 messages over TLS, every number once, SD as fields', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1, v6: false });
  t.teardown(() => lab.destroy());
  const addr = lab.internet.collector.v4;
  const pki = await makeTestPki(join(lab.dir, 'pki'), addr, 'collector.test');
  const ng = await startSyslogNg(lab, { ca: pki.caFile, ...pki.good }, addr);
  const target = join(lab.dir, 'target.json');
  await writeFile(target, JSON.stringify({ host: addr, caPem: pki.caPem, serverName: 'collector.test' }));
  const box = await lab.spawnAgent(lab.ns.box, 'upstreamBox', ['--db', join(lab.dir, 'box.db'), '--target', target, '--count', '200', '--device', 'box-ng']);
  t.teardown(() => box.stop());
  const lines = await waitFor(async () => {
    const l = await ng.lines();
    return l.length >= 200 ? l : undefined;
  }, { what: '200 messages at syslog-ng', timeoutMs: 60_000, intervalMs: 200 });
  type Line = { _SDATA: Record<string, Record<string, string>>; HOST: string; MSGID: string };
  const sd = (l: unknown): Record<string, Record<string, string>> => (l as Line)._SDATA;
  const seqs = lines.map((l) => Number(sd(l)['utmMsg@32473']?.['seq']));
  t.deepEqual([...new Set(seqs)].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
  t.is(sd(lines[0])['meta']?.['sequenceId'], sd(lines[0])['utmMsg@32473']?.['seq']);
  t.is(lines[0]!['HOST'], 'box-ng');
  t.is(lines[0]!['MSGID'], 'lab_test');
  t.is(sd(lines[0])['utm@32473']?.['kind'], 'lab_test');
});
