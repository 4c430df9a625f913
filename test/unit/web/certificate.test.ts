// The box's certificate: made by the real openssl, validated with node:crypto.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CERT_FILE, CertificateError, generateCertificate, inspectCertificate, KEY_FILE, loadBoxCertificate, subjectAltName, TLS_DIR } from '../../../firmware/src/web/certificate.js';

const sh = promisify(execFile);

async function tmp(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'utm-cert-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

test('subjectAltName names addresses as IP and names as DNS; junk and duplicates are dropped', (t) => {
  t.is(subjectAltName(['192.168.1.2', 'fe80::1%br0', 'nope', '192.168.1.2'], ['Otasuke', 'otasuke.lan', 'bad name', '']), 'IP:192.168.1.2,IP:fe80::1,DNS:otasuke,DNS:otasuke.lan');
});

test('first start makes an ECDSA P-256 certificate with the box addresses, key 0600; the next start keeps it', async (t) => {
  const dir = await tmp(t);
  const now = Date.now();
  const c = await loadBoxCertificate({ stateDir: dir, now, addresses: ['192.168.1.2', '2001:db8::2'], names: ['otasuke', 'otasuke.lan'] });
  t.is(c.source, 'generated');
  t.regex(c.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  t.regex(c.subjectAltName, /IP Address:192\.168\.1\.2/);
  t.regex(c.subjectAltName, /DNS:otasuke\.lan/);
  t.is((await stat(join(dir, TLS_DIR, KEY_FILE))).mode & 0o777, 0o600);
  const { stdout } = await sh('openssl', ['x509', '-in', join(dir, TLS_DIR, CERT_FILE), '-noout', '-text']);
  t.regex(stdout, /prime256v1|P-256/);
  const again = await loadBoxCertificate({ stateDir: dir, now, addresses: ['192.168.1.99'], names: [] });
  t.is(again.fingerprint256, c.fingerprint256, 'kept: the fingerprint the technician noted stays valid');
});

test('a certificate near its expiry or with a foreign key is made anew', async (t) => {
  const dir = await tmp(t);
  const first = await loadBoxCertificate({ stateDir: dir, now: Date.now(), addresses: ['10.0.0.1'], names: [] });
  const later = await loadBoxCertificate({ stateDir: dir, now: first.notAfter - 10 * 86_400_000, addresses: ['10.0.0.1'], names: [] });
  t.not(later.fingerprint256, first.fingerprint256);
  const other = await tmp(t);
  await generateCertificate(other, 'IP:10.0.0.2');
  await writeFile(join(dir, TLS_DIR, KEY_FILE), await readFile(join(other, KEY_FILE)));
  const fixed = await loadBoxCertificate({ stateDir: dir, now: Date.now(), addresses: ['10.0.0.1'], names: [] });
  t.not(fixed.fingerprint256, later.fingerprint256);
});

test("the provider's certificate is used when it fits its key and was issued by the given CA; otherwise refused with the reason", async (t) => {
  const dir = await tmp(t);
  const ca = join(dir, 'ca');
  await sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '30', '-subj', '/CN=Provider CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  const leaf = join(dir, 'leaf');
  await sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`, '-subj', '/CN=box-0001']);
  await writeFile(`${leaf}.ext`, 'subjectAltName=IP:192.168.1.2\n');
  await sh('openssl', ['x509', '-req', '-in', `${leaf}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${leaf}.crt`, '-days', '20', '-extfile', `${leaf}.ext`]);
  const certificate = await readFile(`${leaf}.crt`, 'utf8');
  const key = await readFile(`${leaf}.key`, 'utf8');
  const caPem = await readFile(`${ca}.crt`, 'utf8');
  const caKey = await readFile(`${ca}.key`, 'utf8');
  const now = Date.now();
  const used = await loadBoxCertificate({ stateDir: dir, now, provided: { certificate, key, ca: caPem }, addresses: [], names: [] });
  t.is(used.source, 'provisioning');

  t.throws(() => inspectCertificate(certificate, caKey, now), { instanceOf: CertificateError, message: /key does not belong/ });
  t.throws(() => inspectCertificate(certificate, key, now + 40 * 86_400_000), { instanceOf: CertificateError, message: /expired/ });
  t.throws(() => inspectCertificate('garbage', key, now), { instanceOf: CertificateError, message: /not readable/ });

  const refused: string[] = [];
  const other = await loadBoxCertificate({ stateDir: dir, now, provided: { certificate, key, ca: used.certPem }, addresses: ['192.168.1.2'], names: [], onRefused: (r) => refused.push(r) });
  t.is(other.source, 'generated', 'a certificate not issued by the given CA is refused; the box uses its own');
  t.regex(refused[0] ?? '', /not issued by the given CA/);
});
