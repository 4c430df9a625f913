// Cookie header parsing and Set-Cookie formatting through the `cookie` package (the one
// Express itself uses), behind the two small functions the web UI calls.
import { parse, serialize } from 'cookie';

/** Parses a Cookie header into name → value; the first occurrence of a name wins; pairs
 *  without a name or a `=` are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const [name, value] of Object.entries(parse(header))) {
    if (name && value !== undefined) out.set(name, value);
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds?: number | undefined;
  httpOnly?: boolean | undefined;
  secure?: boolean | undefined;
  sameSite: 'Strict' | 'Lax';
}

/** Formats one Set-Cookie value with Path=/. Throws TypeError for a name or value that is
 *  not cookie-safe (the package checks both). */
export function formatCookie(name: string, value: string, opts: CookieOptions): string {
  return serialize(name, value, {
    path: '/',
    sameSite: opts.sameSite === 'Strict' ? 'strict' : 'lax',
    ...(opts.maxAgeSeconds === undefined ? {} : { maxAge: Math.max(0, Math.floor(opts.maxAgeSeconds)) }),
    httpOnly: opts.httpOnly ?? false,
    secure: opts.secure ?? false,
  });
}
