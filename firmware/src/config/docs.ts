// Pure: a Markdown reference of a zod schema (field path, type, default, description), so
// the config and provisioning reference in firmware/CONFIG.md is generated, never stale.
import type { z } from 'zod';

interface Row {
  path: string;
  type: string;
  def: string;
  desc: string;
}

type AnyDef = { type: string; innerType?: unknown; shape?: Record<string, unknown>; element?: unknown; entries?: Record<string, string>; values?: unknown[]; defaultValue?: unknown; in?: unknown; out?: unknown };
const defOf = (s: unknown): AnyDef | undefined => (s as { _zod?: { def?: AnyDef } })?._zod?.def;
const descOf = (s: unknown): string | undefined => (s as { description?: string }).description;

function typeName(s: unknown): string {
  const d = defOf(s);
  if (!d) return '?';
  switch (d.type) {
    case 'default': case 'optional': case 'nullable': case 'readonly':
      return typeName(d.innerType);
    case 'pipe':
      return typeName(d.in);
    case 'array':
      return `${typeName(d.element)}[]`;
    case 'enum':
      return Object.values(d.entries ?? {}).map((v) => `"${v}"`).join(' \\| ');
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' \\| ');
    case 'object':
      return 'object';
    case 'number': case 'int':
      return 'number';
    default:
      return d.type;
  }
}

function walk(s: unknown, path: string, rows: Row[], desc?: string, def?: string): void {
  let x = s;
  let defaultValue = def;
  let description = desc ?? descOf(s);
  let optional = false;
  for (let d = defOf(x); d && ['default', 'optional', 'nullable', 'readonly'].includes(d.type); d = defOf(x)) {
    if (d.type === 'default') defaultValue = JSON.stringify(d.defaultValue);
    if (d.type === 'optional') optional = true;
    x = d.innerType;
    description = description ?? descOf(x);
  }
  const d = defOf(x);
  if (path) rows.push({ path, type: typeName(x), def: defaultValue ?? (optional ? '(none)' : 'required'), desc: description ?? '' });
  if (d?.type === 'object') {
    for (const [k, v] of Object.entries(d.shape ?? {})) {
      if (k.startsWith('$')) continue;
      walk(v, path ? `${path}.${k}` : k, rows);
    }
  }
}

/** Markdown table of every field of `schema`. */
export function schemaReference(schema: z.ZodType): string {
  const rows: Row[] = [];
  walk(schema, '', rows);
  const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| field | type | default | meaning |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.path}\` | ${r.type} | ${r.def === 'required' ? '**required**' : `\`${esc(r.def)}\``} | ${esc(r.desc)} |`),
  ].join('\n');
}
