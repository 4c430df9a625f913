// Tiny argv parser shared by utmd and utmctl: `--flag`, `--key value`, `--key=value`, positionals.
import { DurationError, parseDuration } from '../time/duration.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positional: string[];
}

/** Parses argv; `valued` names options that take a value. Throws UsageError. */
export function parseArgs(argv: readonly string[], valued: readonly string[], known: readonly string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--') || a === '--') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!valued.includes(name) && !known.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (valued.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, v);
    } else flags.set(name, true);
  }
  return { flags, positional };
}

export function str(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** A `--for` style duration (firmware/src/time/duration.ts rules) in ms; throws UsageError when bad. */
export function durationArg(text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    if (e instanceof DurationError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}
