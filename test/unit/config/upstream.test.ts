// The collector part of provisioning is hostile input: PEMs are parsed, pins and names checked,
// and combinations that cannot work are refused with a message naming the field.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseWith } from '../../../firmware/src/config/load.js';
import { resolveUpstream, UpstreamTargetSchema } from '../../../firmware/src/config/upstream.js';

const FIX = join(import.meta.dirname, '../../fixtures/upstream');
// A self-signed test certificate and its key (fixtures; never used outside tests).
const CERT = readFileSync(join(FIX, 'collector-cert.pem'), 'utf8');
const KEY = readFileSync(join(FIX, 'collector-key.pem'), 'utf8');

const problems = (v: unknown): string[] => {
  try {
    parseWith(UpstreamTargetSchema, JSON.stringify(v), 'upstream.json');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('transport and port by what is provisioned: a CA or pin means tls on 6514, nothing means udp on 514', (t) => {
  t.like(resolveUpstream(UpstreamTargetSchema.parse({ host: '198.51.100.10', caPem: CERT })), { transport: 'tls', port: 6514 });
  t.like(resolveUpstream(UpstreamTargetSchema.parse({ host: '198.51.100.10', pinSha256: ['AB:'.repeat(31) + 'AB'] })), { transport: 'tls', port: 6514, pinSha256: ['ab'.repeat(32)] });
  t.like(resolveUpstream(UpstreamTargetSchema.parse({ host: '198.51.100.10' })), { transport: 'udp', port: 514 });
  t.like(resolveUpstream(UpstreamTargetSchema.parse({ host: '198.51.100.10', transport: 'relp' })), { transport: 'relp', port: 2514 });
  t.like(resolveUpstream(UpstreamTargetSchema.parse({ host: '2001:db8:51::10', transport: 'tcp', port: 601 })), { host: '2001:db8:51::10', port: 601 });
  t.like(resolveUpstream(UpstreamTargetSchema.parse({ host: '198.51.100.10', pinSha256: [`sha256/${Buffer.alloc(32, 7).toString('base64')}`] })), { pinSha256: ['07'.repeat(32)] });
});

test('a good bundle with CA, name, pin and client certificate passes', (t) => {
  t.deepEqual(problems({ host: '198.51.100.10', transport: 'relp-tls', serverName: 'Collector.Example.', caPem: CERT, pinSha256: ['ab'.repeat(32)], clientCertPem: CERT, clientKeyPem: KEY }), []);
  t.is(UpstreamTargetSchema.parse({ host: '198.51.100.10', serverName: 'Collector.Example.', caPem: CERT }).serverName, 'collector.example');
});

test('hostile or broken provisioning is refused with the field named', (t) => {
  const bad: [unknown, RegExp][] = [
    [{ host: '198.51.100.10', caPem: 'hello' }, /^caPem: PEM certificates only/],
    [{ host: '198.51.100.10', caPem: `${CERT}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n` }, /^caPem: PEM certificates only/],
    [{ host: '198.51.100.10', caPem: CERT.replace(/[A-Za-z]{10}\n/, 'AAAAAAAAAA\n') }, /^caPem: certificate 1: not a readable X\.509/],
    [{ host: '198.51.100.10', pinSha256: ['abc'] }, /^pinSha256\.0: a SHA-256 SPKI fingerprint/],
    [{ host: '198.51.100.10', pinSha256: ['zz'.repeat(32)] }, /^pinSha256\.0:/],
    [{ host: '198.51.100.10', caPem: CERT, serverName: 'bad name"]' }, /^serverName: a DNS host name/],
    [{ host: '198.51.100.10', caPem: CERT, serverName: `${'a'.repeat(64)}.example` }, /^serverName:/],
    [{ host: '198.51.100.10', caPem: CERT, clientCertPem: CERT }, /^clientKeyPem: clientCertPem and clientKeyPem come together/],
    [{ host: '198.51.100.10', caPem: CERT, clientCertPem: CERT, clientKeyPem: 'not a key' }, /^clientKeyPem: one unencrypted PEM private key/],
    [{ host: '198.51.100.10', transport: 'tls' }, /^transport: tls needs caPem or pinSha256/],
    [{ host: '198.51.100.10', transport: 'relp-tls' }, /^transport: relp-tls needs caPem or pinSha256/],
    [{ host: '198.51.100.10', transport: 'udp', caPem: CERT }, /^transport: udp cannot use the CA/],
    [{ host: '198.51.100.10', transport: 'smtp' }, /^transport:/],
    [{ host: 'collector.example', caPem: CERT }, /^host:/],
    [{ host: '198.51.100.10', extra: 1 }, /extra/],
  ];
  for (const [v, re] of bad) {
    const p = problems(v);
    t.true(p.some((x) => re.test(x)), `${JSON.stringify(v).slice(0, 80)} → ${JSON.stringify(p)}`);
  }
});
