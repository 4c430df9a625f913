// Adapter: reads rules/fingerprints.json from disk and compiles it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../sys/paths.js';
import { compileFingerprints, FingerprintTableError, type FingerprintTable } from './fingerprints.js';

/** Reads and compiles the fingerprint table (by default the package's, from source, dist or the
 *  bundle alike). Throws FingerprintTableError (cause: fs or JSON error). */
export function loadFingerprints(path: string = join(packageRoot(), 'rules', 'fingerprints.json')): FingerprintTable {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FingerprintTableError(`cannot read ${path}`, { cause: err });
  }
  return compileFingerprints(json);
}
