// Login sessions, CSRF protection and login rate limiting for the web app, as Express
// middleware. Every unsafe request (POST, PUT, PATCH, DELETE) must carry the CSRF token of
// the visitor's session; state-changing routes additionally need requireLogin. With
// httpsOnly, no unsafe request is accepted over plain HTTP (the login included), and the
// session cookie is Secure, so a sniffed HTTP exchange never holds a password or a session.
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { SessionInfo } from '../model/model.js';
import { formatCookie, parseCookies } from './cookies.js';
import { DEFAULT_LIMITER, LoginLimiter } from './rateLimit.js';
import { SessionStore } from './store.js';
import { assertSecret, checkCsrf, csrfToken, newId, signToken, verifyToken } from './tokens.js';

export const SESSION_COOKIE = 'utm_session';
export const PRE_COOKIE = 'utm_pre';
/** Marks a browser that logged in before: its failures count against itself only. */
export const BROWSER_COOKIE = 'utm_browser';
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
  /** Refuse every unsafe request (login included) that did not come over TLS. */
  httpsOnly?: boolean;
  sessionTtlMs?: number;
  /** A session unused for this long ends (idle timeout); default 30 minutes. */
  idleMs?: number;
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

/** Whether the request came over TLS (the socket itself, never a header). */
export function overTls(req: Request): boolean {
  return 'encrypted' in req.socket && req.socket.encrypted === true;
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
  const store = new SessionStore(opts.maxSessions ?? 32, sessionTtl, opts.idleMs ?? 30 * 60_000);
  const limiter = opts.limiter ?? new LoginLimiter(DEFAULT_LIMITER);
  const browserTtl = 90 * 86_400_000;
  const cookie = (req: Request, name: string, value: string, maxAgeMs: number): string =>
    formatCookie(name, value, { maxAgeSeconds: maxAgeMs / 1000, httpOnly: true, secure: opts.secureCookies || overTls(req), sameSite: 'Strict' });
  /** A fresh pre-login id and its cookie: at login and logout, so no token outlives either. */
  const newPre = (req: Request, res: Response, now: number): string => {
    const id = newId();
    res.append('Set-Cookie', cookie(req, PRE_COOKIE, signToken(opts.secret, 'pre', id, now + preTtl), preTtl));
    return id;
  };

  /** The live login of this request's session cookie, or null. With httpsOnly a session
   *  is never recognised over plain HTTP. */
  const liveLogin = (req: Request, jar: Map<string, string>, now: number) => {
    if (opts.httpsOnly && !overTls(req)) return null;
    const token = verifyToken(opts.secret, 'session', jar.get(SESSION_COOKIE), now);
    return token ? store.get(token.id, now) : null;
  };

  /** Whether the request carries a live login (sets no cookie; for the read-only API). */
  const loggedIn = (req: Request): boolean => liveLogin(req, parseCookies(req.get('cookie')), opts.now()) !== null;

  /** Establishes res.locals.session; issues a pre-login cookie when the visitor has none. */
  const session: RequestHandler = (req, res, next) => {
    const now = opts.now();
    const jar = parseCookies(req.get('cookie'));
    const ip = clientIp(req);
    const login = liveLogin(req, jar, now);
    const preId = verifyToken(opts.secret, 'pre', jar.get(PRE_COOKIE), now)?.id ?? newPre(req, res, now);
    const info: SessionInfo = {
      sid: login?.id ?? null,
      user: login?.user ?? null,
      csrf: csrfToken(opts.secret, login?.id ?? preId),
      clientIp: ip,
    };
    res.locals['session'] = info;
    res.locals['preId'] = preId;
    res.locals['browser'] = verifyToken(opts.secret, 'browser', jar.get(BROWSER_COOKIE), now)?.id ?? null;
    next();
  };

  /** Refuses (403) unsafe requests over plain HTTP (httpsOnly), from other sites, or without
   *  this visitor's CSRF token. Once logged in, only the session's own token counts: the
   *  pre-login token dies at login. */
  const csrf: RequestHandler = (req, res, next) => {
    if (!UNSAFE.has(req.method)) return next();
    if (opts.httpsOnly && !overTls(req)) return refuse(req, res, 403);
    const info = sessionOf(res);
    const body: unknown = req.body;
    const given = (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined)
      ?? req.get(CSRF_HEADER);
    const preId: unknown = res.locals['preId'];
    const id = info.sid ?? (typeof preId === 'string' ? preId : null);
    if (crossSite(req) || id === null || !checkCsrf(opts.secret, id, given)) return refuse(req, res, 403);
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
    const browserId: unknown = res.locals['browser'];
    const browser = typeof browserId === 'string' ? browserId : null;
    const decision = limiter.check(ip, opts.now(), browser);
    if (!decision.allowed) return refuse(req, res, 429, decision.retryAfterMs);
    // Count the attempt before the (slow) check, so parallel guesses cannot all slip in.
    limiter.attempt(ip, opts.now(), browser);
    const ok = await opts.verifyPassword(parsed.data.password);
    const now = opts.now();
    if (!ok) {
      res.redirect(303, '/?login=failed#login');
      return;
    }
    limiter.succeed(ip, browser);
    const old = sessionOf(res).sid;
    if (old) store.remove(old);
    // A new id at every login, so a session id planted before login is worthless; a new
    // pre-login id too, so the CSRF token seen before login is rotated away.
    const s = store.add(newId(), 'admin', ip, now);
    res.append('Set-Cookie', cookie(req, SESSION_COOKIE, signToken(opts.secret, 'session', s.id, s.expiresAt), sessionTtl));
    newPre(req, res, now);
    res.append('Set-Cookie', cookie(req, BROWSER_COOKIE, signToken(opts.secret, 'browser', browser ?? newId(), now + browserTtl), browserTtl));
    res.redirect(303, '/');
  };

  /** POST /logout: ends the session, clears its cookie and rotates the pre-login id. */
  const logout = (req: Request, res: Response): void => {
    const sid = sessionOf(res).sid;
    if (sid) store.remove(sid);
    res.append('Set-Cookie', cookie(req, SESSION_COOKIE, '', 0));
    newPre(req, res, opts.now());
    res.redirect(303, '/');
  };

  return { session, csrf, requireLogin, login, logout, loggedIn, store, limiter };
}

export type Auth = ReturnType<typeof createAuth>;
