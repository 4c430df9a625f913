import test from 'ava';
import { isTimeZoneName } from '../../../firmware/src/time/timeZone.js';
import { ProvisioningSchema } from '../../../firmware/src/config/provisioning.js';
import { TIME_ZONE_NAMES_TEXT } from '../../../firmware/src/time/timeZoneNames.js';

const listed = TIME_ZONE_NAMES_TEXT.split(' ');

const icuKnows = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

test('the generated list and this node\'s ICU agree (else run test/tools/timeZoneNames.ts again)', (t) => {
  t.true(listed.length > 400);
  t.deepEqual(listed.filter((n) => !icuKnows(n)), [], 'listed names ICU refuses');
  t.deepEqual(Intl.supportedValuesOf('timeZone').filter((n) => !isTimeZoneName(n)), [], 'ICU\'s zones missing from the list');
  t.deepEqual([...listed].sort(), listed, 'sorted');
  t.is(new Set(listed).size, listed.length, 'no name twice');
});

test('zones and their links are names; anything else is not', (t) => {
  for (const n of ['Asia/Tokyo', 'Japan', 'UTC', 'Etc/UTC', 'Etc/GMT-9', 'America/Argentina/Buenos_Aires', 'Europe/Berlin']) t.true(isTimeZoneName(n), n);
  for (const n of ['', 'asia/tokyo', 'Asia/Tokio', 'Mars/Olympus', 'Asia/Tokyo ', 'Asia', '../../etc/passwd', 'Asia/Tokyo\u0000', 'Factory', 'constructor', '__proto__']) t.false(isTimeZoneName(n), JSON.stringify(n));
});

test('a bundle\'s time zone is checked without building an Intl.DateTimeFormat (its ICU data would stay in utmd)', (t) => {
  const real = Intl.DateTimeFormat;
  let built = 0;
  (Intl as { DateTimeFormat: unknown }).DateTimeFormat = function counting(...a: ConstructorParameters<typeof Intl.DateTimeFormat>) { built++; return new real(...a); };
  try {
    const base = { version: 1, deviceId: 'box-1', upstream: { host: '198.51.100.10', port: 514 }, desk: { name: 'desk', phone: '0120-000-000' }, admin: { passwordHash: 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=' } };
    t.is(ProvisioningSchema.parse({ ...base, timeZone: 'Europe/Berlin' }).timeZone, 'Europe/Berlin');
    t.false(ProvisioningSchema.safeParse({ ...base, timeZone: 'Asia/Tokio' }).success);
  } finally {
    Intl.DateTimeFormat = real;
  }
  t.is(built, 0);
});
