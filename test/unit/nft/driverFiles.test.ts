// The driver's work dir after a daemon was killed while nft ran: the documents that process left
// (up to 15 MB each) are removed when the next driver starts; this process's own, last-good
// and anything else in the folder stay. No nft is run.
import test from 'ava';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NftDriver } from '../../../firmware/src/nft/driver.js';

test('a new driver removes the nft documents another process left in its work dir, nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-drvfiles-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const other = process.pid === 1 ? 2 : 1;
  const names = [`nft-${other}-1.json`, `nft-${other}-27.json`, `nft-${process.pid}-1.json`, 'last-good.json', 'nft-x-1.json', 'nft-1-1.json.keep', 'utm.db'];
  for (const n of names) writeFileSync(join(dir, n), '{}');
  const driver = new NftDriver({ nft: ['/bin/false'], lastGoodPath: join(dir, 'last-good.json'), tableName: 'utm' });
  t.deepEqual(names.filter((n) => existsSync(join(dir, n))), [`nft-${process.pid}-1.json`, 'last-good.json', 'nft-x-1.json', 'nft-1-1.json.keep', 'utm.db']);
  await driver.close();
  // a work dir not made yet is no error
  t.notThrows(() => new NftDriver({ nft: ['/bin/false'], lastGoodPath: join(dir, 'absent', 'last-good.json'), tableName: 'utm' }));
});
