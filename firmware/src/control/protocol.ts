// The control protocol between utmctl and utmd: one JSON object per line over a unix
// socket in the state dir. Requests are validated like any other outside input.
import { z } from 'zod';

export const RequestSchema = z.strictObject({
  id: z.int().min(0).max(2 ** 31),
  cmd: z.string().regex(/^[a-z][a-z.-]{0,40}$/),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type Request = z.output<typeof RequestSchema>;

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; code: string };

/** What utmd is working on, sent at once when a request arrives and then every
 *  PROGRESS_EVERY_MS until the answer: utmctl tells "busy" from "not answering" by it. */
export interface Progress {
  id: number;
  progress: { cmd: string; elapsedMs: number; running: Array<{ cmd: string; elapsedMs: number }> };
}

/** One line from utmd: an answer or a progress note. */
export type ServerLine = Response | Progress;

export const PROGRESS_EVERY_MS = 500;
/** utmctl's patience with silence: no line at all within this is "not answering". */
export const SILENCE_MS = 2000;

export const MAX_LINE = 1024 * 1024;
export const SOCKET_NAME = 'utmd.sock';

/** Thrown by a handler for a request the daemon understood but refuses (bad args etc.). */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(message: string, readonly code = 'bad_request') {
    super(message);
  }
}

/** Validates a command's arguments with `schema`; throws CommandError naming each bad field. */
export function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const r = schema.safeParse(args);
  if (!r.success) throw new CommandError(r.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; '));
  return r.data;
}
