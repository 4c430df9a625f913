// What a caught value says about itself, for log lines and conditions. `catch (e)` gives
// `unknown`: these read it with a check instead of `(e as Error).message` casts.

/** The message of an Error (or of anything with a string `message`); otherwise String(e). */
export function errorMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string') return e.message;
  return String(e);
}

/** The errno-style `code` of a system error (`ENOENT`, `EACCES`, …); undefined when there is none. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}
