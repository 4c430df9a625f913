// The collector's rsyslog config: UDP inputs on the given addresses, RFC 5424 output file.
import test from 'ava';
import { renderCollectorConfig } from '../../lab/collector.js';

test('renders one imudp input per address and both output files', (t) => {
  const conf = renderCollectorConfig({ workDir: '/w', addresses: ['198.51.100.10', '2001:db8:51::10'], port: 514, logPath: '/w/m.log', rawPath: '/w/r.log' });
  t.true(conf.includes('input(type="imudp" address="198.51.100.10" port="514" ruleset="collect")'));
  t.true(conf.includes('input(type="imudp" address="2001:db8:51::10" port="514" ruleset="collect")'));
  t.true(conf.includes('file="/w/m.log" template="RSYSLOG_SyslogProtocol23Format"'));
  t.true(conf.includes('file="/w/r.log" template="rawmsg"'));
});
