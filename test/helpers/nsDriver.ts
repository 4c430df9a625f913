// A network namespace of a test's own with an NftDriver on it (the kernel tests of the
// blocklist sync): created here, removed with its scratch folder in the test's teardown.
import type { ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../firmware/src/sys/run.js';
import { NftDriver } from '../../firmware/src/nft/driver.js';

/** A fresh namespace named `<prefix>-<hex>`, the nft argv into it and a driver for table `utm`. */
export async function nftNamespace(t: ExecutionContext, prefix: string): Promise<{ nft: string[]; driver: NftDriver }> {
  const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  await run(['ip', 'netns', 'add', ns]);
  t.teardown(async () => {
    await run(['ip', 'netns', 'del', ns], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const nft = ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'];
  return { nft, driver: new NftDriver({ nft, lastGoodPath: join(dir, 'last-good.json'), tableName: 'utm' }) };
}
