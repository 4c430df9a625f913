// The page's words (devices, the office page, the monthly report) are part of the one catalog: both languages
// carry the same entries, none empty.
import test from 'ava';
import { DEVICE_WORDS } from '../../../../webui/src/i18n/devices.js';
import { OFFICE_WORDS } from '../../../../webui/src/i18n/office.js';
import { REPORT_WORDS } from '../../../../webui/src/i18n/report.js';

const shape = (v: unknown): unknown =>
  typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v;

for (const [name, words] of [['devices', DEVICE_WORDS], ['office', OFFICE_WORDS], ['report', REPORT_WORDS]] as const) {
  test(`${name}: ja and en have the same entries, none empty`, (t) => {
    t.deepEqual(shape(words.ja), shape(words.en));
    const empty = (v: unknown): boolean => (typeof v === 'string' ? v.trim() === '' : typeof v === 'object' && v !== null && Object.values(v).some(empty));
    t.false(empty(words.ja));
    t.false(empty(words.en));
  });
}
