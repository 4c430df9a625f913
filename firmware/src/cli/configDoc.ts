// Prints firmware/CONFIG.md (the config and provisioning reference) or, with `--schema config`
// or `--schema provisioning`, the published JSON Schema (firmware/config.schema.json,
// firmware/provisioning.schema.json), all generated from the zod schemas. `make docs` writes
// them; a unit test fails when any is stale.
import { ConfigSchema } from '../config/schema.js';
import { ProvisioningSchema } from '../config/provisioning.js';
import { jsonSchemaOf, schemaReference } from '../config/docs.js';

/** The published JSON Schemas, by name (the file is firmware/<name>.schema.json). */
export const JSON_SCHEMAS = { config: ConfigSchema, provisioning: ProvisioningSchema } as const;

/** The text of firmware/<name>.schema.json. */
export function jsonSchemaDoc(name: keyof typeof JSON_SCHEMAS): string {
  return `${JSON.stringify(jsonSchemaOf(JSON_SCHEMAS[name]), null, 2)}\n`;
}

/** The whole reference document. */
export function configDoc(): string {
  return `# Configuration reference

Generated from the schemas in \`firmware/src/config/\` by \`make docs\`; do not edit by hand.
Unknown keys are refused, and a bad file is refused with one line per problem naming the
field. Check a file without starting anything: \`utmd --check-config FILE\` or
\`utmd --check-provisioning FILE\`. Editors and the provider's tools can check them with the
JSON Schemas \`firmware/config.schema.json\` and \`firmware/provisioning.schema.json\` (set
\`"$schema"\` in the file to point at one).

## Local config (\`/etc/otasuke-utm/config.json\`, optional)

utmd runs with no config at all: every field has a default.

${schemaReference(ConfigSchema)}

## Provisioning bundle (\`/etc/otasuke-utm/provisioning.json\`, from the provider)

Make the admin hash with \`echo -n 'the password' | utmctl hash-password\`.

${schemaReference(ProvisioningSchema)}
`;
}

if (process.argv[1]?.endsWith('configDoc.ts') || process.argv[1]?.endsWith('configDoc.js')) {
  const which = process.argv[2] === '--schema' ? process.argv[3] : undefined;
  if (which === undefined) process.stdout.write(configDoc());
  else if (which === 'config' || which === 'provisioning') process.stdout.write(jsonSchemaDoc(which));
  else {
    process.stderr.write('usage: configDoc [--schema config|provisioning]\n');
    process.exitCode = 64;
  }
}
