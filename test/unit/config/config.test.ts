import test from 'ava';
import { readFileSync } from 'node:fs';
import { ConfigSchema, cooldownMsFor } from '../../../firmware/src/config/schema.js';
import { ProvisioningSchema } from '../../../firmware/src/config/provisioning.js';
import { ConfigError, parseWith } from '../../../firmware/src/config/load.js';
import { resolveUpstream } from '../../../firmware/src/config/upstream.js';

const refused = (schema: Parameters<typeof parseWith>[0], v: unknown): string[] => {
  try {
    parseWith(schema, typeof v === 'string' ? v : JSON.stringify(v), 'f.json');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('no config at all is a complete config with defaults', (t) => {
  const c = ConfigSchema.parse({});
  t.is(c.mode, 'auto');
  t.is(c.ui.port, 80);
  t.is(c.interfaces.bridge, 'br0');
  t.deepEqual(c.blocklist.local, []);
});

test('a bad file is refused field by field, unknown keys included', (t) => {
  const p = refused(ConfigSchema, { mode: 'brige', colour: 'blue', ui: { port: 70000 }, blocklist: { local: ['012.0.0.1', '10.0.0.1/8'] } });
  t.true(p.some((x) => x.startsWith('mode:')));
  t.true(p.some((x) => x.startsWith('ui.port:')));
  t.true(p.some((x) => x.startsWith('blocklist.local.0:')), 'leading zeros are ambiguous');
  t.true(p.some((x) => x.startsWith('blocklist.local.1:')), 'host bits set');
  t.true(p.some((x) => x.includes('unknown key') && x.includes('"colour"')));
});

test('not JSON is refused with a message, not a crash', (t) => {
  t.regex(refused(ConfigSchema, '{ mode: bridge')[0] ?? '', /not valid JSON/);
});

test('every config and provisioning field carries a description', (t) => {
  const walk = (s: any, path: string, out: string[]): void => {
    const def = s?._zod?.def;
    if (!def) return;
    if (def.type === 'object') {
      for (const [k, v] of Object.entries(def.shape as Record<string, any>)) {
        if (k === '$schema' || k === '$comment') continue;
        const desc = v.description ?? v._zod?.def?.innerType?.description;
        if (!desc) out.push(`${path}${k}`);
        walk(unwrap(v), `${path}${k}.`, out);
      }
    }
  };
  const unwrap = (s: any): any => {
    let x = s;
    while (x?._zod?.def?.innerType) x = x._zod.def.innerType;
    return x;
  };
  for (const schema of [ConfigSchema, ProvisioningSchema]) {
    const missing: string[] = [];
    walk(schema, '', missing);
    t.deepEqual(missing, [], `fields without a description in ${schema.description}`);
  }
});

const goodBundle = {
  version: 1,
  deviceId: 'box-0001',
  upstream: { host: '198.51.100.10' },
  desk: { name: 'お助け隊 相談窓口', phone: '0120-000-000' },
  admin: { passwordHash: 'scrypt$16384$8$1$' + 'A'.repeat(24) + '$' + 'B'.repeat(44) },
};

test('a good provisioning bundle gets its defaults', (t) => {
  const p = ProvisioningSchema.parse(goodBundle);
  t.is(p.language, 'ja');
  t.is(p.learningDays, 7);
  t.is(resolveUpstream(p.upstream).port, 514, 'no CA or pin: udp on 514, as before');
  t.is(resolveUpstream(p.upstream).transport, 'udp');
  t.is(p.timeZone, 'Asia/Tokyo');
});

test('the page time zone comes from the bundle and must be one ICU knows', (t) => {
  t.is(ProvisioningSchema.parse({ ...goodBundle, timeZone: 'Europe/Berlin' }).timeZone, 'Europe/Berlin');
  t.true(refused(ProvisioningSchema, { ...goodBundle, timeZone: 'Mars/Olympus' }).some((x) => x.startsWith('timeZone:')));
});

test('a provisioning bundle with a plain-text password or a hostname collector is refused', (t) => {
  const p = refused(ProvisioningSchema, { ...goodBundle, upstream: { host: 'collector.example' }, admin: { passwordHash: 'hunter2' } });
  t.true(p.some((x) => x.startsWith('upstream.host:')));
  t.true(p.some((x) => x.startsWith('admin.passwordHash:')));
});

test('the shipped base policy is valid', async (t) => {
  const { BasePolicySchema } = await import('../../../firmware/src/nft/policy.js');
  t.notThrows(() => BasePolicySchema.parse(JSON.parse(readFileSync(new URL('../../../rules/base-policy.json', import.meta.url), 'utf8'))));
});

test('cooldown per alert kind: shipped defaults for slow stories, config overrides, cooldownSeconds for the rest', (t) => {
  const c = ConfigSchema.parse({ alerts: { cooldownSeconds: 600, cooldownByKind: { scan: 120, beacon: 3600 } } });
  const ms = cooldownMsFor(c.alerts);
  t.is(ms('scan'), 120_000);
  t.is(ms('beacon'), 3_600_000, 'the config wins over the shipped value');
  t.is(ms('long_connection'), 86_400_000, 'shipped');
  t.is(ms('blocklist_hit'), 600_000);
  t.is(ms('constructor'), 600_000, 'no prototype keys');
  t.false(ConfigSchema.safeParse({ alerts: { cooldownByKind: { 'Bad Kind': 5 } } }).success);
  t.false(ConfigSchema.safeParse({ alerts: { cooldownByKind: { scan: -1 } } }).success);
});

test('a config written for older firmware, which still sets the removed traffic.timeScale knob, loads after an update', (t) => {
  t.true(ConfigSchema.safeParse({ traffic: { timeScale: 0.01 } }).success, 'an update must not make the saved config unreadable');
  t.true(ConfigSchema.safeParse({ traffic: { timeScale: 1 } }).success);
  t.false(ConfigSchema.safeParse({ traffic: { timeScale: 5 } }).success, 'it was never allowed above 1');
});
