// What the web UI needs from the daemon. The web app never imports daemon modules: the
// composition root (firmware) builds a WebDeps and hands it to createWebApp().
import type { Router } from 'express';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { AlertCatalog, Lang } from '../i18n/types.js';
import type { Html } from '../html/html.js';
import type { Desk, Overview, SessionInfo } from '../model/model.js';

export type { Condition, Desk, Overview, SessionInfo } from '../model/model.js';

export interface WebDeps {
  defaultLang: Lang;
  desk: Desk | null;
  now(): number;
  overview(): Overview;
  /** Most recent alerts; the page sorts newest first by lastSeen anyway. */
  recentAlerts(limit: number): Alert[];
  /** Body of GET /api/health (no login). */
  health(): Record<string, unknown>;
  auth: { verify(password: string): Promise<boolean> };
  /** At least 32 random bytes kept in the state dir. */
  sessionSecret: Buffer;
  /** Message catalog; default buildCatalog() from i18n/alerts. */
  catalog?: AlertCatalog | undefined;
  /** IANA zone used to print times on the page; default DEFAULT_TIME_ZONE (provisioning's default). */
  timeZone?: string | undefined;
  /** Where webui/static lives; default found next to this module. */
  staticDir?: string | undefined;
  /** Seconds between automatic page reloads (static script, no inline JS); default 30, minimum 5. */
  refreshSeconds?: number | undefined;
  /** Host names/addresses (without port) the page may be reached by, e.g. the LAN address.
   *  Other Host headers get 421, which defeats DNS rebinding. Default: any host. */
  allowedHosts?: readonly string[] | undefined;
  /** Add `Secure` to cookies (only when served over HTTPS); default false. */
  secureCookies?: boolean | undefined;
  /** Called with unexpected errors caught at the HTTP boundary; default console.error. */
  onError?: ((err: unknown) => void) | undefined;
}

/** What a page section or action route gets to know about the request. */
export interface PageContext {
  lang: Lang;
  session: SessionInfo;
  now: number;
  /** IANA zone the page prints times in (WebDeps.timeZone, from provisioning). */
  timeZone: string;
}

/** A block of HTML appended to the page (e.g. the device list). Must return escaped Html. */
export type PageSection = (ctx: PageContext) => Html;

/**
 * Adds state-changing routes. The router is mounted at /actions behind body-size limits,
 * the CSRF check and requireLogin, so every route on it is protected by construction.
 * Handlers read `res.locals.session` (SessionInfo) and `res.locals.lang`, and should answer
 * with a 303 redirect to "/" (post/redirect/get).
 */
export type ActionMount = (router: Router) => void;

export interface WebExtensions {
  sections?: PageSection[] | undefined;
  actions?: ActionMount[] | undefined;
}
