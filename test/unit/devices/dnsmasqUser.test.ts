import test from 'ava';
import { parsePasswdLine } from '../../../firmware/src/devices/dnsmasqUser.js';

test('getent passwd lines: name, uid and gid; anything else is refused', (t) => {
  t.deepEqual(parsePasswdLine('otasuke-dnsmasq:x:996:996:Otasuke UTM dnsmasq:/nonexistent:/usr/sbin/nologin\n'), { name: 'otasuke-dnsmasq', uid: 996, gid: 996 });
  t.is(parsePasswdLine(''), null);
  t.is(parsePasswdLine('a:x:1:2'), null);
  t.is(parsePasswdLine('a:x:one:2:c:d:e'), null);
  t.is(parsePasswdLine('a:x:-1:2:c:d:e'), null);
});
