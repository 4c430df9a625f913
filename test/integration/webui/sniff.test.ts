// What a second office PC sniffing the LAN sees (issue 12 found `password=…` in an ARP-spoofed
// capture): tcpdump in the office PC's namespace records the page's ports while a login is
// attempted the way a browser would over HTTP (the plain page; any login form on it would be
// submitted) and done over HTTPS, trusting the box's certificate by its pin. The capture must
// hold neither the password nor the session cookie. Real utmd, real tcpdump, real curl. The
// technician view and its diagnostics download are checked on the way.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab } from '../../lab/lab.js';
import { startUtmd, labUtmdConfig, labProvisioning } from '../../lab/utmd.js';
import { waitFor } from '../../lab/poll.js';
import { hashPassword } from '../../../firmware/src/auth/password.js';

const PASSWORD = 'sniff-me-if-you-can-7431';

test('a sniffed LAN capture of HTTP and HTTPS login attempts holds no password and no session', async (t) => {
  const lab = await createLab({ mode: 'bridge', lanHosts: 1 });
  t.teardown(() => lab.destroy());
  const utmd = await startUtmd(lab, {
    config: labUtmdConfig(lab, []),
    provisioning: labProvisioning('box-sniff-0001', { admin: { passwordHash: await hashPassword(PASSWORD, undefined, { N: 1024, r: 8, p: 1 }) } }),
  });
  const cert = await waitFor(async () => {
    const r = await utmd.ctl(['web', 'cert', '--json']);
    return r.code === 0 ? JSON.parse(r.stdout) as { fingerprint256: string; spkiSha256: string; httpsPort: number } : undefined;
  }, { what: 'utmctl web cert', timeoutMs: 30_000, intervalMs: 300 });
  t.regex(cert.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

  const pc = lab.hosts[0]!;
  const box = lab.box.lanAddress.v4;
  const pcap = join(lab.dir, 'sniff.pcap');
  const dump = await lab.spawn(pc.ns, ['tcpdump', '-i', 'eth0', '-U', '-n', '-s', '0', '-w', pcap, `host ${box} and (tcp port 80 or tcp port ${cert.httpsPort})`]);
  await dump.waitForOutput((s) => s.includes('listening on'), { what: 'tcpdump to listen', timeoutMs: 10_000 });
  const curl = async (args: string[]) => lab.exec(pc.ns, ['curl', '-sS', '-m', '20', ...args], { timeoutMs: 30_000 });

  // 1. Over HTTP, as a browser: the plain page. A login form on it would be submitted here.
  const jar = join(lab.dir, 'http.cookies');
  const plain = await waitFor(async () => {
    const body = await curl(['-c', jar, '-b', jar, `http://${box}/`]).catch(() => '');
    return body.includes('</html>') ? body : undefined;
  }, { what: 'the plain page from the office PC', timeoutMs: 30_000, intervalMs: 500 });
  const form = /<form method="post" action="\/login">[\s\S]*?name="_csrf" value="([^"]+)"/.exec(plain);
  if (form?.[1]) await curl(['-c', jar, '-b', jar, '-d', `_csrf=${form[1]}`, '--data-urlencode', `password=${PASSWORD}`, `http://${box}/login`]);
  t.is(form, null, 'the plain page offers no login form');
  t.true(plain.includes(`https://${box}/`), 'it links to the secure page');
  t.true(plain.includes(cert.fingerprint256), 'and shows the fingerprint');

  // 2. Over HTTPS, trusting the box's public key by its pin (what `utmctl web cert` prints).
  const sjar = join(lab.dir, 'https.cookies');
  const pin = ['-k', '--pinnedpubkey', `sha256//${cert.spkiSha256}`];
  const page = await curl([...pin, '-c', sjar, '-b', sjar, `https://${box}/`]);
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  t.not(token, '');
  const headers = await curl([...pin, '-c', sjar, '-b', sjar, '-D', '-', '-o', '/dev/null', '-d', `_csrf=${token}`, '--data-urlencode', `password=${PASSWORD}`, `https://${box}/login`]);
  t.regex(headers, /^HTTP\/1\.1 303/m);
  const session = /utm_session=([^;\s]+)/.exec(headers)?.[1] ?? '';
  t.not(session, '', 'logged in over HTTPS');
  const tech = await curl([...pin, '-b', sjar, `https://${box}/tech`]);
  t.true(tech.includes(cert.fingerprint256), 'the technician view shows the same fingerprint');
  for (const row of ['why this WAN port', 'rendered (SHA-256)', 'memory', 'time sync', 'events: packets']) t.true(tech.includes(row), row);
  t.regex(tech, /<tr class="cond-ok">\s*<th scope="row">last-good on disk \(SHA-256\)<\/th>/, 'the running ruleset is the last-good one');
  // The diagnostics download (the utmctl diag archive, built by the running daemon).
  const techToken = /name="_csrf" value="([^"]+)"/.exec(tech)?.[1] ?? '';
  const archive = join(lab.dir, 'diag.tar.gz');
  await curl([...pin, '-b', sjar, '-o', archive, '-d', `_csrf=${techToken}`, `https://${box}/tech/diagnostics`]);
  const listing = await lab.exec(pc.ns, ['tar', '-tzf', archive], { timeoutMs: 20_000 });
  t.regex(listing, /otasuke-diag\/status\.json/);
  // A wrong pin is refused by the client: the pin is what the trust rests on.
  const wrong = await lab.execResult(pc.ns, ['curl', '-sS', '-m', '10', '-k', '--pinnedpubkey', 'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', `https://${box}/`], { timeoutMs: 20_000 });
  t.not(wrong.code, 0);

  // 3. What the sniffer got.
  await waitFor(async () => ((await readFile(pcap)).length > 2000 ? true : undefined), { what: 'packets in the capture', timeoutMs: 10_000, intervalMs: 200 });
  await dump.stop();
  const raw = await readFile(pcap);
  const text = raw.toString('latin1');
  t.true(text.includes('GET / HTTP/1.1'), 'the capture did see the plain HTTP exchange');
  t.false(text.includes(PASSWORD), 'no password in the capture');
  t.false(text.includes(encodeURIComponent(PASSWORD)), 'not even URL-encoded');
  t.false(text.includes(session), 'no session cookie in the capture');
});
