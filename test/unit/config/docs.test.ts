import test from 'ava';
import { readFileSync } from 'node:fs';
import { configDoc, jsonSchemaDoc, JSON_SCHEMAS } from '../../../firmware/src/cli/configDoc.js';
import { jsonSchemaOf } from '../../../firmware/src/config/docs.js';

test('firmware/CONFIG.md is the reference generated from the schemas (run `make docs`)', (t) => {
  t.is(readFileSync(new URL('../../../firmware/CONFIG.md', import.meta.url), 'utf8'), configDoc());
});

test('the reference names every top-level field with its default', (t) => {
  const doc = configDoc();
  for (const f of ['`mode`', '`ui.port`', '`blocklist.local`', '`deviceId`', '`desk.phone`', '`learningDays`']) t.true(doc.includes(f), f);
  t.regex(doc, /\| `ui\.port` \| number \| `80` \|/);
});

test('the published JSON Schemas are the ones generated from the schemas (run `make docs`)', (t) => {
  for (const name of ['config', 'provisioning'] as const) {
    t.is(readFileSync(new URL(`../../../firmware/${name}.schema.json`, import.meta.url), 'utf8'), jsonSchemaDoc(name), name);
  }
});

test('the JSON Schema keeps defaults, refuses unknown keys and names what a bundle must carry', (t) => {
  const config = jsonSchemaOf(JSON_SCHEMAS.config);
  const prov = jsonSchemaOf(JSON_SCHEMAS.provisioning);
  t.is(config.additionalProperties, false);
  t.deepEqual(config.required ?? [], [], 'no config at all is a valid config');
  const router = config.properties?.['router'];
  // a transformed field (DnsDomain) keeps its default
  t.is(typeof router === 'object' ? (router.properties?.['localDomain'] as { default?: unknown }).default : undefined, 'lan');
  t.deepEqual([...(prov.required ?? [])].sort(), ['admin', 'desk', 'deviceId', 'upstream', 'version']);
  t.is((prov.properties?.['timeZone'] as { default?: unknown }).default, 'Asia/Tokyo');
});

test('the reference has one table per section', (t) => {
  const doc = configDoc();
  t.true(doc.includes('### `feeds`: Blocklist feeds'));
  t.regex(doc, /\| `feeds` \| object \| `\(see below\)` \|/);
  t.regex(doc, /\| `router\.localDomain` \| string \| `"lan"` \|/);
});
