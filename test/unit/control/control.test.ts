import test from 'ava';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlServer } from '../../../firmware/src/control/server.js';
import { call, NotRunningError, RemoteError } from '../../../firmware/src/control/client.js';
import { CommandError } from '../../../firmware/src/control/protocol.js';

test('commands answer, refusals and unknown commands come back as errors, garbage is survived', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ctl-'));
  const path = join(dir, 'utmd.sock');
  const srv = new ControlServer(path, {
    echo: (a) => a,
    refuse: () => {
      throw new CommandError('no');
    },
  });
  await srv.start();
  t.teardown(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  t.is(statSync(path).mode & 0o777, 0o600);
  t.deepEqual(await call(path, 'echo', { x: 1 }), { x: 1 });
  await t.throwsAsync(call(path, 'refuse'), { instanceOf: RemoteError, message: 'no' });
  await t.throwsAsync(call(path, 'nope'), { instanceOf: RemoteError });
  const raw = await new Promise<string>((resolve) => {
    const s = net.createConnection(path, () => s.write('\u0000\u00ff garbage\n'));
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      s.end();
      resolve(d);
    });
  });
  t.regex(raw, /"ok":false/);
  t.deepEqual(await call(path, 'echo', {}), {});
  t.is(srv.counts.rejected, 1);
});

test('a missing daemon is a clear NotRunningError', async (t) => {
  await t.throwsAsync(call('/nonexistent/utmd.sock', 'status'), { instanceOf: NotRunningError });
});
