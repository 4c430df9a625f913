// A refused config or provisioning bundle never takes the office down. Every file utmd
// accepts is copied to the state dir as its last-good copy (atomic, 0600). On a start with a
// refused file, utmd runs ENTIRELY on the last-good copy (ruleset, DHCP/DNS, upstream alike)
// and says so; with no last-good copy, on the zero-config defaults (still forwarding; no
// collector without a bundle) and says that. The refusal becomes a condition, so it is shown
// on the page, and a config_refused alert (page, upstream) names the refused fields.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../sys/files.js';
import type { Finding } from '../alerts/types.js';
import { ConfigError, parseWith, readText } from './load.js';
import { ConfigSchema, type Config } from './schema.js';
import { ProvisioningSchema, type Provisioning } from './provisioning.js';
import { errnoCode } from '../errors/errorText.js';

export const LAST_GOOD_CONFIG = 'config.last-good.json';
export const LAST_GOOD_PROVISIONING = 'provisioning.last-good.json';

export type FileKind = 'config' | 'provisioning';
/** What utmd runs on after a refusal. */
export type Fallback = 'last_good' | 'defaults';

/** A refused file: which, why, and what utmd runs on instead. */
export interface Refusal {
  kind: FileKind;
  file: string;
  problems: string[];
  using: Fallback;
}

export interface Loaded<T> {
  value: T;
  refusal: Refusal | null;
}

/** Condition id of a refusal: `refused:config:last_good` (the page's technician table shows it). */
export function refusalConditionId(r: Pick<Refusal, 'kind' | 'using'>): string {
  return `refused:${r.kind}:${r.using}`;
}

/** The alert for a refusal: shown on the page and sent upstream with the refused fields. */
export function refusalFinding(r: Refusal, at: number): Finding {
  return {
    kind: 'config_refused', severity: 'warning', dedupKey: refusalConditionId(r), at, action: 'none',
    params: { file: r.kind, using: r.using, fields: refusedFields(r.problems) },
    evidence: { file: r.file, problems: r.problems.slice(0, 50), using: r.using },
  };
}

/** The refused fields in short (`upstrem, ui.port`), for a sentence: unknown keys by name,
 *  other problems by their path, a file-level problem (not JSON, unreadable) by what it is. */
export function refusedFields(problems: readonly string[]): string {
  const out: string[] = [];
  for (const p of problems) {
    const i = p.indexOf(': ');
    const path = i < 0 ? '' : p.slice(0, i);
    const msg = i < 0 ? p : p.slice(i + 2);
    const unknown = /^unknown key\(s\) (.*)$/.exec(msg)?.[1];
    if (unknown !== undefined) {
      for (const k of unknown.split(', ')) out.push(path === '(top level)' ? k.replace(/^"|"$/g, '') : `${path}.${k.replace(/^"|"$/g, '')}`);
    } else out.push(path === '(top level)' || !path ? msg.replace(/ \(.*$/, '') : path);
  }
  return [...new Set(out)].join(', ');
}

/** One line for the technician and the monitoring centre: the file, its problems, what runs now. */
export function describeRefusal(r: Refusal): string {
  const now = r.using === 'last_good'
    ? `running on the last accepted ${r.kind}`
    : r.kind === 'config' ? 'no accepted config before: running on the defaults (still forwarding)' : 'no accepted bundle before: running unprovisioned (nothing goes upstream)';
  return `${r.file} refused [${refusedFields(r.problems)}] (${r.problems.slice(0, 5).join('; ')}${r.problems.length > 5 ? `; ${r.problems.length - 5} more` : ''}); ${now}`.slice(0, 600);
}

async function keepLastGood(stateDir: string, name: string, text: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeAtomic(join(stateDir, name), text, 0o600);
}

async function fromLastGood<T>(stateDir: string, name: string, parse: (text: string, file: string) => T): Promise<T | null> {
  const path = join(stateDir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return null;
    throw new ConfigError(path, [`cannot read (${errnoCode(e) ?? 'error'})`], { cause: e });
  }
  return parse(text, path);
}

/**
 * Loads one file with the fallback above. `file` undefined: nothing configured (defaults, no
 * refusal). Never throws for a bad file; `onProblem` hears about a last-good copy that could
 * not be written or read (utmd still runs).
 */
async function loadKind<T>(o: {
  kind: FileKind; file: string | undefined; stateDir: string; name: string;
  parse: (text: string, file: string) => T; defaults: () => T;
  onProblem: (what: string, e: unknown) => void;
}): Promise<Loaded<T>> {
  if (o.file === undefined) return { value: o.defaults(), refusal: null };
  const file = o.file;
  try {
    const text = await readText(file);
    const value = o.parse(text, file);
    // the very bytes that were accepted, so the copy never differs from what runs
    await keepLastGood(o.stateDir, o.name, text).catch((e: unknown) => o.onProblem(`last-good copy of ${file}`, e));
    return { value, refusal: null };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    let lastGood: T | null = null;
    try {
      lastGood = await fromLastGood(o.stateDir, o.name, o.parse);
    } catch (e2) {
      o.onProblem(`last-good ${o.kind}`, e2); // an unreadable or outdated copy: the defaults then
    }
    const using: Fallback = lastGood === null ? 'defaults' : 'last_good';
    return { value: lastGood ?? o.defaults(), refusal: { kind: o.kind, file: e.file, problems: e.problems, using } };
  }
}

/** The config, falling back to its last-good copy, then to the defaults. */
export function loadConfigWithFallback(file: string | undefined, stateDir: string, onProblem: (what: string, e: unknown) => void): Promise<Loaded<Config>> {
  return loadKind({
    kind: 'config', file, stateDir, name: LAST_GOOD_CONFIG, onProblem,
    parse: (text, f) => parseWith(ConfigSchema, text, f), defaults: () => ConfigSchema.parse({}),
  });
}

/** The provisioning bundle, falling back to its last-good copy, then to none (unprovisioned). */
export function loadProvisioningWithFallback(file: string | undefined, stateDir: string, onProblem: (what: string, e: unknown) => void): Promise<Loaded<Provisioning | null>> {
  return loadKind<Provisioning | null>({
    kind: 'provisioning', file, stateDir, name: LAST_GOOD_PROVISIONING, onProblem,
    parse: (text, f) => parseWith(ProvisioningSchema, text, f), defaults: () => null,
  });
}
