// Which errors mean "this file system takes no more writes" (full, read-only, failing): the
// store, the state dir's files and the runtime dir's all meet them, and each answers the same
// way (app/storage.ts counts them; sys/writableDir.ts moves on to the next dir).
import { errnoCode } from './errorText.js';

// SQLITE_READONLY*: a database on a file system that turned read-only (a failing flash)
const STORAGE_CODES = /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY|SQLITE_CANTOPEN)/;
const FS_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);
/** Codes that say the file system turned read-only (a fault that does not mend itself, unlike a full disk). */
export const READ_ONLY_CODES = /\b(EROFS|SQLITE_READONLY\w*)\b/;

/** True for an error (or any error in its cause chain) that means "storage cannot take writes". */
export function isStorageError(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 6; x = x.cause, depth++) {
    const code = errnoCode(x);
    if (code !== undefined && (STORAGE_CODES.test(code) || FS_CODES.has(code))) return true;
  }
  return false;
}
