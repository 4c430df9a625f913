// A well-known service by the office's own name lookups (issue 15): an address nobody looked up
// counts under a name the office looked up in its network, and an app's documented port counts as
// that app only while the same device uses the app's names. Each test also shows the case that
// must still be reported, so none of them can pass by silencing everything.
import test from 'ava';
import { DetectorSet } from '../../../firmware/src/detectors/index.js';
import { DAY0, flow, H, periodic, thresholds } from './helpers.js';

const names = new Map([['20.199.120.85', 'client.wns.windows.com'], ['35.186.224.47', 'dealer.spotify.com'], ['13.248.142.92', 'rtcstats-server.jitsi.net']]);
const nameOf = (ip: string): string | undefined => names.get(ip);
const set = (): DetectorSet => new DetectorSet({ thresholds: thresholds(), listed: () => undefined, nameOf });
const PC = { deviceIp: '10.0.0.5', deviceMac: '02:00:00:00:00:05' };
const OTHER_PC = { deviceIp: '10.0.0.6', deviceMac: '02:00:00:00:00:06' };

test('an unnamed address counts under the name the office looked up in its /24, and only there', (t) => {
  for (const [ip, silenced] of [['20.199.120.151', true], ['20.199.121.151', false]] as const) {
    const d = set();
    // Another PC looked up client.wns.windows.com (20.199.120.85) and stays connected all day.
    d.onFlow(flow({ ...OTHER_PC, remoteIp: '20.199.120.85', start: DAY0, end: DAY0 + 60_000 }));
    const push = periodic({ every: 28 * 60_000, hours: 24, over: { ...PC, remoteIp: ip } });
    const beacons = push.flatMap((f) => {
      if (f.end % H < 30 * 60_000) d.onFlow(flow({ ...OTHER_PC, remoteIp: '20.199.120.85', start: f.end - 1000, end: f.end }));
      return d.onFlow(f);
    }).filter((x) => x.kind === 'beacon');
    t.is(beacons.length === 0, silenced, `${ip}: ${beacons.length} beacon findings`);
  }
});

/** A long flow on an app's port to an unnamed server, after `lookups` flows of the same device. */
function longOnAppPort(port: number, proto: 'tcp' | 'udp', lookups: readonly string[], device = PC): number {
  const d = set();
  const t0 = DAY0 + 2 * H;
  d.onFlow(flow({ ...device, remoteIp: '198.51.100.1', start: DAY0, end: DAY0 + 1000 })); // the box has watched for 2 h
  for (const ip of lookups) d.onFlow(flow({ ...device, remoteIp: ip, start: t0 - 5000, end: t0 - 4000 }));
  const long = flow({ ...device, proto, remoteIp: '203.0.113.77', remotePort: port, start: t0, end: t0 + 3 * H, bytesOut: 5_000_000, bytesIn: 50_000_000 });
  return d.onFlow(long).filter((x) => x.kind === 'long_connection').length;
}

test('Spotify\'s access point port counts as Spotify only while the device uses spotify.com', (t) => {
  t.is(longOnAppPort(4070, 'tcp', ['35.186.224.47']), 0, 'the device looked up dealer.spotify.com');
  t.is(longOnAppPort(4070, 'tcp', []), 1, 'no Spotify name: a long connection to 4070 is reported');
  t.is(longOnAppPort(4070, 'tcp', ['13.248.142.92']), 1, 'another app\'s name does not count');
  t.is(longOnAppPort(4070, 'udp', ['35.186.224.47']), 1, 'the documented port is TCP');
});

test('Jitsi\'s media port counts as Jitsi only while the device uses jitsi.net', (t) => {
  t.is(longOnAppPort(10000, 'udp', ['13.248.142.92']), 0, 'the device reached rtcstats-server.jitsi.net');
  t.is(longOnAppPort(10000, 'udp', []), 1, 'no Jitsi name: a long UDP flow to 10000 is reported');
  t.is(longOnAppPort(10000, 'udp', ['35.186.224.47']), 1);
});
