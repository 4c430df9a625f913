// Golden tests: each test/fixtures/ulogd/config/NAME.input.json renders to NAME.conf.
// Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
import test from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderUlogdConfig, UlogdConfigError, type UlogdConfigInput } from '../../../firmware/src/sensors/ulogdConfig.js';

const dir = new URL('../../fixtures/ulogd/config/', import.meta.url);
const names = readdirSync(dir).filter((f) => f.endsWith('.input.json')).map((f) => f.slice(0, -'.input.json'.length));

test('there are golden cases', (t) => {
  t.true(names.length >= 3);
});

for (const name of names) {
  test(`golden: ${name}`, (t) => {
    const input = JSON.parse(readFileSync(new URL(`${name}.input.json`, dir), 'utf8')) as UlogdConfigInput;
    const out = renderUlogdConfig(input);
    const golden = new URL(`${name}.conf`, dir);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, out);
    t.is(out, readFileSync(golden, 'utf8'));
  });
}

const good: UlogdConfigInput = {
  pluginDir: '/usr/lib/x86_64-linux-gnu/ulogd', nflogGroups: [1], udpPort: 5140, logFile: 'stdout',
  nfct: { enabled: false }, netlinkBufferSize: 0, netlinkBufferMaxSize: 0,
};

const bad: [string, Partial<UlogdConfigInput> & Record<string, unknown>, RegExp][] = [
  ['quote in plugin dir', { pluginDir: '/usr/lib"\nstack=evil' }, /pluginDir/],
  ['relative log file', { logFile: 'ulogd.log' }, /logFile/],
  ['duplicate groups', { nflogGroups: [1, 1] }, /nflogGroups/],
  ['port 0', { udpPort: 0 }, /udpPort/],
  ['unknown key', { extra: 1 }, /root|extra/],
  ['nothing to log', { nflogGroups: [] }, /nothing to log/],
];
for (const [name, patch, re] of bad) {
  test(`refused: ${name}`, (t) => {
    const err = t.throws(() => renderUlogdConfig({ ...good, ...patch }), { instanceOf: UlogdConfigError });
    t.regex(err?.message ?? '', re);
  });
}
