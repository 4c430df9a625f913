// The argv reader shared by utmd and utmctl: Node's util.parseArgs does the lexing (`--flag`,
// `--key value`, `--key=value`, positionals); this file keeps utmd's and utmctl's rules on top
// of its tokens: unknown long options are a UsageError, single-dash words and `--` stay
// positionals (options after `--` still count), a flag given `=value` is simply set.
import { parseArgs as parseTokens } from 'node:util';
import { DurationError, parseDuration } from '../time/duration.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positional: string[];
}

/** Parses argv; `valued` names options that take a value, `known` the flags. Throws UsageError. */
export function parseArgs(argv: readonly string[], valued: readonly string[], known: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { flags: new Map(), positional: [] };
  readInto(argv, valued, known, out);
  return out;
}

function readInto(argv: readonly string[], valued: readonly string[], known: readonly string[], out: ParsedArgs): void {
  const options = Object.fromEntries(valued.map((name) => [name, { type: 'string' as const }]));
  const { tokens } = parseTokens({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  let lastIndex = -1;
  for (const tok of tokens) {
    if (tok.kind === 'positional') out.positional.push(tok.value);
    else if (tok.kind === 'option-terminator') {
      // `--` is a word like any other here, and what follows is read the same way
      out.positional.push('--');
      readInto(argv.slice(tok.index + 1), valued, known, out);
      return;
    } else if (!tok.rawName.startsWith('--')) {
      // `-x`, `-5`, `-abc` (one token per letter, same index): the word itself, once
      if (tok.index !== lastIndex) out.positional.push(argv[tok.index] ?? tok.rawName);
    } else if (valued.includes(tok.name)) {
      if (tok.value === undefined) throw new UsageError(`--${tok.name} needs a value`);
      out.flags.set(tok.name, tok.value);
    } else if (known.includes(tok.name)) out.flags.set(tok.name, true);
    else throw new UsageError(`unknown option --${tok.name.split('=')[0] ?? ''}`);
    lastIndex = tok.index;
  }
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
