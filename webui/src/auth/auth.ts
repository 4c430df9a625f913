// Login sessions, CSRF protection and login rate limiting for the web app, as Express
// middleware. Every unsafe request (POST, PUT, PATCH, DELETE) must carry the CSRF token of
// the visitor's session; state-changing routes additionally need requireLogin.
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { SessionInfo } from '../model/model.js';
import { formatCookie, parseCookies } from './cookies.js';
import { LoginLimiter } from './rateLimit.js';
import { SessionStore } from './store.js';
import { assertSecret, checkCsrf, csrfToken, newId, signToken, verifyToken } from './tokens.js';

export const SESSION_COOKIE = 'utm_session';
export const PRE_COOKIE = 'utm_pre';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const LoginBodySchema = z.strictObject({
  _csrf: z.string().max(200).describe('CSRF token from the login form'),
  password: z.string().min(1).max(1024).describe('the device password from provisioning or generated at first start'),
});
export type LoginBody = z.infer<typeof LoginBodySchema>;

export interface AuthOptions {
  secret: Buffer;
  now(): number;
  verifyPassword(password: string): Promise<boolean>;
  secureCookies: boolean;
  sessionTtlMs?: number;
  preTtlMs?: number;
  maxSessions?: number;
  limiter?: LoginLimiter;
}

/** What a handler gets to render or refuse a request. */
export type Refusal = (req: Request, res: Response, status: 401 | 403 | 429 | 400, retryAfterMs?: number) => void;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Reads the session info put on the response by `session`; throws if it is missing. */
export function sessionOf(res: Response): SessionInfo {
  const s = res.locals['session'] as SessionInfo | undefined;
  if (!s) throw new Error('session middleware did not run before this handler');
  return s;
}

/** The client address as the socket sees it (no proxy is trusted). */
export function clientIp(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** Whether the browser says this request came from another site (Origin / Fetch metadata). */
function crossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true; // "null" or garbage: treat as foreign
  }
}

/** Builds the session/CSRF/login middleware. Throws WeakSecretError for a short secret. */
export function createAuth(opts: AuthOptions, refuse: Refusal) {
  assertSecret(opts.secret);
  const sessionTtl = opts.sessionTtlMs ?? 8 * 3600_000;
  const preTtl = opts.preTtlMs ?? 12 * 3600_000;
  const store = new SessionStore(opts.maxSessions ?? 32, sessionTtl);
  const limiter = opts.limiter ?? new LoginLimiter({ perClient: 5, global: 50, windowMs: 15 * 60_000, maxClients: 1024 });
  const cookie = (name: string, value: string, maxAgeMs: number): string =>
    formatCookie(name, value, { maxAgeSeconds: maxAgeMs / 1000, httpOnly: true, secure: opts.secureCookies, sameSite: 'Strict' });

  /** Establishes res.locals.session; issues a pre-login cookie when the visitor has none. */
  const session: RequestHandler = (req, res, next) => {
    const now = opts.now();
    const jar = parseCookies(req.get('cookie'));
    const ip = clientIp(req);
    const token = verifyToken(opts.secret, 'session', jar.get(SESSION_COOKIE), now);
    const login = token ? store.get(token.id, now) : null;
    let pre = verifyToken(opts.secret, 'pre', jar.get(PRE_COOKIE), now);
    if (!pre) {
      pre = { id: newId(), exp: now + preTtl };
      res.append('Set-Cookie', cookie(PRE_COOKIE, signToken(opts.secret, 'pre', pre.id, pre.exp), preTtl));
    }
    const info: SessionInfo = {
      sid: login?.id ?? null,
      user: login?.user ?? null,
      csrf: csrfToken(opts.secret, login?.id ?? pre.id),
      clientIp: ip,
    };
    res.locals['session'] = info;
    res.locals['preId'] = pre.id;
    next();
  };

  /** Refuses (403) unsafe requests from other sites or without this visitor's CSRF token. */
  const csrf: RequestHandler = (req, res, next) => {
    if (!UNSAFE.has(req.method)) return next();
    const info = sessionOf(res);
    const body: unknown = req.body;
    const given = (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined)
      ?? req.get(CSRF_HEADER);
    const ids = [info.sid, res.locals['preId'] as string | undefined].filter((x): x is string => !!x);
    if (crossSite(req) || !ids.some((id) => checkCsrf(opts.secret, id, given))) return refuse(req, res, 403);
    next();
  };

  /** Refuses (401) requests without a live login session. */
  const requireLogin: RequestHandler = (req, res, next) => {
    if (!sessionOf(res).sid) return refuse(req, res, 401);
    next();
  };

  /** POST /login: checks the rate limit and the password, then starts a fresh session. */
  const login = async (req: Request, res: Response): Promise<void> => {
    const parsed = LoginBodySchema.safeParse(req.body);
    if (!parsed.success) return refuse(req, res, 400);
    const ip = clientIp(req);
    const decision = limiter.check(ip, opts.now());
    if (!decision.allowed) return refuse(req, res, 429, decision.retryAfterMs);
    // Count the attempt before the (slow) check, so parallel guesses cannot all slip in.
    limiter.attempt(ip, opts.now());
    const ok = await opts.verifyPassword(parsed.data.password);
    const now = opts.now();
    if (!ok) {
      res.redirect(303, '/?login=failed#login');
      return;
    }
    limiter.succeed(ip);
    const old = sessionOf(res).sid;
    if (old) store.remove(old);
    // A new id at every login, so a session id planted before login is worthless.
    const s = store.add(newId(), 'admin', ip, now);
    res.append('Set-Cookie', cookie(SESSION_COOKIE, signToken(opts.secret, 'session', s.id, s.expiresAt), sessionTtl));
    res.redirect(303, '/');
  };

  /** POST /logout: ends the session and clears its cookie. */
  const logout = (_req: Request, res: Response): void => {
    const sid = sessionOf(res).sid;
    if (sid) store.remove(sid);
    res.append('Set-Cookie', cookie(SESSION_COOKIE, '', 0));
    res.redirect(303, '/');
  };

  return { session, csrf, requireLogin, login, logout, store, limiter };
}

export type Auth = ReturnType<typeof createAuth>;
