// Response headers every answer carries: a strict Content-Security-Policy (no inline
// script or style, nothing from other origins), no framing, no sniffing, no referrer.
import type { RequestHandler } from 'express';
import { hostOfHostHeader } from '../../firmware/src/net/hostOrAddress.js';

/** Refuses (421) requests addressed to a host name we do not answer to (DNS rebinding).
 *  `allowed` may be a function, asked at every request, so the list follows the box's
 *  current addresses and names. */
export function hostGuard(allowed: readonly string[] | (() => readonly string[]) | undefined): RequestHandler {
  const fixed = allowed === undefined || typeof allowed === 'function' ? null : new Set(allowed.map((h) => h.toLowerCase()));
  return (req, res, next) => {
    const host = hostOfHostHeader(req.get('host'));
    const ok = typeof allowed === 'function'
      ? allowed().some((h) => h.toLowerCase() === host)
      : fixed === null || fixed.has(host);
    if (!ok) {
      res.status(421).type('text').send('Misdirected request\n');
      return;
    }
    next();
  };
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the security headers; HTML and API answers are never cached. */
export const securityHeaders: RequestHandler = (req, res, next) => {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own
    // form posts, which the cross-site check must refuse.
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  });
  // COOP only where it applies: Chromium ignores it on a plain-HTTP page of a LAN address (not a
  // trustworthy origin) and says so as a console error on every office PC (seen in the lab e2e).
  if (req.secure) res.set('Cross-Origin-Opener-Policy', 'same-origin');
  if (!req.path.startsWith('/static/')) res.set('Cache-Control', 'no-store');
  next();
};
