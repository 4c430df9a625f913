// A manual block drops at once and expires by itself (nft element timeout), and the office
// cannot be blocked by hand.
import test from 'ava';
import { feedLab } from './helpers.js';

test('utmctl block add … --for 15s drops, is listed, then expires by itself', async (t) => {
  const l = await feedLab(t);
  l.writeFeed(['198.51.100.99']);
  await l.serve();
  const utmd = await l.start();
  const target = '203.0.113.30';
  t.is(await l.probe(target), 'connected');
  const add = await utmd.ctl(['block', 'add', target, '--for', '15s', '--json']);
  t.is(add.code, 0, add.stderr);
  await l.until(target, 'timeout', 'manual block in force');
  // 15 s: long enough to still be listed on a loaded machine, short enough to watch it expire
  const list = JSON.parse((await utmd.ctl(['block', 'list', '--json'])).stdout) as Array<{ entry: string }>;
  t.deepEqual(list.map((b) => b.entry), [target]);
  await l.until(target, 'connected', 'manual block expired by itself');

  const refused = await utmd.ctl(['block', 'add', l.lab.hosts[0]!.v4, '--for', '1h']);
  t.not(refused.code, 0, 'a LAN address cannot be blocked by hand');
});
