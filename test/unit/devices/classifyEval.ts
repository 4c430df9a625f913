// Evaluation of the classifier over the public labelled DHCP fingerprint set in
// test/fixtures/dhcp-fingerprints/ (see the README there for sources and licence).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { classify, type Classification } from '../../../firmware/src/devices/classify.js';
import { matchFingerprint, type FingerprintTable } from '../../../firmware/src/devices/fingerprints.js';

const Case = z.strictObject({
  prl: z.string().regex(/^\d{1,3}(,\d{1,3})*$/),
  vendorClass: z.string().nullable(),
  os: z.number().int().optional(),
  label: z.string(),
  class: z.string(),
  author: z.string().optional(),
  /** explicit labels (Satori); absent for FingerBank, whose class decides (see truth) */
  truth: z.strictObject({ eol: z.boolean().nullable(), phone: z.boolean() }).optional(),
});
export type LabelledCase = z.infer<typeof Case>;

/** Reads a labelled set (a JSON array of cases). */
export function loadLabelled(path: string): LabelledCase[] {
  return z.array(Case).parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Ground truth. FingerBank: every Windows and Mac OS release the database names is past end of
 *  support today (the newest are Windows 8.1 and OS X Lion); phones, PDAs and tablets are the
 *  "personal phone" class. Satori cases carry their labels; eol null (Windows 10) is not scored. */
export function truth(c: LabelledCase): { eol: boolean | null; phone: boolean } {
  if (c.truth) return c.truth;
  return { eol: c.class === 'Windows' || c.class === 'Macintosh', phone: c.class === 'Smartphones/PDAs/Tablets' };
}

/** Classifies one case as the inventory would for a device that joins with a private MAC
 *  (the worst case for the phone flag: a random MAC adds weight to every device). */
export function classifyCase(table: FingerprintTable, prl: readonly number[], vendorClass: string | null): Classification {
  const match = matchFingerprint(table, { prl, vendorClass, vendor: null });
  return classify(table, { match, hostname: null, vendor: null, randomised: true, vendorClass });
}

export interface Scores { tp: number; fp: number; fn: number; precision: number; recall: number }

function scores(tp: number, fp: number, fn: number): Scores {
  return { tp, fp, fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}

/** EOL and phone flag precision/recall over a labelled set, plus the wrong flags for reports. */
export function evaluate(table: FingerprintTable, cases: readonly LabelledCase[]): { eol: Scores; phone: Scores; wrong: string[] } {
  let etp = 0, efp = 0, efn = 0, ptp = 0, pfp = 0, pfn = 0;
  const wrong: string[] = [];
  for (const c of cases) {
    const r = classifyCase(table, c.prl.split(',').map(Number), c.vendorClass);
    const t = truth(c);
    if (t.eol === null) { /* not scored: DHCP alone cannot settle it */ } else if (r.eol && t.eol) etp++; else if (r.eol) { efp++; wrong.push(`EOL ${c.label} [${c.prl}] as ${r.osName}`); } else if (t.eol) efn++;
    if (r.likelyPersonalPhone && t.phone) ptp++; else if (r.likelyPersonalPhone) { pfp++; wrong.push(`phone ${c.label} [${c.prl}] as ${r.osName}`); } else if (t.phone) pfn++;
  }
  return { eol: scores(etp, efp, efn), phone: scores(ptp, pfp, pfn), wrong };
}
