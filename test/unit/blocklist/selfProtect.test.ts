import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SELF_PROTECT_FILE, SelfProtect } from '../../../firmware/src/blocklist/selfProtect.js';

function setup(t: { teardown: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'utm-selfprot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 192.0.2.60\n');
  const problems: string[] = [];
  const make = (): SelfProtect => new SelfProtect({
    stateDir: dir, extraNtp: ['192.0.2.123'], onProblem: (what) => problems.push(what),
    sources: { resolvConf: [join(dir, 'resolv.conf')], leaseDirs: [], timesyncd: [], chrony: [] },
  });
  return { dir, problems, make };
}

test('feed servers and box peers are remembered across a restart (0600 file), changes are reported once', async (t) => {
  const s = setup(t);
  const a = s.make();
  await a.load();
  t.true(await a.refreshBox(), 'first read: new resolver and NTP server');
  t.false(await a.refreshBox(), 'nothing changed');
  t.true(await a.noteFeed('lab-c2', ['192.0.2.53', '::ffff:junk', '2001:db8:c0::53']));
  t.false(await a.noteFeed('lab-c2', ['192.0.2.53']), 'a known address changes nothing');
  t.deepEqual(a.current(), { resolver: ['192.0.2.60'], ntp: ['192.0.2.123'], feed_host: ['192.0.2.53', '2001:db8:c0::53'] });
  t.is(statSync(join(s.dir, SELF_PROTECT_FILE)).mode & 0o777, 0o600);

  // a new utmd: before any download, the other feed's server is already protected
  const b = s.make();
  await b.load();
  t.deepEqual(b.current().feed_host, ['192.0.2.53', '2001:db8:c0::53']);
  t.deepEqual(b.current(['198.51.100.80']).feed_host, ['192.0.2.53', '198.51.100.80', '2001:db8:c0::53'], 'a download in progress adds its own');
  t.true(await b.forgetFeed('lab-c2'));
  t.deepEqual(b.current().feed_host, []);
  t.deepEqual(s.problems, []);
});

test('a damaged file is reported and ignored, never fatal', async (t) => {
  const s = setup(t);
  writeFileSync(join(s.dir, SELF_PROTECT_FILE), '{"version":1,"resolver":["not an address"]}');
  const a = s.make();
  await a.load();
  t.deepEqual(a.current(), { resolver: [], ntp: [], feed_host: [] });
  t.is(s.problems.length, 1);
  t.true(await a.refreshBox());
  t.regex(readFileSync(join(s.dir, SELF_PROTECT_FILE), 'utf8'), /192\.0\.2\.60/);
});
