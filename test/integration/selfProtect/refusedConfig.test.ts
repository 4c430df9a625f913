// A refused config on restart keeps the last good one running ENTIRELY. Router mode: utmd
// runs with a good config; it is stopped, the config gets a typo and a wrong value, utmd is
// started again. The office still gets a DHCP lease and DNS answers from the box, the
// monitoring centre's collector receives the refusal with its reasons, and the page says so.
import test from 'ava';
import { createLab } from '../../lab/lab.js';
import { startUdpCollector } from '../../lab/collector.js';
import { labProvisioning, labUtmdConfig, startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { startTcpListener, tcpProbe } from '../../lab/services.js';
import { IOS, privateMac, runDhclient } from '../devices/clients.js';

const NAME = 'office-app.example';
const NAME_IP = '203.0.113.7';

function lookupScript(server: string, name: string): string {
  return `const {Resolver}=require('dns').promises;const r=new Resolver({timeout:2000,tries:2});r.setServers(['${server}']);
r.resolve4('${name}').then((a)=>{console.log(a.join(','));},(e)=>{console.error(String(e));process.exit(1);});`;
}

function pageScript(url: string): string {
  return `require('http').get('${url}',(res)=>{let b='';res.setEncoding('utf8');res.on('data',(c)=>b+=c);res.on('end',()=>console.log(b));}).on('error',(e)=>{console.error(String(e));process.exit(1);});`;
}

type Status = { conditions: Array<{ id: string; ok: boolean; detail?: string }>; mode: string };

test.serial('router: restart with a refused config: DHCP and DNS still served, the refusal reaches the collector and the page', async (t) => {
  const lab = await createLab({ mode: 'router', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const collector = await startUdpCollector(lab);
  // labUtmdConfig pins the box's DNS forwarder to 192.0.2.53: a resolver answers there
  const resolver = lab.internet.feeds.v4;
  await lab.spawn(lab.ns.wan, ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
    `--listen-address=${resolver}`, '--except-interface=lo', '--port=53', '--pid-file=', '--user=root', '--log-facility=-', `--address=/${NAME}/${NAME_IP}`]);
  const provisioning = labProvisioning('box-refused-01');
  const good = labUtmdConfig(lab, []);
  const dnsmasqUp = async (u: { status(): Promise<unknown> }): Promise<void> => {
    await waitFor(async () => ((await u.status()) as Status).conditions.find((c) => c.id === 'sensor:dnsmasq' && c.ok), { what: 'dnsmasq running', timeoutMs: 30_000 });
  };
  let utmd = await startUtmd(lab, { config: good, provisioning });
  await dnsmasqUp(utmd);
  await utmd.stop();

  // a typo'd key and a wrong value: the whole file is refused
  const broken = { ...good, ui: { port: 'eighty' }, upstrem: { host: '198.51.100.99' } };
  utmd = await startUtmd(lab, { config: broken, provisioning, stateDir: utmd.stateDir });
  const cond = await waitFor(async () => ((await utmd.status()) as Status).conditions.find((c) => c.id === 'refused:config:last_good'),
    { what: 'the refusal condition', timeoutMs: 20_000 });
  t.false(cond.ok);
  t.regex(cond.detail ?? '', /upstrem/);
  t.regex(cond.detail ?? '', /ui\.port/);
  t.is(((await utmd.status()) as Status).mode, 'router', 'running on the last good config');
  await dnsmasqUp(utmd);

  // the office: a new device gets a lease from the box, and DNS answers through it
  const pc = await lab.addLanHost({ mac: privateMac(), addressing: 'none' });
  const client = await runDhclient(lab, pc, { ...IOS, hostname: 'office-pc' });
  t.regex(client.address, /^192\.168\.77\.\d+$/);
  const gateway = lab.box.lanAddress.v4;
  const answer = await waitFor(async () => {
    const r = await lab.execResult(pc.ns, [process.execPath, '-e', lookupScript(gateway, NAME)], { timeoutMs: 10_000 });
    return r.stdout.trim() === NAME_IP ? r.stdout.trim() : undefined;
  }, { what: `${NAME} answered by the box`, timeoutMs: 30_000, intervalMs: 500 });
  t.is(answer, NAME_IP);
  await client.stop();

  // the monitoring centre hears about it, with the reasons
  const line = await collector.waitFor((l) => l.includes('config_refused'), 30_000);
  t.regex(line, /upstrem/, 'the refused fields travel in the text');
  t.regex(line, /box-refused-01/);

  // the page (port 80 of the last good config) shows it in plain words
  const page = (await lab.exec(lab.hosts[0]!.ns, [process.execPath, '-e', pageScript(`http://${gateway}/`)], { timeoutMs: 10_000 }));
  t.true(page.includes('新しい設定を読み込めませんでした'), 'the alert title is on the page');
  t.true(page.includes('refused:config:last_good'), 'the condition is in the technician table');
});

test.serial('bridge: a refused config with no last-good copy runs on the defaults, still forwarding, and says so', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  await startTcpListener(lab, lab.ns.wan, [{ addr: lab.internet.web.v4, port: 80 }]);
  const utmd = await startUtmd(lab, { config: { ...labUtmdConfig(lab, []), mode: 'brigde' }, provisioning: labProvisioning('box-refused-02') });
  const s = (await utmd.status()) as Status;
  const cond = s.conditions.find((c) => c.id === 'refused:config:defaults');
  t.false(cond?.ok ?? true);
  t.regex(cond?.detail ?? '', /\[mode\].*defaults \(still forwarding\)/);
  t.is(s.mode, 'bridge', 'zero-config: two ports make a bridge');
  t.is((await tcpProbe(lab.hosts[0]!.ns, [{ addr: lab.internet.web.v4, port: 80 }], { timeoutMs: 3000 }))[0]?.outcome, 'connected', 'the office still reaches the internet');
  const alerts = JSON.parse((await utmd.ctl(['alerts', '--json'])).stdout) as Array<{ kind: string; params: Record<string, unknown> }>;
  t.like(alerts.find((a) => a.kind === 'config_refused'), { params: { file: 'config', using: 'defaults', fields: 'mode' } });
});
