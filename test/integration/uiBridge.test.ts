// The UI bridge makes a web server that listens only inside the box namespace (LAN side)
// reachable on the host's loopback, through a unix socket, without any host link.
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLab } from '../lab/lab.js';
import { startHttpServer } from '../lab/services.js';
import { startUiBridge } from '../lab/uiBridge.js';

for (const mode of ['bridge', 'router'] as const) {
  test(`${mode} mode: a page served on the box's LAN address is reachable on 127.0.0.1 through the bridge`, async (t) => {
    const lab = await createLab({ mode, lanHosts: 1 });
    t.teardown(() => lab.destroy());
    const www = join(lab.dir, 'www');
    await mkdir(www, { recursive: true });
    await writeFile(join(www, 'index.html'), `box page of lab ${lab.id}\n`);
    await startHttpServer(lab, lab.ns.box, lab.box.lanAddress.v4, 80, www);
    const bridge = await startUiBridge(lab, { hostPort: 0 });
    t.regex(bridge.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${bridge.url}index.html`);
    t.is(res.status, 200);
    t.is(await res.text(), `box page of lab ${lab.id}\n`);
    const etag = res.headers.get('etag');
    t.truthy(etag);
    const again = await fetch(`${bridge.url}index.html`, { headers: { 'If-None-Match': etag ?? '' } });
    t.is(again.status, 304, 'the file server answers conditional requests (later feed tests rely on it)');
    await bridge.stop();
    await t.throwsAsync(fetch(`${bridge.url}index.html`), undefined, 'nothing listens after stop');
    await lab.destroy();
    for (const pid of [bridge.inner.pid, bridge.outer.pid]) {
      t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `forwarder ${pid} is gone`);
    }
  });
}
