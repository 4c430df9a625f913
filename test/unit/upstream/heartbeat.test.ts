import test from 'ava';
import { heartbeatMessage, feedAges, HEARTBEAT_SD_ID } from '../../../firmware/src/upstream/heartbeat.js';
import { heartbeatText } from '../../../webui/src/i18n/upstream.js';
import { formatRfc5424 } from '../../../firmware/src/upstream/rfc5424.js';

const at = Date.UTC(2026, 11, 1, 12, 0, 0);
const facts = {
  at, startedAt: at - 3 * 3_600_000 - 12 * 60_000, rulesetSha256: 'a'.repeat(64),
  feeds: [{ id: 'spamhaus_drop', lastSuccessAt: at - 7200_000 }, { id: 'new_feed', lastSuccessAt: null }],
  queueDepth: 2, oldestWaitingAt: at - 30_000, failing: ['sensor:ulogd'], intervalS: 300,
};

test('heartbeat carries uptime, ruleset hash, feed ages, queue depth, failing conditions and the interval', (t) => {
  const m = heartbeatMessage(facts, 'x');
  t.is(m.class, 'heartbeat');
  t.is(m.msgId, 'heartbeat');
  t.is(m.severity, 6);
  t.is(m.timestamp, at);
  t.deepEqual(m.sd, [{ id: HEARTBEAT_SD_ID, params: {
    uptimeS: 3 * 3600 + 12 * 60, rulesetSha256: 'a'.repeat(64), feedAgesS: 'spamhaus_drop:7200,new_feed:never',
    queue: 2, oldestWaitingS: 30, failing: 'sensor:ulogd', intervalS: 300,
  } }]);
});

test('a fresh box without ruleset, feeds or queue leaves those fields out instead of inventing them', (t) => {
  const m = heartbeatMessage({ ...facts, rulesetSha256: null, feeds: [], queueDepth: null, oldestWaitingAt: null, failing: [] }, 'x');
  const p = m.sd[0]!.params;
  t.is(p['rulesetSha256'], undefined);
  t.is(p['feedAgesS'], undefined);
  t.is(p['queue'], undefined);
  t.is(p['failing'], undefined);
  t.is(feedAges([{ id: 'f', lastSuccessAt: at + 5000 }], at), 'f:0', 'a clock step never gives a negative age');
});

test('heartbeat text names failing parts in plain words, ja and en', (t) => {
  t.is(heartbeatText({ uptimeMs: 3 * 3_600_000 + 12 * 60_000, queueDepth: 2, failing: ['sensor:ulogd'] }, 'ja'),
    '定期連絡: 稼働中（起動から3時間12分）。送信待ち2件。異常: 通信の見張り（ulogd2）');
  t.is(heartbeatText({ uptimeMs: 59_000, queueDepth: 0, failing: [] }, 'en'), 'Heartbeat: running for 59 s, 0 message(s) waiting. Nothing is failing.');
});

test('a hostile feed id in the heartbeat stays inside its SD value on the wire', (t) => {
  const m = heartbeatMessage({ ...facts, feeds: [{ id: 'x"] [evil a="1\n', lastSuccessAt: null }] }, 'ok');
  const line = formatRfc5424({ facility: 16, severity: m.severity, timestamp: m.timestamp, hostname: 'box', appName: 'otasuke-utm', msgId: m.msgId, sd: m.sd, msg: m.text }).toString('utf8');
  t.true(line.includes('feedAgesS="x\\"\\] [evil a=\\"1 :never"'));
  t.false(line.includes('\n'));
});
