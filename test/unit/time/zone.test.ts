// Zone offsets from the system's tz database (TZif, RFC 8536), checked against ICU's own
// (Intl, which utmd no longer uses for this) for every zone name utmd accepts, and TZif and
// POSIX TZ input that is malformed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parsePosixTz, parseTzif, posixOffsetAt, ZoneError, zoneNamed, ZONEINFO_DIR } from '../../../firmware/src/time/zone.js';
import { TIME_ZONE_NAMES_TEXT } from '../../../firmware/src/time/timeZoneNames.js';

const NAMES = TIME_ZONE_NAMES_TEXT.split(' ');
const H = 3600;

/** ICU's offset (seconds) of `zone` at `ms`, from its "GMT+09:00" long offset name. */
function icuOffset(f: Intl.DateTimeFormat, ms: number): number {
  const name = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (!m) throw new Error(`unexpected offset name ${name}`);
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * H + Number(m[3]) * 60 + Number(m[4] ?? 0));
}

/** Instants from 1990 to 2060: every 9 days and 7 hours (every season, both sides of each
 *  change, beyond the last transition written in a file), plus an hour either side of each
 *  change ICU and the file agree on nearby. */
const SAMPLES: number[] = [];
for (let t = Date.UTC(1990, 0, 1); t < Date.UTC(2060, 0, 1); t += (9 * 24 + 7) * H * 1000) SAMPLES.push(t);

test('every zone utmd accepts has the offsets ICU gives it, 1990–2060 (the zone\'s own rules after its last transition included)', (t) => {
  const disagree: string[] = [];
  let checked = 0;
  for (const name of NAMES) {
    const zone = zoneNamed(name);
    t.true(zone.known, `${name} was not found in ${ZONEINFO_DIR}`);
    const f = new Intl.DateTimeFormat('en', { timeZone: name, timeZoneName: 'longOffset' });
    const bad = SAMPLES.filter((ms) => zone.offsetMs(ms) / 1000 !== icuOffset(f, ms));
    checked += SAMPLES.length;
    // the tz database and ICU's copy of it may differ by a release: a zone whose rules changed
    // in between disagrees for some years; no zone may disagree more than that
    if (bad.length > 0) disagree.push(`${name}: ${bad.length} (${new Date(bad[0]!).toISOString()} … ${new Date(bad.at(-1)!).toISOString()})`);
  }
  t.log(`${NAMES.length} zones, ${checked} instants; disagreeing with ICU ${process.versions.icu} (tz ${process.versions.tz}): ${disagree.length === 0 ? 'none' : disagree.join('; ')}`);
  t.true(disagree.length <= 3, disagree.join('\n'));
});

test('around daylight saving changes the offset switches at the instant the law says', (t) => {
  const berlin = zoneNamed('Europe/Berlin');
  // 2026-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST; 2026-10-25 01:00 UTC back
  t.is(berlin.offsetMs(Date.UTC(2026, 2, 29, 0, 59, 59)), 1 * H * 1000);
  t.is(berlin.offsetMs(Date.UTC(2026, 2, 29, 1, 0, 0)), 2 * H * 1000);
  t.is(berlin.offsetMs(Date.UTC(2026, 9, 25, 0, 59, 59)), 2 * H * 1000);
  t.is(berlin.offsetMs(Date.UTC(2026, 9, 25, 1, 0, 0)), 1 * H * 1000);
  // southern hemisphere: Sydney's summer spans the new year
  const sydney = zoneNamed('Australia/Sydney');
  t.is(sydney.offsetMs(Date.UTC(2027, 0, 1)), 11 * H * 1000);
  t.is(sydney.offsetMs(Date.UTC(2027, 6, 1)), 10 * H * 1000);
  t.is(zoneNamed('Asia/Tokyo').offsetMs(Date.UTC(2300, 0, 1)), 9 * H * 1000);
  t.is(zoneNamed('Asia/Kolkata').offsetMs(Date.UTC(2026, 0, 1)), 5.5 * H * 1000);
});

test('POSIX TZ strings: quoted names, half hours, negative and over-24-hour rule times, daylight time all year', (t) => {
  t.deepEqual(parsePosixTz('JST-9'), { stdOffset: 9 * H, dst: null });
  t.deepEqual(parsePosixTz('<+0330>-3:30'), { stdOffset: 3.5 * H, dst: null });
  t.deepEqual(parsePosixTz('<-03>3'), { stdOffset: -3 * H, dst: null });
  const ny = parsePosixTz('EST5EDT,M3.2.0,M11.1.0');
  t.is(ny.dst?.offset, -4 * H);
  t.is(posixOffsetAt(ny, Date.UTC(2031, 2, 9, 6, 59, 59) / 1000), -5 * H); // 2031-03-09 01:59:59 EST
  t.is(posixOffsetAt(ny, Date.UTC(2031, 2, 9, 7) / 1000), -4 * H);
  // Greenland: the rule's times are negative (−2:00 and −1:00 local)
  const nuuk = parsePosixTz('<-02>2<-01>,M3.5.0/-1,M10.5.0/0');
  t.is(posixOffsetAt(nuuk, Date.UTC(2031, 3, 15) / 1000), -1 * H);
  t.is(posixOffsetAt(nuuk, Date.UTC(2031, 0, 15) / 1000), -2 * H);
  // Ireland: "winter time" is the negative saving; the rule runs across the year's end
  const dublin = parsePosixTz('IST-1GMT0,M10.5.0,M3.5.0/1');
  t.is(posixOffsetAt(dublin, Date.UTC(2031, 6, 1) / 1000), 1 * H);
  t.is(posixOffsetAt(dublin, Date.UTC(2031, 11, 1) / 1000), 0);
  // daylight time all year (RFC 8536's example): never standard time
  const allYear = parsePosixTz('EST5EDT,0/0,J365/25');
  for (const ms of [Date.UTC(2031, 0, 1, 5), Date.UTC(2031, 0, 1, 4, 59), Date.UTC(2031, 6, 1), Date.UTC(2031, 11, 31, 23)]) {
    t.is(posixOffsetAt(allYear, ms / 1000), -4 * H, new Date(ms).toISOString());
  }
  // Jn never counts 29 February; n does
  const jul = parsePosixTz('AAA0BBB,J60/0,J61/0'); // 1 March 00:00 to 2 March 00:00
  t.is(posixOffsetAt(jul, Date.UTC(2028, 2, 1, 12) / 1000), 1 * H);
  t.is(posixOffsetAt(jul, Date.UTC(2028, 1, 29, 12) / 1000), 0);
  const zero = parsePosixTz('AAA0BBB,59/0,60/0'); // day 59: 29 February in a leap year
  t.is(posixOffsetAt(zero, Date.UTC(2028, 1, 29, 12) / 1000), 1 * H);
  t.is(posixOffsetAt(zero, Date.UTC(2027, 2, 1, 12) / 1000), 1 * H);
});

test('malformed POSIX TZ strings are refused with the reason', (t) => {
  for (const s of ['', 'J', 'JST', 'JST-', 'JST-25', 'JST-9:60', 'EST5EDT,M13.1.0,M11.1.0', 'EST5EDT,M3.6.0,M11.1.0', 'EST5EDT,M3.2.7,M11.1.0', 'EST5EDT,J0,J365', 'EST5EDT,366,0', 'EST5EDT,M3.2.0/168,M11.1.0', 'EST5EDT,M3.2.0', 'EST5EDT,M3.2.0,M11.1.0x', '<A>1', '<+03', 'EST5EDT4x']) {
    t.throws(() => parsePosixTz(s), { instanceOf: ZoneError }, s);
  }
});

const tokyoBytes = (): Buffer => readFileSync(join(ZONEINFO_DIR, 'Asia/Tokyo'));

test('malformed TZif files are refused, never read out of bounds', (t) => {
  const good = tokyoBytes();
  t.is(parseTzif(good).offsetAt(Date.UTC(2026, 0, 1) / 1000), 9 * H);
  // every truncation of a real file
  for (let n = 0; n < good.length - 1; n++) {
    t.throws(() => parseTzif(good.subarray(0, n)), { instanceOf: ZoneError }, `truncated to ${n} bytes`);
  }
  const bad = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    f(b);
    return b;
  };
  t.throws(() => parseTzif(bad((b) => b.write('TZiX', 0))), { instanceOf: ZoneError, message: /magic/ });
  t.throws(() => parseTzif(bad((b) => { b[4] = 0x39; })), { instanceOf: ZoneError, message: /version/ });
  // the v2 header's type count set to 0, and to more than the file holds
  const v2 = 44 + (good.readUInt32BE(32) * 5 + good.readUInt32BE(36) * 6 + good.readUInt32BE(40) + good.readUInt32BE(28) * 8 + good.readUInt32BE(24) + good.readUInt32BE(20));
  t.throws(() => parseTzif(bad((b) => b.writeUInt32BE(0, v2 + 36))), { instanceOf: ZoneError });
  t.throws(() => parseTzif(bad((b) => b.writeUInt32BE(0xffffffff, v2 + 32))), { instanceOf: ZoneError });
  // a transition that names a type past the table
  const timecnt = good.readUInt32BE(v2 + 32);
  t.throws(() => parseTzif(bad((b) => { b[v2 + 44 + timecnt * 8] = 200; })), { instanceOf: ZoneError, message: /type/ });
  // a broken footer
  t.throws(() => parseTzif(bad((b) => { b[b.length - 1] = 0x41; })), { instanceOf: ZoneError });
});

test('a zone name off the list, a missing file or a broken one gives UTC, marked unknown; a link the box leaves out is found through tzdata.zi', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'utm-zone-'));
  try {
    mkdirSync(join(dir, 'Asia'));
    writeFileSync(join(dir, 'Asia/Tokyo'), tokyoBytes());
    writeFileSync(join(dir, 'Europe'), 'not a directory');
    writeFileSync(join(dir, 'UTC'), Buffer.from('TZif2 and then nothing'));
    writeFileSync(join(dir, 'tzdata.zi'), '# version test\nZ Asia/Tokyo 9:18:59 - LMT 1887 D31 15u\nL Asia/Tokyo Japan\nL ../../etc/passwd Evil\n');
    const japan = zoneNamed('Japan', dir);
    t.true(japan.known);
    t.is(japan.offsetMs(Date.UTC(2026, 0, 1)), 9 * H * 1000);
    for (const name of ['Europe/Berlin', 'UTC', 'Evil', '../../etc/passwd', 'Mars/Olympus_Mons', '']) {
      const z = zoneNamed(name, dir);
      t.false(z.known, name);
      t.is(z.offsetMs(Date.UTC(2026, 6, 1)), 0, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
