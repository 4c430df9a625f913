import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SupervisorHealth } from '../../../firmware/src/sensors/supervisor.js';
import { UlogdSensor, type UlogdLossStats } from '../../../firmware/src/sensors/ulogd.js';

const fake = fileURLToPath(new URL('../../fixtures/supervisor/fakeUlogd.mjs', import.meta.url));

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met before deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('writes the config, reports ready, counts loss lines and remembers a reached maximum', async (t) => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'utm-ulogd-unit-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const health: SupervisorHealth[] = [];
  const losses: UlogdLossStats[] = [];
  const sensor = new UlogdSensor({
    stateDir, now: () => 1000,
    config: { pluginDir: '/usr/lib/x86_64-linux-gnu/ulogd', nflogGroups: [3], udpPort: 41000,
      nfct: { enabled: true }, netlinkBufferSize: 0, netlinkBufferMaxSize: 0 },
    onHealth: (h) => health.push(h), onLoss: (s) => losses.push(s),
    argvPrefix: [process.execPath, fake],
  });
  t.teardown(() => sensor.stop());
  await sensor.start();
  const conf = await readFile(sensor.configPath(), 'utf8');
  t.regex(conf, /^logfile="stdout"$/m);
  t.regex(conf, /^port="41000"$/m);
  await until(() => losses.length === 3 && health.some((h) => h.ok));
  const s = sensor.lossStats();
  t.is(s.lossMessages, 3);
  t.deepEqual(s.maxBufferReached, { NFCT: true, NFLOG: false });
  t.is(s.lastLossAt, 1000);
  await until(() => sensor.lossStats().errorLines === 1);
  t.is(sensor.lossStats().lastError, "can't do something");
  await sensor.stop();
  t.is(sensor.pid(), undefined);
});
