// Prints firmware/CONFIG.md: the config and provisioning reference, generated from the
// zod schemas. `make docs` writes it; a unit test fails when it is stale.
import { ConfigSchema } from '../config/schema.js';
import { ProvisioningSchema } from '../config/provisioning.js';
import { schemaReference } from '../config/docs.js';

/** The whole reference document. */
export function configDoc(): string {
  return `# Configuration reference

Generated from the schemas in \`firmware/src/config/\` by \`make docs\`; do not edit by hand.
Unknown keys are refused, and a bad file is refused with one line per problem naming the
field. Check a file without starting anything: \`utmd --check-config FILE\` or
\`utmd --check-provisioning FILE\`.

## Local config (\`/etc/otasuke-utm/config.json\`, optional)

utmd runs with no config at all: every field has a default.

${schemaReference(ConfigSchema)}

## Provisioning bundle (\`/etc/otasuke-utm/provisioning.json\`, from the provider)

Make the admin hash with \`echo -n 'the password' | utmctl hash-password\`.

${schemaReference(ProvisioningSchema)}
`;
}

if (process.argv[1]?.endsWith('configDoc.ts') || process.argv[1]?.endsWith('configDoc.js')) process.stdout.write(configDoc());
