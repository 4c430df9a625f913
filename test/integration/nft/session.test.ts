// Set transactions through the driver's long-lived `nft -j -i` (nft/session.ts), against the
// real kernel inside a namespace this test creates and removes: applied, refused (nothing
// changes, nft's message reaches the caller), the child killed or stopped between and during
// transactions, many in a row on one child, a 10k-element document on one line, and close()
// leaving no process behind.
import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { run } from '../../../firmware/src/sys/run.js';
import { NftDriver, NftError } from '../../../firmware/src/nft/driver.js';
import { NftSession } from '../../../firmware/src/nft/session.js';
import { waitFor } from '../../lab/poll.js';

interface World { ns: string; driver: NftDriver; session: { pid: number | undefined; started: number } }

async function withNs(t: ExecutionContext, fn: (w: World) => Promise<void>, opts: { timeoutMs?: number } = {}) {
  const ns = `utm-ses-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'utm-ses-'));
  await run(['ip', 'netns', 'add', ns]);
  const driver = new NftDriver({
    nft: ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'], lastGoodPath: join(dir, 'last-good.json'), tableName: 'utm',
    timeoutMs: opts.timeoutMs, sessionMaxBytes: Number.MAX_SAFE_INTEGER,
  });
  t.teardown(async () => {
    await driver.close();
    await run(['ip', 'netns', 'del', ns], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const session = (driver as unknown as { session: World['session'] }).session;
  await driver.transact(JSON.stringify({ nftables: [
    { add: { table: { family: 'inet', name: 'utm' } } },
    { add: { set: { family: 'inet', table: 'utm', name: 's', type: 'ipv4_addr' } } },
  ] }));
  await fn({ ns, driver, session });
}

const addr = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const range = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => addr(from + i));
const elems = (op: 'add' | 'delete', elem: string[], name = 's'): string =>
  JSON.stringify({ nftables: [{ [op]: { element: { family: 'inet', table: 'utm', name, elem } } }] });

async function members(ns: string): Promise<string[]> {
  const out = (await run(['ip', 'netns', 'exec', ns, '/usr/sbin/nft', '-j', 'list', 'set', 'inet', 'utm', 's'])).stdout;
  const set = (JSON.parse(out) as { nftables: { set?: { elem?: string[] } }[] }).nftables.find((x) => x.set)?.set;
  return [...(set?.elem ?? [])].sort();
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

test('a transaction is applied through one long-lived nft, which runs in the namespace', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    await driver.transact(elems('add', ['192.0.2.1', '192.0.2.2']));
    t.deepEqual(await members(ns), ['192.0.2.1', '192.0.2.2']);
    await driver.transact(elems('delete', ['192.0.2.1']));
    t.deepEqual(await members(ns), ['192.0.2.2']);
    t.is(session.started, 1);
    // the child is nft itself (ip netns exec execs it), in the test's namespace, not the host's
    const pid = session.pid!;
    t.is((await run(['cat', `/proc/${pid}/comm`])).stdout.trim(), 'nft');
    const [mine, host] = await Promise.all([run(['readlink', `/proc/${pid}/ns/net`]), run(['readlink', '/proc/self/ns/net'])]);
    t.not(mine.stdout, host.stdout);
  });
});

test('a refused transaction changes nothing and throws NftError with nft\'s message; the next one works', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    await driver.transact(elems('add', ['192.0.2.1']));
    const bad = JSON.stringify({ nftables: [
      { add: { element: { family: 'inet', table: 'utm', name: 's', elem: ['192.0.2.7'] } } },
      { add: { element: { family: 'inet', table: 'utm', name: 'missing', elem: ['192.0.2.8'] } } },
    ] });
    const err = await t.throwsAsync(driver.transact(bad), { instanceOf: NftError });
    t.regex(err.stderr, /No such file or directory/);
    t.regex(err.message, /No such file or directory/);
    t.deepEqual(await members(ns), ['192.0.2.1'], 'the first command of the refused document did not apply either');
    // a document nft cannot parse at all, and one it cannot resolve
    await t.throwsAsync(driver.transact('{"nftables":[{"bogus":1}]}'), { instanceOf: NftError, message: /Unknown object/ });
    await t.throwsAsync(driver.transact(elems('add', ['999.1.1.1'])), { instanceOf: NftError });
    await driver.transact(elems('add', ['192.0.2.9']));
    t.deepEqual(await members(ns), ['192.0.2.1', '192.0.2.9']);
    t.is(session.started, 1, 'a refusal does not cost the child');
  });
});

test('nft killed between and during transactions: the caller hears of it, the next transaction works', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    await driver.transact(elems('add', ['192.0.2.1']));
    const first = session.pid!;
    process.kill(first, 'SIGKILL');
    await waitFor(() => session.pid === undefined, { timeoutMs: 5000, what: 'the session notices the death' });
    t.false(alive(first), 'reaped: no zombie left in /proc');
    await driver.transact(elems('add', ['192.0.2.2']));
    t.is(session.started, 2);
    // during one: a 20k-element document, the child killed as soon as it is written
    const second = session.pid!;
    const pending = driver.transact(elems('add', range(0, 20_000)));
    process.kill(second, 'SIGKILL');
    const err = await t.throwsAsync(pending, { instanceOf: NftError });
    t.regex(err.message, /ended|SIGKILL/);
    await driver.transact(elems('add', ['192.0.2.3']));
    const now = await members(ns);
    t.true(now.includes('192.0.2.3') && now.includes('192.0.2.2'));
    t.true(now.length === 3 || now.length === 20_003, 'the killed document applied whole or not at all');
    t.false(alive(second));
  });
});

test('a hung nft times out, is killed and replaced', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    const pid = session.pid!;
    process.kill(pid, 'SIGSTOP');
    await t.throwsAsync(driver.transact(elems('add', ['192.0.2.5'])), { instanceOf: NftError, message: /no answer within/ });
    await waitFor(() => !alive(pid), { timeoutMs: 5000, what: 'the stopped child is gone' });
    await driver.transact(elems('add', ['192.0.2.6']));
    t.true((await members(ns)).includes('192.0.2.6'));
    t.is(session.started, 2);
  }, { timeoutMs: 1500 });
});

test('listings go through the same child: the answer, a missing set refused, listings between transactions', async (t) => {
  await withNs(t, async ({ driver, session }) => {
    await driver.transact(elems('add', range(0, 3000)));
    const listed = (out: string): number => (JSON.parse(out) as { nftables: { set?: { elem?: string[] } }[] }).nftables.find((x) => x.set)?.set?.elem?.length ?? -1;
    t.is(listed(await driver.listSet('inet', 's')), 3000);
    await t.throwsAsync(driver.listSet('inet', 'missing'), { instanceOf: NftError, message: /No such file or directory/ });
    await t.throwsAsync(driver.transact(elems('add', ['192.0.2.1'], 'missing')), { instanceOf: NftError });
    // alternating, concurrently: each answer belongs to its own listing
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => i % 2
      ? driver.transact(elems('delete', [addr(i)])).then(() => -2)
      : driver.listSet('inet', 's').then(listed)));
    t.deepEqual(answers.filter((x) => x !== -2), [3000, 2999, 2998, 2997, 2996, 2995, 2994, 2993, 2992, 2991]);
    t.is(session.started, 1);
  });
});

test('many transactions in a row on one child, in order', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    // concurrent callers: each document waits for the one before it
    await Promise.all(Array.from({ length: 200 }, (_, i) => driver.transact(elems(i % 2 ? 'delete' : 'add', [addr(i >> 1)]))));
    for (let i = 0; i < 50; i++) await driver.transact(elems('add', [addr(1000 + i)]));
    t.deepEqual(await members(ns), range(1000, 50).sort());
    t.is(session.started, 1);
  });
});

test('a 10k-element transaction on one line, then its removal', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    const big = range(0, 10_000);
    await driver.transact(Buffer.from(elems('add', big)));
    t.is((await members(ns)).length, 10_000);
    await driver.transact(elems('delete', big.slice(0, 9_999)));
    t.deepEqual(await members(ns), [big[9_999]!]);
    t.is(session.started, 1);
  });
});

test('a small document and its end marker reach nft in one write (each write wakes nft); a large one in its own', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    const child = (session as unknown as { child: ChildProcess | null }).child;
    const stdin = child?.stdin;
    if (!stdin) return t.fail('no session child');
    const writes: number[] = [];
    const write = stdin.write.bind(stdin) as (chunk: string | Uint8Array) => boolean;
    stdin.write = ((chunk: string | Uint8Array) => {
      writes.push(chunk.length);
      return write(chunk);
    }) as typeof stdin.write;
    await driver.transact(elems('add', ['192.0.2.7']));
    t.is(writes.length, 1);
    t.deepEqual(await members(ns), ['192.0.2.7']);
    writes.length = 0;
    const big = range(0, 6_000); // ~100 KB of JSON: not copied into a joined string
    await driver.transact(elems('add', big));
    t.is(writes.length, 2);
    t.is((await members(ns)).length, 6_001);
  });
});

test('close() ends the child and leaves no process; a document on several lines goes through nft -f', async (t) => {
  await withNs(t, async ({ ns, driver, session }) => {
    await driver.transact(JSON.stringify(JSON.parse(elems('add', ['192.0.2.4'])), null, 1));
    t.deepEqual(await members(ns), ['192.0.2.4']);
    const pid = session.pid!;
    await driver.close();
    t.is(session.pid, undefined);
    t.false(alive(pid));
  });
});

test('an nft that sees EOF (utmd died) writes no history file anywhere', async (t) => {
  await withNs(t, async ({ driver, session }) => {
    await driver.transact(elems('add', range(0, 2000)));
    const child = (session as unknown as { child: ChildProcess }).child;
    const pid = child.pid!;
    child.stdin?.end();
    await waitFor(() => session.pid === undefined, { timeoutMs: 5000, what: 'nft ends at EOF' });
    t.false(alive(pid));
    const dir = (driver as unknown as { opts: { workDir: string } }).opts.workDir;
    t.deepEqual(readdirSync(dir, { recursive: true }).filter((f) => String(f).includes('history')), []);
    t.false(existsSync(join(dir, 'nft-home-absent')));
  });
});

test('a child that grew old is replaced between transactions, none lost', async (t) => {
  await withNs(t, async ({ ns }) => {
    const session = new NftSession({ nft: ['ip', 'netns', 'exec', ns, '/usr/sbin/nft'], home: join(tmpdir(), 'utm-ses-no-home'), timeoutMs: 10_000, recycleBytes: 500 });
    t.teardown(() => session.close());
    for (let i = 0; i < 30; i++) await session.run(elems('add', [addr(i)]));
    t.is((await members(ns)).length, 30);
    t.true(session.started >= 5, `replaced after every ~500 bytes (${session.started} children)`);
  });
});

test('an nft that cannot start is an NftError, and nothing waits for it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-ses-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const driver = new NftDriver({ nft: [join(dir, 'no-such-nft')], lastGoodPath: join(dir, 'last-good.json'), tableName: 'utm' });
  await t.throwsAsync(driver.transact(elems('add', ['192.0.2.1'])), { instanceOf: NftError, message: /ENOENT/ });
  await t.throwsAsync(driver.listSet('inet', 's'), { instanceOf: NftError });
  await driver.close();
});
