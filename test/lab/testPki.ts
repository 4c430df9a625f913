// A throw-away PKI for TLS tests, made with the real openssl: a CA, a collector certificate
// for the lab collector's address and name, an expired one, one for another name, and a second
// CA the box does not trust. `openssl ca` is used because it can back-date a certificate.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.js';

export interface TestPki {
  dir: string;
  caPem: string;
  caFile: string;
  /** Server certificates (cert and key file paths) by case. */
  good: { cert: string; key: string };
  expired: { cert: string; key: string };
  wrongName: { cert: string; key: string };
  /** Signed by another CA the box was not given. */
  otherCa: { cert: string; key: string };
  /** A client certificate for the box, signed by the CA. */
  client: { certPem: string; keyPem: string };
}

const CA_CNF = (dir: string): string => `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/newcerts
serial = ${dir}/serial
default_md = sha256
policy = policy_any
copy_extensions = copy
unique_subject = no
default_days = 3650
[ policy_any ]
commonName = supplied
`;

async function openssl(args: string[]): Promise<void> {
  await run(['openssl', ...args]);
}

async function makeCa(dir: string, name: string): Promise<void> {
  await mkdir(join(dir, 'newcerts'), { recursive: true });
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  await writeFile(join(dir, 'ca.cnf'), CA_CNF(dir));
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'),
    '-days', '3650', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

async function issue(caDir: string, out: string, cn: string, san: string, dates?: { start: string; end: string }, ext = 'serverAuth'): Promise<{ cert: string; key: string }> {
  const key = `${out}.key`;
  const cert = `${out}.pem`;
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', `${out}.csr`, '-subj', `/CN=${cn}`,
    '-addext', `subjectAltName=${san}`, '-addext', `extendedKeyUsage=${ext}`]);
  await openssl(['ca', '-batch', '-notext', '-config', join(caDir, 'ca.cnf'), '-cert', join(caDir, 'ca.pem'), '-keyfile', join(caDir, 'ca.key'),
    '-in', `${out}.csr`, '-out', cert, ...(dates ? ['-startdate', dates.start, '-enddate', dates.end] : [])]);
  return { cert, key };
}

/** Makes the PKI under `dir` for a collector at `ip` named `name`; throws CommandError when openssl fails. */
export async function makeTestPki(dir: string, ip: string, name: string): Promise<TestPki> {
  const ca = join(dir, 'ca');
  const other = join(dir, 'other-ca');
  await makeCa(ca, 'Otasuke test collector CA');
  await makeCa(other, 'Somebody else\'s CA');
  const san = `IP:${ip},DNS:${name}`;
  const good = await issue(ca, join(dir, 'good'), name, san);
  const expired = await issue(ca, join(dir, 'expired'), name, san, { start: '20200101000000Z', end: '20210101000000Z' });
  const wrongName = await issue(ca, join(dir, 'wrong-name'), 'elsewhere.test', 'DNS:elsewhere.test,IP:192.0.2.99');
  const otherCa = await issue(other, join(dir, 'other'), name, san);
  const client = await issue(ca, join(dir, 'client'), 'box-test-0001', 'DNS:box-test-0001.test', undefined, 'clientAuth');
  return {
    dir, caPem: await readFile(join(ca, 'ca.pem'), 'utf8'), caFile: join(ca, 'ca.pem'),
    good, expired, wrongName, otherCa,
    client: { certPem: await readFile(client.cert, 'utf8'), keyPem: await readFile(client.key, 'utf8') },
  };
}
