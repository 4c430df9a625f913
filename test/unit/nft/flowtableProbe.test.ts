import test from 'ava';
import { flowtableCounterText, flowtableProbeDoc, flowtableProbeText, readFlowtableProbe } from '../../../firmware/src/nft/flowtableProbe.js';

test('a kernel without flowtables: unavailable, in nft\'s words', (t) => {
  const v = readFlowtableProbe(1, 'flow table (null) (null) use 0 size 0 flags 2 hook prerouting prio 0  dev {  b  a  }\n',
    'internal:0:0-0: Error: Could not process rule: No such file or directory\n');
  t.deepEqual(v, { available: false, reason: 'the kernel refused a flowtable: Could not process rule: No such file or directory' });
});

test('an nft whose JSON reader drops the counter flag (1.0.6 sends flags 0): unavailable', (t) => {
  const v = readFlowtableProbe(0, 'flow table (null) (null) use 0 size 0 flags 0 hook prerouting prio 0  dev {  b  a  }\n', '');
  t.false(v.available);
  t.regex(v.reason, /counter flag/);
});

test('kernel accepts and the counter flag is sent: available', (t) => {
  t.true(readFlowtableProbe(0, 'table inet utm_ftprobe 0\nflow table (null) (null) use 0 size 0 flags 2 hook prerouting prio 0  dev {  b  a  }\n', '').available);
  t.true(readFlowtableProbe(0, 'flow table x y use 0 size 0 flags 3 hook prerouting prio 0\n', '').available);
  t.false(readFlowtableProbe(0, '', '').available, 'no flowtable line: flags unknown');
});

test('the probe document: a throwaway table, never ours, with the counter flag and a flow add rule', (t) => {
  const doc = JSON.stringify(flowtableProbeDoc('utm', ['eth0', 'eth1']));
  t.regex(doc, /"name":"utm_ftprobe"/);
  t.notRegex(doc, /"name":"utm"/);
  t.regex(doc, /"flags":\["counter"\]/);
  t.regex(doc, /"flow":\{"op":"add","flowtable":"@ft"\}/);
});

test('the probe as utmd asks it: native syntax (nft\'s JSON reader drops flowtable flags), a throwaway table, counter, flow add', (t) => {
  const text = flowtableProbeText('utm', ['eth0', 'eth1']);
  t.regex(text, /^table inet utm_ftprobe \{/);
  t.notRegex(text, /table inet utm \{/);
  t.regex(text, /flowtable ft \{ hook ingress priority filter; devices = \{ "eth0", "eth1" \}; counter; \}/);
  t.regex(text, /flow add @ft;/);
});

test('the counter flag as a native update of the router ruleset\'s flowtable: same hook, priority and devices', (t) => {
  t.is(flowtableCounterText('utm', 'ft', ['eth0', 'lan.10']),
    'add flowtable inet utm ft { hook ingress priority filter; devices = { "eth0", "lan.10" }; counter; }\n');
});
