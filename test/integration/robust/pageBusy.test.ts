// The page's port taken by someone else when utmd starts (another server, a leftover): utmd
// must keep running and enforcing, show the failure as the `page` condition, retry with
// backoff, and bring the page up once the port is free. Real utmd, real kernel, a lab.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { labProvisioning, labUtmdConfig, startUtmd } from '../../lab/utmd.js';
import { startUiBridge } from '../../lab/uiBridge.js';
import { waitFor } from '../../lab/poll.js';

type Status = {
  conditions: Array<{ id: string; ok: boolean; detail?: string }>;
  page: unknown;
  listeners: { page: { state: string; attempts: number; failures: number } };
};

test.serial('page port in use: utmd keeps enforcing and says so; the page comes up when the port is free', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const { malware, web } = lab.internet;
  await startTcpListener(lab, lab.ns.wan, [{ addr: malware.v4, port: 443 }, { addr: web.v4, port: 80 }]);
  // someone else holds port 80 in the box (IPv4 any: utmd's dual-stack [::]:80 cannot bind)
  const squatter = await startTcpListener(lab, lab.ns.box, [{ addr: '0.0.0.0', port: 80 }]);
  const utmd = await startUtmd(lab, { config: labUtmdConfig(lab, [malware.v4]), provisioning: labProvisioning('box-test-0001') });

  // utmd is up and enforcing although its page is not
  const host = lab.hosts[0]!;
  const [bad, good] = await tcpProbe(host.ns, [{ addr: malware.v4, port: 443 }, { addr: web.v4, port: 80 }], { timeoutMs: 1500 });
  t.is(bad?.outcome, 'timeout', 'the listed server is dropped');
  t.is(good?.outcome, 'connected', 'ordinary traffic passes');
  const down = await waitFor(async () => {
    const s = (await utmd.status()) as Status;
    return s.listeners.page.failures >= 2 ? s : undefined;
  }, { what: 'the page start retried at least once', timeoutMs: 30_000 });
  const page = down.conditions.find((c) => c.id === 'page');
  t.is(page?.ok, false);
  t.regex(page?.detail ?? '', /EADDRINUSE/);
  t.is(down.page, null);
  t.true(down.conditions.find((c) => c.id === 'ruleset')?.ok, 'the ruleset is applied');
  t.is(utmd.proc.exitStatus(), undefined, 'utmd did not exit');

  // the port frees: the page comes up by itself and the condition clears
  await squatter.stop();
  const up = await waitFor(async () => {
    const s = (await utmd.status()) as Status;
    return s.conditions.find((c) => c.id === 'page')?.ok ? s : undefined;
  }, { what: 'the page condition to clear', timeoutMs: 90_000 });
  t.not(up.page, null);
  const ui = await startUiBridge(lab, { hostPort: 0 });
  t.teardown(() => ui.stop());
  const html = await (await fetch(ui.url)).text();
  t.true(html.includes('0120-000-000'), 'the office sees the page from the LAN');
  t.is(utmd.proc.exitStatus(), undefined, 'the same utmd, never restarted');
});
