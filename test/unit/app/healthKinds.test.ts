import test from 'ava';
import { conditionFinding } from '../../../firmware/src/app/health.js';
import { conditionKind } from '../../../firmware/src/upstream/conditionMessage.js';

test('the centre hears a condition under the same kind as the alert the page shows for it', (t) => {
  for (const id of ['ruleset', 'sensor:ulogd', 'sensor:capture', 'disk', 'storage', 'ports', 'upstream', 'feed:lab-c2', 'network', 'provisioning', 'page', 'control']) {
    const f = conditionFinding({ id, ok: false, since: 0, detail: '12 MB free' }, 3);
    if (f) t.is(conditionKind(id), f.kind, id);
  }
});

test('a storage failure on a file system turned read-only says so: a fault that does not mend itself, unlike a full disk', async (t) => {
  const { buildCatalog } = await import('../../../webui/src/i18n/alerts/index.js');
  const { explainAlert } = await import('../../../webui/src/i18n/explain.js');
  const { makeAlert } = await import('../../helpers/webui.js');
  const finding = (detail: string) => conditionFinding({ id: 'storage', ok: false, since: 0, detail }, null);
  t.deepEqual(finding('writes failing: EROFS (blocklist snapshot); 3 failed so far')?.params, { readOnly: true });
  t.deepEqual(finding('writes failing: SQLITE_READONLY (opening the store; running with one in memory, restart utmd once there is space); 1 failed so far')?.params, { readOnly: true });
  t.deepEqual(finding('writes failing: SQLITE_FULL (alert store); 2 failed so far')?.params, {});
  t.deepEqual(finding('writes failing: ENOSPC (liveness); 1 failed so far')?.params, {});
  t.deepEqual(finding('writes failing: SQLITE_FULL (alert store); 1 failed so far; writing on the space the reserve held')?.params, { onReserve: true });
  const desk = { name: '相談窓口', phone: '06-6000-1234', hours: '平日 9:00〜18:00' };
  const say = (lang: 'ja' | 'en', params: Record<string, boolean>) => explainAlert(makeAlert({ kind: 'storage_failed', params, device: {}, remote: null, direction: null, action: 'none' }), lang, buildCatalog(), desk);
  t.regex(say('ja', { readOnly: true }).todo, /点検か交換/);
  t.notRegex(say('ja', { readOnly: true }).did, /自分で元に戻ります/, 'no promise that it mends itself');
  t.regex(say('ja', {}).did, /自分で元に戻ります/);
  t.regex(say('en', { readOnly: true }).why, /will not fix itself/);
  // a full disk the box goes on writing on (its reserve): no "cannot write", alerts still reach the centre
  for (const lang of ['ja', 'en'] as const) {
    const e = say(lang, { onReserve: true });
    t.notDeepEqual(e, say(lang, {}), lang);
  }
  t.regex(say('ja', { onReserve: true }).did, /予備の空き.*監視センターにも届いています/);
  t.notRegex(say('ja', { onReserve: true }).title, /書き込めなく/);
  t.regex(say('en', { onReserve: true }).did, /still reach the monitoring centre/);
});
