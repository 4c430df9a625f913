// Reads and validates the config file and the provisioning bundle. A bad file is refused
// with one line per problem naming the field and what was expected.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.js';
import { ProvisioningSchema, type Provisioning } from './provisioning.js';
import { errnoCode, errorMessage } from '../errors/errorText.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly file: string, readonly problems: string[], options?: { cause?: unknown }) {
    super(`${file}: ${problems.join('; ')}`, options);
  }
}

/** One readable line per zod issue: `interfaces.wan: expected …`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(top level)';
    if (i.code === 'unrecognized_keys') return `${path}: unknown key(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    return `${path}: ${i.message}`;
  });
}

/** Parses JSON text against a schema; throws ConfigError naming every bad field. */
export function parseWith<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON (${errorMessage(e)})`], { cause: e });
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new ConfigError(file, describeIssues(r.error));
  return r.data;
}

/** A config-sized file's text; throws ConfigError when it cannot be read or is over 4 MiB. */
export async function readText(file: string): Promise<string> {
  try {
    const buf = await readFile(file);
    if (buf.length > 4 * 1024 * 1024) throw new ConfigError(file, ['file larger than 4 MiB']);
    return buf.toString('utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(file, [`cannot read (${errnoCode(e) ?? 'error'})`], { cause: e });
  }
}

/** The config: defaults when `file` is undefined. Throws ConfigError. */
export async function loadConfig(file: string | undefined): Promise<Config> {
  if (!file) return ConfigSchema.parse({});
  return parseWith(ConfigSchema, await readText(file), file);
}

/** The provisioning bundle, or null when none is installed. Throws ConfigError. */
export async function loadProvisioning(file: string | undefined): Promise<Provisioning | null> {
  if (!file) return null;
  return parseWith(ProvisioningSchema, await readText(file), file);
}

/** Which schema a file is for, from its shape: bundles carry `deviceId`. */
export function looksLikeProvisioning(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && 'deviceId' in v;
  } catch {
    return false; // not JSON: parseWith reports that properly
  }
}
