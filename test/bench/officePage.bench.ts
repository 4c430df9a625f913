// Benchmark (issue 12): the office page's server time at the 95th percentile, with 30 days of
// data for 50 devices in a real SQLite store (alerts, incidents, daily statistics, counters,
// staff marks), against the same server sending a static file of the same size, in the same
// run. Reported as a ratio of the two p95s (and the medians), never as an absolute claim.
// Usage: npx tsx test/bench/officePage.bench.ts [--requests N]
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { officePort } from '../../firmware/src/app/officePort.js';
import { BLOCKED_DEVICE } from '../../firmware/src/app/reporting.js';
import { AcksRepo } from '../../firmware/src/store/acksRepo.js';
import { AlertsRepo } from '../../firmware/src/alerts/alertsRepo.js';
import { openDb } from '../../firmware/src/store/db.js';
import { everyMigration } from '../helpers/schema.js';
import { IncidentsRepo } from '../../firmware/src/alerts/incidentsRepo.js';
import { ReportingRepo } from '../../firmware/src/upstream/reportingRepo.js';
import { incidentsView } from '../../firmware/src/traffic/view.js';
import { createWebApp } from '../../webui/src/app.js';
import { featureExtensions } from '../../webui/src/features.js';
import { buildCatalog } from '../../webui/src/i18n/alerts/index.js';
import { startWebServer } from '../../webui/src/server.js';
import { makeDailyStats, makeOffice } from '../helpers/office.js';
import { fakeDaemon, makeAlert, T0 } from '../helpers/webui.js';

const i = process.argv.indexOf('--requests');
const N = i >= 0 ? Number(process.argv[i + 1]) : 300;
const DAY = 86_400_000;
const KINDS = ['blocklist_hit', 'blocklist_hit', 'blocklist_hit', 'beacon', 'sensor_down', 'threat_repeat', 'upload'] as const;

function get(port: number, path: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => resolve({ ms: performance.now() - t0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};

const dir = await mkdtemp(join(tmpdir(), 'otasuke-bench-office-'));
try {
  const db = openDb(join(dir, 'utm.db'), everyMigration);
  const alerts = new AlertsRepo(db);
  const incidents = new IncidentsRepo(db);
  const reporting = new ReportingRepo(db);
  const acks = new AcksRepo(db);
  const office = makeOffice(50);
  // 30 days of an office of 50 devices: about 40 alerts a day, an incident every other day.
  db.transaction(() => {
    for (let d = 0; d < 30; d++) {
      for (let k = 0; k < 40; k++) {
        const dev = office.devices[(d * 7 + k) % office.devices.length]!;
        const at = T0 - d * DAY - k * 1_800_000;
        const kind = KINDS[k % KINDS.length]!;
        const id = alerts.insert({ ...makeAlert({ kind, device: { mac: dev.mac, ip: dev.ipv4[0] }, firstSeen: at, lastSeen: at, count: 1 + (k % 5) }), incidentId: null });
        if (k === 0 && d % 2 === 0) {
          const inc = incidents.insert({ deviceKey: dev.mac, device: { mac: dev.mac, ip: dev.ipv4[0] }, openedAt: at, lastAt: at, kinds: ['beacon', 'upload'], stages: ['control', 'action'], findings: 2, baseSeverity: 'danger', severity: 'danger' });
          incidents.link(id, inc.id);
          if (d > 4) acks.put({ target: 'incident', id: inc.id, at: at + 3_600_000, actor: 'admin', note: 'done' });
        }
      }
    }
    for (const s of makeDailyStats(30)) {
      reporting.putStats(s, s.to, null);
      reporting.addCounters(s.day, Object.fromEntries(office.devices.slice(0, 10).map((d) => [`${BLOCKED_DEVICE}${d.mac}`, 3])));
    }
  })();
  const daemon = fakeDaemon();
  daemon.deps.recentAlerts = (limit) => alerts.recent(limit);
  daemon.deps.office = officePort({ db, alerts, reporting, now: () => T0 });
  // A copy of the static folder plus a file of the page's size, served by the same app.
  const staticDir = join(dir, 'static');
  await cp(fileURLToPath(new URL('../../webui/static', import.meta.url)), staticDir, { recursive: true });
  daemon.deps.staticDir = staticDir;
  const ext = featureExtensions([{ devices: office.devicesView, incidents: incidentsView({ alerts, incidents: new IncidentsRepo(db), now: () => T0 }) }], { catalog: buildCatalog(), desk: daemon.deps.desk });
  const server = await startWebServer(createWebApp(daemon.deps, ext), { host: '127.0.0.1', port: 0 });
  try {
    const probe = await get(server.port, '/');
    await writeFile(join(staticDir, 'same-size.html'), 'x'.repeat(probe.bytes));
    for (let w = 0; w < 20; w++) { await get(server.port, '/'); await get(server.port, '/static/same-size.html'); }
    const page: number[] = [];
    const file: number[] = [];
    // Interleaved so both see the same machine load.
    for (let r = 0; r < N; r++) {
      page.push((await get(server.port, '/')).ms);
      file.push((await get(server.port, '/static/same-size.html')).ms);
    }
    const out = {
      requests: N, pageBytes: probe.bytes, alerts: alerts.count(),
      pageP95ms: +pct(page, 0.95).toFixed(2), staticP95ms: +pct(file, 0.95).toFixed(2), ratioP95: +(pct(page, 0.95) / pct(file, 0.95)).toFixed(1),
      pageP50ms: +pct(page, 0.5).toFixed(2), staticP50ms: +pct(file, 0.5).toFixed(2), ratioP50: +(pct(page, 0.5) / pct(file, 0.5)).toFixed(1),
    };
    console.log(JSON.stringify(out));
  } finally {
    await server.close();
    db.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
