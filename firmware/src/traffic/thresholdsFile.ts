// Loads the detection thresholds (rules/thresholds.json, or the config's file).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseThresholds, ThresholdsError, type Thresholds } from '../detectors/thresholds.js';

/** Reads and validates the thresholds file; throws ThresholdsError (file or content). */
export function loadThresholds(o: { root: string; file?: string | undefined }): Thresholds {
  const path = o.file ?? join(o.root, 'rules', 'thresholds.json');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ThresholdsError(`cannot read thresholds ${path}`, { cause: e });
  }
  return parseThresholds(doc);
}
