// The note image/firstboot/otasuke-firstboot leaves when it refused a provisioning bundle
// (state dir `provisioning.refused`: origin line, then the validator's reasons). utmd turns it
// into the `provisioning` condition, so the page and the collector see the exact reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors/errorText.js';

export const REFUSED_NOTE = 'provisioning.refused';

/** One-line, length-limited, printable text of the note; null when there is none. */
export function readRefusedNote(stateDir: string): string | null {
  let text: string;
  try {
    text = readFileSync(join(stateDir, REFUSED_NOTE), 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return null;
    return `(note unreadable: ${errnoCode(e) ?? 'error'})`;
  }
  return refusedNoteText(text);
}

/** Pure: the note's lines joined with "; ", control characters dropped, at most 400 characters. */
export function refusedNoteText(text: string): string {
  return text.split('\n').map((l) => l.replace(/[\x00-\x1f\x7f]/g, '').trim()).filter(Boolean).join('; ').slice(0, 400);
}
