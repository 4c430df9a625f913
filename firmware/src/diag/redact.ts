// Secrets out of a diagnostics archive: the provisioning bundle's admin hash, generated
// passwords, session secrets, keys and tokens. Pure: the collector runs every file through
// these before it is written.

const SECRET_KEY = /pass(word)?|hash|secret|token|key|cookie|session|credential|private/i;
const REMOVED = '[removed]';

/** A deep copy of a JSON value with the value of every secret-looking key replaced. */
export function redactJson(v: unknown, depth = 0): unknown {
  if (depth > 32) return REMOVED;
  if (Array.isArray(v)) return v.map((x) => redactJson(x, depth + 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? REMOVED : redactJson(x, depth + 1);
    return out;
  }
  return v;
}

/** Text with secret-looking material removed: scrypt hashes, PEM private keys, `password: x` pairs. */
export function redactText(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, `-----${REMOVED} PRIVATE KEY-----`)
    .replace(/scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+/g, `scrypt$${REMOVED}`)
    .replace(/\b(pass(?:word)?|secret|token|api[_-]?key|cookie)(\s*[:=]\s*)("[^"]*"|\S+)/gi, `$1$2${REMOVED}`);
}
