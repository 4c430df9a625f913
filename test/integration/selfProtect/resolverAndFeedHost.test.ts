// Never cut the office off: a feed that lists the box's own DNS resolvers and its own
// download server loads everything else, while the office's DNS keeps answering, the feed
// keeps refreshing, and a manual block of either is refused with the reason in words.
// Router mode, real utmd, real dnsmasq (the box's, forwarding to a resolver on the lab's
// "internet"), the box's own resolv.conf given by `ip netns exec`'s /etc/netns bind mount.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '../../lab/lab.js';
import { startHttpServer, startTcpListener, tcpProbe } from '../../lab/services.js';
import { labProvisioning, labUtmdConfig, startUtmd } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';

const UPSTREAM_DNS = '192.0.2.60';  // router.dnsServers: dnsmasq forwards the office's DNS here
const BOX_RESOLVER = '198.51.100.53'; // the box's own /etc/resolv.conf
const BAD = '203.0.113.10';
const OTHER = '203.0.113.20';
const NAME = 'office-app.example';
const NAME_IP = '203.0.113.7';
const PORT = 8080;

function lookupScript(server: string, name: string): string {
  return `const {Resolver}=require('dns').promises;const r=new Resolver({timeout:2000,tries:2});r.setServers(['${server}']);
r.resolve4('${name}').then((a)=>{console.log(a.join(','));},(e)=>{console.error(String(e));process.exit(1);});`;
}

/** A lab whose box resolves through `boxResolver` (its own resolv.conf), an "internet" DNS
 *  server on UPSTREAM_DNS answering NAME, and TCP 443 everywhere; all removed in teardown. */
async function selfProtectLab(t: ExecutionContext, mode: 'router' | 'bridge', boxResolver: string): Promise<{ lab: Lab; dir: string }> {
  const lab = await createLab({ mode, lanHosts: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'utm-selfprot-'));
  const netnsEtc = join('/etc/netns', lab.ns.box);
  t.teardown(async () => {
    try {
      await lab.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(netnsEtc, { recursive: true, force: true });
    }
  });
  // the box's own resolv.conf: `ip netns exec` bind-mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf
  mkdirSync(netnsEtc, { recursive: true });
  writeFileSync(join(netnsEtc, 'resolv.conf'), `nameserver ${boxResolver}\n`);
  await lab.exec(lab.ns.wan, ['ip', 'addr', 'add', `${UPSTREAM_DNS}/32`, 'dev', 'inet0']);
  await lab.spawn(lab.ns.wan, ['/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
    `--listen-address=${UPSTREAM_DNS}`, '--except-interface=lo', '--port=53', '--pid-file=', '--user=root', '--log-facility=-', `--address=/${NAME}/${NAME_IP}`]);
  await startTcpListener(lab, lab.ns.wan, [{ addr: '0.0.0.0', port: 443 }]);
  return { lab, dir };
}

type FeedStatus = { feeds: Array<{ id: string; usable: number; rejected: Record<string, number>; lastError: string | null }> };

test.serial('router: a feed listing the resolvers and its own server loads the rest; DNS still answers, the feed refreshes again, manual blocks of them are refused', async (t) => {
  const { lab, dir } = await selfProtectLab(t, 'router', BOX_RESOLVER);
  const feedHost = lab.internet.feeds.v4;
  const writeFeed = (lines: string[]): void => writeFileSync(join(dir, 'feed.txt'), `# lab feed\n${lines.join('\n')}\n`);
  writeFeed([BAD, UPSTREAM_DNS, BOX_RESOLVER, feedHost]);
  await startHttpServer(lab, lab.ns.wan, feedHost, PORT, dir);

  const base = labUtmdConfig(lab, []) as { router?: Record<string, unknown> };
  const config = {
    ...base,
    // keep the lab's router settings (its "internet" names may answer with documentation
    // ranges, which dnsmasq's rebinding guard counts as private), with dnsmasq's upstream here
    router: { ...base.router, dnsServers: [UPSTREAM_DNS] },
    feeds: labFeed(feedHost),
  };
  const utmd = await startUtmd(lab, { config, provisioning: labProvisioning('box-selfprot-01') });
  const host = lab.hosts[0]!;
  const gateway = lab.box.lanAddress.v4;
  const probe = async (addr: string): Promise<string> => (await tcpProbe(host.ns, [{ addr, port: 443 }], { timeoutMs: 1500 }))[0]!.outcome;
  const refresh = async (): Promise<Array<{ feedId: string; result: string }>> => {
    const r = await utmd.ctl(['blocklist', 'refresh', '--json']);
    t.is(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Array<{ feedId: string; result: string }>;
  };
  const dnsAnswer = async (): Promise<string> => (await lab.execResult(host.ns, [process.execPath, '-e', lookupScript(gateway, NAME)], { timeoutMs: 10_000 })).stdout.trim();

  // 1. the feed loads (utmd fetches a feed with nothing loaded soon after start; a refresh
  //    now finds it loaded or loads it): the rest of it is enforced, the protected lines are refused by reason
  t.true(['loaded', 'unchanged'].includes((await refresh())[0]!.result));
  await waitFor(async () => (await probe(BAD)) === 'timeout' || undefined, { what: `${BAD} dropped`, timeoutMs: 30_000, intervalMs: 300 });
  const st = JSON.parse((await utmd.ctl(['blocklist', 'status', '--json'])).stdout) as FeedStatus;
  const feed = st.feeds.find((f) => f.id === 'lab-c2')!;
  t.is(feed.usable, 1, 'only the hostile address loaded');
  t.is(feed.rejected.resolver, 2, 'dnsmasq\'s upstream and the box\'s own resolver');
  t.is(feed.rejected.feed_host, 1, 'the feed\'s own download server');

  // 2. the office's DNS still answers through the box (dnsmasq → the listed resolver)
  await waitFor(async () => (await dnsAnswer()) === NAME_IP || undefined, { what: `${NAME} answered through the box`, timeoutMs: 30_000, intervalMs: 500 });
  // the kernel's allowlist holds them too: nothing in any set can cut them off
  const allow = await lab.exec(lab.ns.box, ['/usr/sbin/nft', 'list', 'set', 'inet', 'utm', 'allow_v4']);
  for (const a of [UPSTREAM_DNS, BOX_RESOLVER, feedHost]) t.true(allow.includes(a), `${a} on the kernel allowlist`);

  // 3. the feed refreshes again from its own (listed) server, and the new entry is enforced
  writeFeed([BAD, OTHER, UPSTREAM_DNS, BOX_RESOLVER, feedHost]);
  t.like((await refresh())[0], { result: 'loaded' });
  await waitFor(async () => (await probe(OTHER)) === 'timeout' || undefined, { what: `${OTHER} dropped after the second refresh`, timeoutMs: 30_000, intervalMs: 300 });
  t.is(await dnsAnswer(), NAME_IP, 'DNS still answers after the second load');

  // 4. a manual block of the resolver or the feed server is refused, says why, changes nothing
  const r1 = await utmd.ctl(['block', 'add', UPSTREAM_DNS, '--for', '1h']);
  t.not(r1.code, 0);
  t.regex(r1.stderr + r1.stdout, /DNS server.*\[resolver\]/);
  const r2 = await utmd.ctl(['block', 'add', `${feedHost.split('.').slice(0, 3).join('.')}.0/24`, '--for', '1h']);
  t.not(r2.code, 0);
  t.regex(r2.stderr + r2.stdout, /part of it is protected.*\[feed_host\]/);
  t.deepEqual(JSON.parse((await utmd.ctl(['block', 'list', '--json'])).stdout), []);
  const s = (await utmd.status()) as { features: { blocklist: { manualRefused: Record<string, number>; protected: { resolver: string[]; feed_host: string[] } } } };
  // the /24 holds both the feed server and dnsmasq's upstream (192.0.2.60): counted under both
  t.like(s.features.blocklist.manualRefused, { resolver: 2, feed_host: 1 });
  t.true(s.features.blocklist.protected.resolver.includes(BOX_RESOLVER));
  t.true(s.features.blocklist.protected.feed_host.includes(feedHost));
  t.is(await dnsAnswer(), NAME_IP);
});

test.serial('bridge: the box\'s resolver (resolv.conf) listed in a feed stays reachable for the office through the bridge', async (t) => {
  const { lab, dir } = await selfProtectLab(t, 'bridge', UPSTREAM_DNS);
  const feedHost = lab.internet.feeds.v4;
  writeFileSync(join(dir, 'feed.txt'), `${BAD}\n${UPSTREAM_DNS}\n${feedHost}\n`);
  await startHttpServer(lab, lab.ns.wan, feedHost, PORT, dir);
  const config = {
    ...labUtmdConfig(lab, []),
    feeds: labFeed(feedHost),
  };
  const utmd = await startUtmd(lab, { config, provisioning: labProvisioning('box-selfprot-02') });
  const host = lab.hosts[0]!;
  const r = await utmd.ctl(['blocklist', 'refresh', '--json']);
  t.is(r.code, 0, r.stderr);
  await waitFor(async () => (await tcpProbe(host.ns, [{ addr: BAD, port: 443 }], { timeoutMs: 1500 }))[0]!.outcome === 'timeout' || undefined,
    { what: `${BAD} dropped`, timeoutMs: 30_000, intervalMs: 300 });
  const st = JSON.parse((await utmd.ctl(['blocklist', 'status', '--json'])).stdout) as FeedStatus;
  t.like(st.feeds.find((f) => f.id === 'lab-c2')!.rejected, { resolver: 1, feed_host: 1 });
  // the office asks the resolver directly, through the box's bridge
  const out = await lab.execResult(host.ns, [process.execPath, '-e', lookupScript(UPSTREAM_DNS, NAME)], { timeoutMs: 10_000 });
  t.is(out.stdout.trim(), NAME_IP, out.stderr);
  writeFileSync(join(dir, 'feed.txt'), `${BAD}\n${OTHER}\n${UPSTREAM_DNS}\n${feedHost}\n`);
  const again = JSON.parse((await utmd.ctl(['blocklist', 'refresh', '--json'])).stdout) as Array<{ result: string }>;
  t.is(again[0]!.result, 'loaded', 'the feed refreshes from its own listed server');
});

/** One plain-text drop list served by the lab's web server on `host`. */
function labFeed(host: string): Record<string, unknown> {
  return {
    shipped: false, jitterSeconds: 0, fetchTimeoutSeconds: 5,
    extra: [{
      id: 'lab-c2', name: { ja: 'ラボのリスト', en: 'Lab list' }, description: { ja: 'テスト用のリストです。', en: 'A list for tests.' },
      urls: { v4: `http://${host}:${PORT}/feed.txt` }, format: 'plain', category: 'c2', direction: 'both', action: 'drop',
      refresh: '0 0 1 1 *', minEntries: 1, maxShrinkRatio: 0.9, maxRejectRatio: 0.9, enabledByDefault: true,
    }],
  };
}
