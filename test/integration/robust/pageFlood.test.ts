// One office PC floods the page (thousands of idle connections, slow headers, a request
// flood): utmd stays up with descriptors to spare, utmctl answers, another PC still gets
// the page, and forwarding and blocking go on.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { startUtmd, labUtmdConfig } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { fdCount, httpGet, startFlood } from './helpers.js';

type Status = { page: { open: number; refusedPerClient: number; timedOut: number } | null };

for (const mode of ['bridge', 'router'] as const) test.serial(`${mode}: a page flood from one LAN host: utmd survives, utmctl answers, a second LAN host gets the page`, async (t) => {
  const lab = await createLab({ mode, lanHosts: 2 });
  t.teardown(() => lab.destroy());
  const { web, malware } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: web.v4, port: 80 }, { addr: malware.v4, port: 443 }]);
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, [malware.v4]) });
  t.teardown(() => utmd.stop());
  const [attacker, other] = [lab.hosts[0]!, lab.hosts[1]!];
  const box = lab.box.lanAddress.v4;
  const flood = await startFlood(lab, attacker.ns, box, 80, { idle: 18_000, slow: 300, requests: 8, rate: 3000 });
  t.teardown(() => flood.stop());
  // the flood is on: thousands of connection attempts refused over the per-client cap
  let last = '';
  t.teardown(() => t.log(`last: ${last}`));
  const st = await waitFor(async () => {
    const s = (await utmd.status()) as Status;
    last = `${JSON.stringify(s.page)} ${JSON.stringify(flood.counts())}`;
    return s.page && s.page.refusedPerClient > 10_000 ? s : undefined;
  }, { what: 'the flood to be refused in numbers', timeoutMs: 90_000, intervalMs: 1000 });
  t.log(`page during flood: ${JSON.stringify(st.page)}; flooder: ${JSON.stringify(flood.counts())}; utmd fds: ${fdCount(utmd.proc.pid)}`);
  t.true((st.page?.open ?? 0) <= 64, 'one client holds no more than its cap (plus the other host)');
  t.true(fdCount(utmd.proc.pid) < 1000, 'utmd keeps its descriptors');
  // what the office experiences during the flood
  t.is((await utmd.ctl(['status'])).code, 0, 'utmctl answers');
  const page = await httpGet(other.ns, `http://${box}/`, 10_000);
  t.is(page.status, 200, `the page answers another PC (${page.error ?? ''})`);
  const [fwd, blk] = await tcpProbe(other.ns, [{ addr: web.v4, port: 80 }, { addr: malware.v4, port: 443 }], { timeoutMs: 2000 });
  t.is(fwd?.outcome, 'connected', 'forwarded');
  t.is(blk?.outcome, 'timeout', 'blocked');
  t.is(utmd.proc.exitStatus(), undefined, 'utmd is running');
  await flood.stop();
  // once the flood is over, the page frees what the flood held
  await waitFor(async () => ((await utmd.status()) as Status).page?.open === 0, { what: 'flood connections closed', timeoutMs: 30_000 });
});
