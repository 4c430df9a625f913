// Pure: the published JSON Schema of a config file (zod's public z.toJSONSchema) and a
// Markdown reference read from that JSON Schema (field path, type, default, description), so
// firmware/CONFIG.md and firmware/*.schema.json are generated, never stale, and agree.
import { z } from 'zod';

type JsonSchema = z.core.JSONSchema.JSONSchema;
type Node = z.core.JSONSchema._JSONSchema;

/** The JSON Schema (draft 2020-12) of what a file may contain: fields with defaults are optional. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'input',
    // zod leaves out the default of a field whose type transforms (a DnsDomain, a HostLabel)
    // when it describes the input side; the default is still what an absent field means.
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema instanceof z.ZodDefault && jsonSchema.default === undefined) jsonSchema.default = zodSchema.def.defaultValue;
    },
  });
}

interface Row {
  path: string;
  type: string;
  def: string;
  desc: string;
}

function typeName(n: Node | undefined): string {
  if (n === undefined || typeof n === 'boolean') return 'any';
  if (n.anyOf) return n.anyOf.map(typeName).join(' \\| ');
  if (n.enum) return n.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (n.type === 'array') return `${typeName(Array.isArray(n.items) ? n.items[0] : n.items)}[]`;
  if (n.type === 'integer') return 'number';
  if (n.type === 'object' && !n.properties && n.additionalProperties) return `record<string, ${typeName(n.additionalProperties)}>`;
  return typeof n.type === 'string' ? n.type : 'any';
}

const propsOf = (n: JsonSchema): Array<[string, JsonSchema]> =>
  Object.entries(n.properties ?? {}).filter((e): e is [string, JsonSchema] => !e[0].startsWith('$') && typeof e[1] !== 'boolean');

function rows(n: JsonSchema, prefix: string, out: Row[], nested: boolean): Row[] {
  for (const [k, v] of propsOf(n)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const def = v.default !== undefined ? JSON.stringify(v.default) : (n.required ?? []).includes(k) ? 'required' : '(none)';
    out.push({ path, type: typeName(v), def, desc: v.description ?? '' });
    if (nested && v.type === 'object') rows(v, path, out, true);
  }
  return out;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(list: readonly Row[]): string {
  return [
    '| field | type | default | meaning |',
    '|---|---|---|---|',
    ...list.map((r) => `| \`${r.path}\` | ${r.type} | ${r.def === 'required' ? '**required**' : `\`${esc(r.def)}\``} | ${esc(r.desc)} |`),
  ].join('\n');
}

/** Markdown reference of `schema`: one table of the top-level fields, then one table per
 *  section (each top-level object), with dotted paths. */
export function schemaReference(schema: z.ZodType): string {
  const js = jsonSchemaOf(schema);
  const top = rows(js, '', [], false).map((r) => {
    const v = js.properties?.[r.path];
    return typeof v !== 'boolean' && v?.type === 'object' && v.properties ? { ...r, def: r.def === 'required' ? r.def : '(see below)' } : r;
  });
  const sections = propsOf(js)
    .filter(([, v]) => v.type === 'object' && v.properties)
    .map(([k, v]) => `### \`${k}\`${v.description ? `: ${esc(v.description)}` : ''}\n\n${table(rows(v, k, [], true))}`);
  return [table(top), ...sections].join('\n\n');
}
