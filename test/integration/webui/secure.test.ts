// The web app served as the daemon serves it: a plain read-only page and a secure page with a
// certificate made by the real openssl, same app. Login only over HTTPS; the CSRF token is
// rotated at login; idle sessions end; guessing from many addresses leaves the technician
// able to log in; the technician view and the API after login; evidence never without it.
import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebApp } from '../../../webui/src/app.js';
import type { WebDeps } from '../../../webui/src/deps/deps.js';
import { startWebServer } from '../../../webui/src/server.js';
import { loadBoxCertificate } from '../../../firmware/src/web/certificate.js';
import { CookieJar, csrfFromHtml, fakeDaemon, PASSWORD } from '../../helpers/webui.js';
import { send, type Answer, type RequestOptions } from '../../helpers/pinned.js';

async function start(t: ExecutionContext, over: Partial<WebDeps> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'utm-secure-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cert = await loadBoxCertificate({ stateDir: dir, now: Date.now(), addresses: ['127.0.0.1'], names: ['localhost'] });
  const daemon = fakeDaemon(over);
  // Port numbers are known only after listening: the app reads `secure` at each request.
  const secure = { httpsPort: 0, fingerprint256: cert.fingerprint256 };
  const app = createWebApp({ ...daemon.deps, secure, technician: () => ({ system: [{ label: 'node', value: process.version }], certificate: [{ label: 'SHA-256 fingerprint', value: cert.fingerprint256 }], ports: [], ruleset: [], feeds: [], sensors: [], upstream: [] }), diagnostics: async () => Buffer.from('tarball') });
  const plain = await startWebServer(app, { host: '127.0.0.1', port: 0 });
  const tls = await startWebServer(app, { host: '127.0.0.1', port: 0, tls: { cert: cert.certPem, key: cert.keyPem } });
  secure.httpsPort = tls.port;
  t.teardown(() => Promise.all([plain.close(), tls.close()]).then(() => undefined));
  const http = `http://127.0.0.1:${plain.port}`;
  const https = `https://127.0.0.1:${tls.port}`;
  const jar = new CookieJar();
  const go = async (url: string, o: RequestOptions = {}): Promise<Answer> => {
    const a = await send(url, { fingerprint256: cert.fingerprint256, ...o, headers: { cookie: jar.header(), ...(o.headers ?? {}) } });
    jar.takeLines(a.setCookie);
    return a;
  };
  const csrf = async (base = https) => csrfFromHtml((await go(`${base}/`)).body);
  const login = async (password = PASSWORD, o: RequestOptions = {}) => go(`${https}/login`, { ...o, form: { _csrf: await csrf(), password } });
  return { daemon, cert, http, https, jar, go, csrf, login };
}

test('the plain page has no password field: it links to the secure page and shows the fingerprint', async (t) => {
  const { http, https, go, cert } = await start(t);
  const plain = await go(`${http}/`);
  const page = plain.body;
  t.false(page.includes('type="password"'));
  t.true(page.includes(`href="${https}/"`));
  t.true(page.includes(cert.fingerprint256));
  const secure = await go(`${https}/`);
  t.is(secure.fingerprint256, cert.fingerprint256, 'the served certificate is the one utmctl names');
  // COOP only where a browser applies it: on a plain LAN page Chromium ignores it with a console error.
  t.is(secure.headers['cross-origin-opener-policy'], 'same-origin');
  t.is(plain.headers['cross-origin-opener-policy'], undefined);
  t.true(secure.body.includes('type="password"'));
});

test('login over plain HTTP is refused even with a valid token; over HTTPS it works with Secure cookies', async (t) => {
  const { http, go, login, jar, csrf } = await start(t);
  const page = (await go(`${http}/`)).body;
  t.throws(() => csrfFromHtml(page), undefined, 'the plain page has no form at all');
  const token = await csrf(); // a valid token and cookie from the secure page…
  t.is((await go(`${http}/login`, { form: { _csrf: token, password: PASSWORD } })).status, 403, '…do not make a login over HTTP');
  t.false(jar.cookies.has('utm_session'));
  const ok = await login();
  t.is(ok.status, 303);
  const session = ok.setCookie.find((c) => c.startsWith('utm_session='));
  t.regex(session ?? '', /Secure/);
  t.regex(session ?? '', /HttpOnly/);
});

test('a session cookie replayed over plain HTTP is no login: the API gives counts only', async (t) => {
  const { http, https, go, login } = await start(t);
  await login();
  t.true(Array.isArray((JSON.parse((await go(`${https}/api/alerts`)).body) as { alerts?: unknown[] }).alerts));
  const plain = JSON.parse((await go(`${http}/api/alerts`)).body) as Record<string, unknown>;
  t.is(plain['alerts'], undefined);
  t.truthy(plain['counts']);
});

test('the CSRF token seen before login dies at login; the session token works', async (t) => {
  const { https, go, csrf, login } = await start(t);
  const before = await csrf();
  t.is((await login()).status, 303);
  t.is((await go(`${https}/logout`, { form: { _csrf: before } })).status, 403, 'pre-login token refused after login');
  const after = await csrf();
  t.not(after, before);
  t.is((await go(`${https}/logout`, { form: { _csrf: after } })).status, 303);
});

test('an idle session ends after 30 minutes; an active one lives on', async (t) => {
  const { https, go, login, daemon } = await start(t);
  await login();
  daemon.clock.now += 20 * 60_000;
  t.is((await go(`${https}/tech`)).status, 200, 'used after 20 minutes');
  daemon.clock.now += 29 * 60_000;
  t.is((await go(`${https}/tech`)).status, 200, 'used again 29 minutes later');
  daemon.clock.now += 31 * 60_000;
  t.is((await go(`${https}/tech`)).status, 401, 'idle for 31 minutes: logged out');
});

test('guessing from forty addresses leaves the technician able to log in from another', async (t) => {
  const { https, go, csrf, login, jar } = await start(t);
  const token = await csrf();
  const cookie = jar.header();
  let refused = 0;
  for (let i = 2; i < 42; i++) {
    for (let k = 0; k < 8; k++) {
      const a = await send(`${https}/login`, { localAddress: `127.0.0.${i}`, headers: { cookie }, form: { _csrf: token, password: `guess-${i}-${k}` } });
      if (a.status === 429) refused++;
    }
  }
  t.true(refused >= 40, `each guessing address is slowed down (${refused} refused)`);
  const ok = await login(PASSWORD, { localAddress: '127.0.0.1' });
  t.is(ok.status, 303);
  t.true(ok.setCookie.some((c) => c.startsWith('utm_session=')), 'the technician is logged in');
  t.is((await go(`${https}/tech`)).status, 200);
});

test('the technician view needs a login; it shows the fingerprint and the evidence of each alert', async (t) => {
  const { https, go, login, cert, csrf } = await start(t);
  t.is((await go(`${https}/tech`)).status, 401);
  await login();
  const tech = (await go(`${https}/tech`)).body;
  t.true(tech.includes(cert.fingerprint256));
  t.true(tech.includes('utm-block-out'), 'evidence shown');
  t.true(tech.includes('&lt;img src=x onerror=alert(1)&gt;'), 'device-supplied text escaped');
  t.false(tech.includes('<img src=x'));
  const diag = await go(`${https}/tech/diagnostics`, { form: { _csrf: await csrf() } });
  t.is(diag.status, 200);
  t.regex(String(diag.headers['content-disposition']), /attachment; filename="otasuke-diag-/);
  t.is((await go(`${https}/tech/diagnostics`, { form: { _csrf: 'forged' } })).status, 403);
});
