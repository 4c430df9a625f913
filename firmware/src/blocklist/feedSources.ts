// Reads the feed catalog layers and resolves what runs on this box:
//   shipped rules/feeds.json < provisioning `feeds` < config `feeds.extra` < technician file
//   (`<stateDir>/blocklist/technician.json`, managed with utmctl; the state dir is not part
//   of the image, so it survives upgrades).
// then the config's enable/disable lists and schedule/shrink overrides. `resolveFeeds` is pure.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Provisioning } from '../config/provisioning.js';
import { writeAtomic } from '../sys/files.js';
import { CatalogSchema, mergeCatalog, TechnicianOverridesSchema, type Feed, type MergedCatalog, type TechnicianOverrides } from '../config/feedCatalog.js';

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** Where the technician's feed additions and settings live. */
export function technicianFile(stateDir: string): string {
  return join(stateDir, 'blocklist', 'technician.json');
}

/** Reads and validates rules/feeds.json. Throws CatalogError. */
export async function readShippedCatalog(path: string): Promise<Feed[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new CatalogError(`cannot read ${path}`, { cause: e });
  }
  const r = CatalogSchema.safeParse(raw);
  if (!r.success) throw new CatalogError(`${path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data.feeds;
}

/** Reads the technician file; null when there is none. Throws CatalogError on a bad file. */
export async function readTechnician(stateDir: string): Promise<TechnicianOverrides | null> {
  let text: string;
  try {
    text = await readFile(technicianFile(stateDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CatalogError('cannot read the technician feed file', { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CatalogError('technician feed file is not JSON', { cause: e });
  }
  const r = TechnicianOverridesSchema.safeParse(raw);
  if (!r.success) throw new CatalogError(`technician feed file refused: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Replaces the technician file atomically. */
export async function writeTechnician(stateDir: string, t: TechnicianOverrides): Promise<void> {
  await writeAtomic(technicianFile(stateDir), `${JSON.stringify(t, null, 2)}\n`);
}

/** All layers merged, then config switches and overrides applied; pure. */
export function resolveFeeds(shipped: readonly Feed[], config: Config, provisioning: Provisioning | null, technician: TechnicianOverrides | null): MergedCatalog {
  const fc = config.feeds;
  const merged = mergeCatalog(fc.shipped ? shipped : [], [...(provisioning?.feeds ?? []), ...fc.extra], null);
  // the technician layer last, so its feeds and settings win over the config file
  const withTech = mergeCatalog(merged.feeds, technician?.feeds ?? [], technician);
  const sourceOf = new Map(merged.feeds.map((f) => [f.id, f.source]));
  const feeds = withTech.feeds.map((f) => {
    const enabledByConfig = fc.enable.includes(f.id) ? true : fc.disable.includes(f.id) ? false : undefined;
    const techSetting = technician?.settings[f.id]?.enabled;
    return {
      ...f,
      source: technician?.feeds.some((t) => t.id === f.id) ? ('technician' as const) : (sourceOf.get(f.id) ?? f.source),
      enabled: techSetting ?? enabledByConfig ?? f.enabled,
      refresh: technician?.settings[f.id]?.refresh ?? fc.refresh ?? f.refresh,
      maxShrinkRatio: technician?.settings[f.id]?.maxShrinkRatio ?? fc.maxShrinkRatio ?? f.maxShrinkRatio,
    };
  });
  return { feeds, warnings: [...merged.warnings, ...withTech.warnings] };
}

/** Every layer read and resolved (resolveFeeds): an unreadable shipped catalog or technician
 *  file is told to `onError` and left out, and the other layers still run. */
export async function loadFeeds(o: {
  catalogPath: string; stateDir: string; config: Config; provisioning: Provisioning | null; onError: (what: string, e: unknown) => void;
}): Promise<MergedCatalog> {
  let shipped: Feed[] = [];
  try {
    shipped = o.config.feeds.shipped ? await readShippedCatalog(o.catalogPath) : [];
  } catch (e) {
    o.onError('shipped feed catalog unreadable; provider and technician feeds still run', e);
  }
  let tech: TechnicianOverrides | null = null;
  try {
    tech = await readTechnician(o.stateDir);
  } catch (e) {
    o.onError('technician feed file ignored', e);
  }
  return resolveFeeds(shipped, o.config, o.provisioning, tech);
}
