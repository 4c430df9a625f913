// The real web app on 127.0.0.1 with a random port, driven with fetch.
import { request as httpRequest } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { sessionOf } from '../../../webui/src/auth/auth.js';
import { createWebApp } from '../../../webui/src/app.js';
import type { WebDeps, WebExtensions } from '../../../webui/src/deps/deps.js';
import { startWebServer } from '../../../webui/src/server.js';
import { CookieJar, csrfFromHtml, fakeDaemon, HOSTILE, PASSWORD } from '../../helpers/webui.js';

const echoAction: WebExtensions = {
  actions: [(r) => r.post('/echo', (req, res) => {
    res.json({ user: sessionOf(res).user, clientIp: sessionOf(res).clientIp, body: req.body as unknown });
  })],
};

/** fetch that says why it failed (undici hides the socket error in `cause`). */
async function fetchWhy(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw new Error(`${init.method ?? 'GET'} ${url}: ${String((err as Error).cause ?? err)}`, { cause: err });
  }
}

async function start(t: ExecutionContext, over: Partial<WebDeps> = {}, ext: WebExtensions = echoAction) {
  const daemon = fakeDaemon(over);
  const server = await startWebServer(createWebApp(daemon.deps, ext), { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;
  const jar = new CookieJar();
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetchWhy(base + path, { headers: { cookie: jar.header(), ...headers }, redirect: 'manual' });
    jar.take(res);
    return res;
  };
  const post = async (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetchWhy(base + path, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams(form),
      headers: { cookie: jar.header(), ...headers },
    });
    jar.take(res);
    return res;
  };
  /** Loads the page and returns the CSRF token it carries for this visitor. */
  const csrf = async () => csrfFromHtml(await (await get('/')).text());
  const login = async () => post('/login', { _csrf: await csrf(), password: PASSWORD });
  return { daemon, base, jar, get, post, csrf, login };
}

test('GET /api/health answers state and condition ids without login, sets no cookie, and gives details after login', async (t) => {
  const { get, login } = await start(t);
  const res = await get('/api/health');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /application\/json/);
  t.deepEqual(await res.json(), {
    ok: false, state: 'danger', uptimeSeconds: 3600, loginRequiredForDetail: true,
    conditions: [{ id: 'sensor.ulogd', ok: true }, { id: 'ruleset', ok: true }, { id: 'upstream', ok: false }],
  });
  t.deepEqual(res.headers.getSetCookie(), []);
  await login();
  t.deepEqual(await (await get('/api/health')).json(), { ok: true, deviceId: 'OTK-0001' });
});

test('the page is Japanese by default, with state, alerts in the calm order, desk phone and strict headers', async (t) => {
  const { get } = await start(t);
  const res = await get('/');
  t.is(res.status, 200);
  const page = await res.text();
  t.regex(page, /<html lang="ja">/);
  // Blocked attempts and warnings only: 確認 (attention), never 危険 without a sign of infection.
  t.true(page.includes('確認が必要です'));
  t.false(page.includes('危険です'));
  t.true(page.includes('06-6000-1234'));
  t.true(page.includes('href="tel:0660001234"'));
  const order = [...page.matchAll(/data-alert-id="(\d+)"/g)].map((m) => m[1]);
  t.deepEqual(order, ['4', '1', '2', '3', '5']);
  const csp = res.headers.get('content-security-policy') ?? '';
  t.regex(csp, /default-src 'self'/);
  t.regex(csp, /frame-ancestors 'none'/);
  t.notRegex(csp, /unsafe-inline/);
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  t.is(res.headers.get('referrer-policy'), 'same-origin');
  t.is(res.headers.get('x-powered-by'), null);
  t.false(/<script>|<style>|style="| on[a-z]+="/i.test(page), 'no inline script, style or handlers');
});

test('a hostile hostname is shown escaped, never as markup', async (t) => {
  const { get } = await start(t);
  const page = await (await get('/')).text();
  t.false(page.includes(HOSTILE));
  t.true(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  t.false(/<img/i.test(page));
});

test('?lang=en switches to English and is remembered by cookie', async (t) => {
  const { get, jar } = await start(t);
  const first = await get('/?lang=en');
  const page = await first.text();
  t.regex(page, /<html lang="en">/);
  t.true(page.includes('Danger'));
  t.is(jar.cookies.get('utm_lang')?.value, 'en');
  const again = await (await get('/')).text();
  t.regex(again, /<html lang="en">/);
  t.regex(await (await get('/?lang=xx')).text(), /<html lang="en">/, 'a bad lang value is ignored');
});

test('static assets are served; unknown paths are 404', async (t) => {
  const { get } = await start(t);
  const css = await get('/static/style.css');
  t.is(css.status, 200);
  t.regex(css.headers.get('content-type') ?? '', /text\/css/);
  const js = await get('/static/refresh.js');
  t.is(js.status, 200);
  t.is((await get('/static/..%2f..%2fpackage.json')).status, 404);
  t.is((await get('/nowhere')).status, 404);
});

test('POST without any session or token is refused (403) and changes nothing', async (t) => {
  const { base } = await start(t);
  for (const path of ['/actions/echo', '/login', '/logout']) {
    const res = await fetchWhy(base + path, { method: 'POST', body: new URLSearchParams({ x: '1' }), redirect: 'manual' });
    t.is(res.status, 403, path);
    t.deepEqual(res.headers.getSetCookie().filter((c) => c.startsWith('utm_session=')), []);
  }
});

test('a valid CSRF token without login is not enough for an action (401)', async (t) => {
  const { post, csrf } = await start(t);
  const res = await post('/actions/echo', { _csrf: await csrf() });
  t.is(res.status, 401);
});

test('wrong or missing CSRF token is refused with 403, also on login', async (t) => {
  const { post, csrf } = await start(t);
  const token = await csrf();
  t.is((await post('/login', { _csrf: token.slice(0, -2) + 'AA', password: PASSWORD })).status, 403);
  t.is((await post('/login', { password: PASSWORD })).status, 403);
});

test('login, then an action works; the session cookie is HttpOnly, SameSite=Strict, Path=/', async (t) => {
  const { post, login, jar, csrf } = await start(t);
  const res = await login();
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/');
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('utm_session='));
  t.truthy(cookie);
  t.regex(cookie!, /; HttpOnly/);
  t.regex(cookie!, /; SameSite=Strict/);
  t.regex(cookie!, /; Path=\//);
  t.notRegex(cookie!, /; Secure/, 'plain HTTP on the LAN: Secure only when configured');
  const token = await csrf();
  const action = await post('/actions/echo', { _csrf: token, mac: 'aa:bb:cc:dd:ee:ff' });
  t.is(action.status, 200);
  const body = await action.json() as { user: string; clientIp: string; body: Record<string, string> };
  t.is(body.user, 'admin');
  t.is(body.body['mac'], 'aa:bb:cc:dd:ee:ff');
  t.true(jar.cookies.has('utm_session'));
});

test('the session CSRF token is also accepted as a header for JSON requests', async (t) => {
  const { base, login, jar, csrf } = await start(t);
  await login();
  const token = await csrf();
  const res = await fetchWhy(`${base}/actions/echo`, {
    method: 'POST', headers: { cookie: jar.header(), 'content-type': 'application/json', 'x-csrf-token': token },
    body: JSON.stringify({ mac: 'aa:bb:cc:dd:ee:ff' }),
  });
  t.is(res.status, 200);
});

test('a request from another origin is refused even with a valid token', async (t) => {
  const { post, login, csrf } = await start(t);
  await login();
  const token = await csrf();
  t.is((await post('/actions/echo', { _csrf: token }, { origin: 'http://evil.example' })).status, 403);
  t.is((await post('/actions/echo', { _csrf: token }, { 'sec-fetch-site': 'cross-site' })).status, 403);
});

test('a wrong password redirects back with a message and starts no session', async (t) => {
  const { post, csrf, jar, get } = await start(t);
  const res = await post('/login', { _csrf: await csrf(), password: 'nope' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/?login=failed#login');
  t.false(jar.cookies.has('utm_session'));
  t.true((await (await get('/?login=failed')).text()).includes('パスワードが違います'));
});

test('a forged or tampered session cookie is not a login', async (t) => {
  const { post, login, jar, csrf } = await start(t);
  await login();
  const token = await csrf();
  const real = jar.cookies.get('utm_session')!;
  jar.cookies.set('utm_session', { ...real, value: real.value.slice(0, -3) + 'AAA' });
  const res = await post('/actions/echo', { _csrf: token });
  t.true(res.status === 401 || res.status === 403);
});

test('logout ends the session on the server: the old cookie no longer works', async (t) => {
  const { post, login, jar, csrf, base } = await start(t);
  await login();
  const token = await csrf();
  const oldCookie = jar.header();
  const out = await post('/logout', { _csrf: token });
  t.is(out.status, 303);
  t.false(jar.cookies.has('utm_session'));
  const replay = await fetchWhy(`${base}/actions/echo`, { method: 'POST', headers: { cookie: oldCookie }, body: new URLSearchParams({ _csrf: token }), redirect: 'manual' });
  t.true(replay.status === 401 || replay.status === 403);
});

test('a session expires with the injected clock', async (t) => {
  const { post, login, csrf, daemon } = await start(t);
  await login();
  daemon.clock.now += 9 * 3600_000;
  const res = await post('/actions/echo', { _csrf: await csrf() });
  t.is(res.status, 401);
});

test('login attempts are rate limited per client, even with the right password afterwards', async (t) => {
  const { post, csrf } = await start(t);
  const token = await csrf();
  for (let i = 0; i < 5; i++) t.is((await post('/login', { _csrf: token, password: `guess${i}` })).status, 303);
  const blocked = await post('/login', { _csrf: token, password: PASSWORD });
  t.is(blocked.status, 429);
  t.truthy(Number(blocked.headers.get('retry-after')) > 0);
});

test('bodies are size-limited and validated', async (t) => {
  const { post, csrf } = await start(t);
  const token = await csrf();
  t.is((await post('/login', { _csrf: token, password: 'x'.repeat(20_000) })).status, 413);
  t.is((await post('/login', { _csrf: token, password: PASSWORD, admin: 'yes' })).status, 400, 'unknown keys are refused');
});

test('GET /api/alerts without login gives the state and counts only: no evidence, address, MAC or name', async (t) => {
  const { get } = await start(t);
  const res = await get('/api/alerts');
  t.is(res.status, 200);
  const text = await res.text();
  t.deepEqual(JSON.parse(text), { state: 'danger', counts: { total: 5, danger: 2, warning: 2, info: 1 }, loginRequiredForDetail: true });
  for (const secret of ['192.168.1.23', '3c:22:fb', '203.0.113.5', 'utm-block-out', 'nflogPrefix', 'img src', '443']) t.false(text.includes(secret), secret);
});

test('GET /api/alerts is read-only JSON, newest first, explained in the asked language (after login)', async (t) => {
  const { get, login } = await start(t);
  await login();
  const res = await get('/api/alerts?limit=5&lang=en');
  t.is(res.status, 200);
  const body = await res.json() as { alerts: Array<{ id: number; text: { title: string; call: string } }> };
  t.deepEqual(body.alerts.map((a) => a.id), [4, 1, 2, 3, 5]);
  t.regex(body.alerts[0]!.text.call, /06-6000-1234/);
  t.is((await get('/api/alerts?limit=0')).status, 400);
  t.is((await get('/api/alerts?bogus=1')).status, 400);
  t.is((await fetchWhy(res.url, { method: 'POST' })).status, 403, 'no unsafe method gets past the CSRF guard');
});

test('a daemon error while rendering becomes a 500 page, reported through onError', async (t) => {
  const { get, daemon } = await start(t, { overview: () => { throw new Error('store closed'); } });
  const res = await get('/');
  t.is(res.status, 500);
  t.true((await res.text()).includes('一時的に表示できませんでした'));
  t.is(daemon.errors.length, 1);
});

/** The status of /api/health asked with this Host header (fetch will not send a foreign Host
 *  header, node:http will). */
function healthStatusFor(base: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/api/health`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

test('with allowedHosts set, a request for another host name is refused (DNS rebinding)', async (t) => {
  const { get, base } = await start(t, { allowedHosts: ['127.0.0.1', 'box.lan'] });
  t.is((await get('/')).status, 200);
  const status = (host: string) => healthStatusFor(base, host);
  t.is(await status('evil.example'), 421);
  t.is(await status('box.lan:8080'), 200);
});

test('allowedHosts as a function follows the box: a new address is answered at once, an old one refused', async (t) => {
  const current = ['127.0.0.1', '192.168.1.2'];
  const { base } = await start(t, { allowedHosts: () => current });
  const status = (host: string) => healthStatusFor(base, host);
  t.is(await status('192.168.1.2'), 200);
  t.is(await status('192.168.1.77'), 421);
  current.splice(1, 1, '192.168.1.77');
  t.is(await status('192.168.1.77'), 200);
  t.is(await status('192.168.1.2'), 421);
});
