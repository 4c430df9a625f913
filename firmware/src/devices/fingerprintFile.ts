// Adapter: reads rules/fingerprints.json from disk and compiles it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileFingerprints, FingerprintTableError, type FingerprintTable } from './fingerprints.js';

/** Default location of the table in the source tree / image. */
export const DEFAULT_FINGERPRINTS_PATH = fileURLToPath(new URL('../../../rules/fingerprints.json', import.meta.url));

/** Reads and compiles the fingerprint table. Throws FingerprintTableError (cause: fs or JSON error). */
export function loadFingerprints(path: string = DEFAULT_FINGERPRINTS_PATH): FingerprintTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FingerprintTableError(`cannot read ${path}`, { cause: err });
  }
  return compileFingerprints(json);
}
