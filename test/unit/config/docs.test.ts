import test from 'ava';
import { readFileSync } from 'node:fs';
import { configDoc } from '../../../firmware/src/cli/configDoc.js';

test('firmware/CONFIG.md is the reference generated from the schemas (run `make docs`)', (t) => {
  t.is(readFileSync(new URL('../../../firmware/CONFIG.md', import.meta.url), 'utf8'), configDoc());
});

test('the reference names every top-level field with its default', (t) => {
  const doc = configDoc();
  for (const f of ['`mode`', '`ui.port`', '`blocklist.local`', '`deviceId`', '`desk.phone`', '`learningDays`']) t.true(doc.includes(f), f);
  t.regex(doc, /\| `ui\.port` \| number \| `80` \|/);
});
