// `utmctl update status`: the A/B slots, their versions and boot state, the version floor and
// the last health results. Pure parsing and formatting here; update/statusReader.ts reads the
// box (RAUC, the ESP's loader entries, /etc/otasuke-release, the update folder).
import { z } from 'zod';
import { byCodeUnit } from '../collections/order.js';

/** One slot as `rauc status --detailed --output-format=json` describes it (fields we use). */
const RaucSlotSchema = z.object({
  bootname: z.string().nullish(),
  state: z.string().nullish(),
  boot_status: z.string().nullish(),
  slot_status: z.object({
    bundle: z.object({ version: z.string().nullish() }).partial().nullish(),
    installed: z.object({ timestamp: z.string().nullish(), count: z.number().nullish() }).partial().nullish(),
    activated: z.object({ timestamp: z.string().nullish() }).partial().nullish(),
    status: z.string().nullish(),
  }).partial().nullish(),
}).passthrough();

export const RaucStatusSchema = z.object({
  compatible: z.string().nullish(),
  booted: z.string().nullish(),
  boot_primary: z.string().nullish(),
  slots: z.array(z.record(z.string(), RaucSlotSchema)),
}).passthrough();
export type RaucStatus = z.infer<typeof RaucStatusSchema>;

export interface SlotView {
  bootname: string;
  booted: boolean;
  primary: boolean;
  /** good / bad as RAUC sees it through the boot entries. */
  bootStatus: string;
  /** From the boot entry's name: committed, on trial (tries left), abandoned (no tries left), none. */
  entry: 'committed' | 'trial' | 'abandoned' | 'none';
  triesLeft: number | null;
  triesDone: number | null;
  version: string | null;
  installedAt: string | null;
}

export interface UpdateStatus {
  running: { version: string | null; slot: string | null };
  versionFloor: string | null;
  slots: SlotView[];
  /** Last lines of the health log, newest last. */
  lastResults: string[];
  /** Why part of the picture is missing (RAUC not answering, ESP not mounted). */
  problems: string[];
}

/** Parses `KEY=VALUE` lines (/etc/otasuke-release); unknown or malformed lines are ignored. */
export function parseRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [, key, value] = /^([A-Z_]{1,32})=([\x20-\x7e]{0,128})$/.exec(line.trim()) ?? [];
    if (key !== undefined && value !== undefined) out[key] = value;
  }
  return out;
}

/** The state of a slot's systemd-boot entry from the entries folder listing. */
export function entryState(files: readonly string[], bootname: string): Pick<SlotView, 'entry' | 'triesLeft' | 'triesDone'> {
  const l = bootname.toLowerCase();
  for (const f of files) {
    if (f === `otasuke-${l}.conf`) return { entry: 'committed', triesLeft: null, triesDone: null };
    const m = new RegExp(`^otasuke-${l}\\+(\\d+)(?:-(\\d+))?\\.conf$`).exec(f);
    if (m) {
      const left = Number(m[1]);
      return { entry: left === 0 ? 'abandoned' : 'trial', triesLeft: left, triesDone: Number(m[2] ?? 0) };
    }
  }
  return { entry: 'none', triesLeft: null, triesDone: null };
}

/** Combines what was read into the status shown to the technician. */
export function buildUpdateStatus(input: {
  release: Record<string, string>;
  rauc: RaucStatus | null;
  entries: readonly string[];
  floor: string | null;
  healthLog: string;
  problems: string[];
}): UpdateStatus {
  const slots: SlotView[] = [];
  const primaryName = input.rauc?.boot_primary ?? null;
  for (const rec of input.rauc?.slots ?? []) {
    for (const [name, s] of Object.entries(rec)) {
      if (!name.startsWith('rootfs.') || !s.bootname) continue;
      slots.push({
        bootname: s.bootname,
        booted: s.state === 'booted',
        primary: name === primaryName,
        bootStatus: s.boot_status ?? 'unknown',
        ...entryState(input.entries, s.bootname),
        version: s.slot_status?.bundle?.version ?? null,
        installedAt: s.slot_status?.installed?.timestamp ?? null,
      });
    }
  }
  slots.sort((a, b) => byCodeUnit(a.bootname, b.bootname));
  return {
    running: { version: input.release.VERSION ?? null, slot: input.rauc?.booted ?? null },
    versionFloor: input.floor,
    slots,
    lastResults: input.healthLog.split('\n').filter((l) => l.trim() !== '').slice(-5),
    problems: input.problems,
  };
}

const ENTRY_TEXT: Record<SlotView['entry'], string> = {
  committed: 'committed (proved healthy)',
  trial: 'on trial',
  abandoned: 'ABANDONED (never became healthy; the box fell back)',
  none: 'no boot entry',
};

/** Plain text for the terminal. */
export function formatUpdateStatus(s: UpdateStatus): string {
  const lines = [`running: version ${s.running.version ?? '?'} from slot ${s.running.slot ?? '?'}`, `version floor: ${s.versionFloor ?? 'none yet'} (older bundles are refused)`, 'slots:'];
  for (const v of s.slots) {
    const tries = v.entry === 'trial' || v.entry === 'abandoned' ? ` (tries left ${v.triesLeft}, used ${v.triesDone})` : '';
    lines.push(`  ${v.bootname}${v.booted ? ' [booted]' : ''}${v.primary ? ' [next boot]' : ''}: version ${v.version ?? 'factory/unknown'}, ${ENTRY_TEXT[v.entry]}${tries}, boot ${v.bootStatus}${v.installedAt ? `, installed ${v.installedAt}` : ''}`);
  }
  lines.push('last results:', ...(s.lastResults.length ? s.lastResults.map((l) => `  ${l}`) : ['  (none yet)']));
  for (const p of s.problems) lines.push(`problem: ${p}`);
  return `${lines.join('\n')}\n`;
}
