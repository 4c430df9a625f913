// What the web UI needs from the daemon. The web app never imports daemon modules: the
// composition root (firmware) builds a WebDeps and hands it to createWebApp().
import type { Router } from 'express';
import type { Alert } from '../../../firmware/src/alerts/types.js';
import type { DevicesView } from '../../../firmware/src/devices/view.js';
import type { IncidentsView } from '../../../firmware/src/traffic/view.js';
import type { DailyStats } from '../../../firmware/src/upstream/dailyStats.js';
import type { Ack } from '../office/model.js';
import type { MonthlyReportFacts } from '../report/facts.js';
import type { AlertCatalog, Lang } from '../i18n/types.js';
import type { Html } from '../html/html.js';
import type { Desk, Overview, SessionInfo } from '../model/model.js';

export type { Condition, Desk, Overview, SessionInfo } from '../model/model.js';

/** What the office page and the monthly report read and write besides alerts (issue 12):
 *  staff 対応済み marks, the kept daily statistics (the same records sent upstream), and the
 *  month's facts. Built by the daemon (firmware/src/app/officePort.ts). */
export interface OfficePort {
  /** Marks made at or after `since` (ms). */
  acks(since: number): Ack[];
  /** Stores a mark; false when the alert or incident does not exist. */
  acknowledge(a: Ack): boolean;
  /** Kept daily statistics from `fromDay` to `toDay` (YYYY-MM-DD, inclusive). */
  dailyStats(fromDay: string, toDay: string): DailyStats[];
  /** The box's calendar day key of `ms`. */
  dayOf(ms: number): string;
  /** The facts of the monthly report of `month` (YYYY-MM); null when the box knows nothing of it. */
  report(month: string): MonthlyReportFacts | null;
}

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
  /** Seconds between in-place page updates (static/refresh.js fetches and patches; pausable); default 30, minimum 5. */
  refreshSeconds?: number | undefined;
  /** Host names/addresses (without port) the page may be reached by, e.g. the LAN address.
   *  Other Host headers get 421, which defeats DNS rebinding. A function is asked at every
   *  request (the box's addresses and DHCP name change). Default: any host. */
  allowedHosts?: readonly string[] | (() => readonly string[]) | undefined;
  /** Add `Secure` to cookies (only when served over HTTPS); default false. */
  secureCookies?: boolean | undefined;
  /** Marks, statistics and reports (the office page's week, 対応済み, /report/YYYY-MM); optional. */
  office?: OfficePort | undefined;
  /** The secure page: when set, login and every unsafe request need HTTPS, the plain HTTP
   *  page is read-only and links to https://<host>:<httpsPort>/, and the fingerprint is shown. */
  secure?: SecurePage | undefined;
  /** Facts for the technician view (/tech, after login). */
  technician?: (() => TechnicianFacts) | undefined;
  /** The diagnostics archive (tar.gz) for /tech/diagnostics (after login). */
  diagnostics?: (() => Promise<Buffer>) | undefined;
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
  /** Technician sections appended at the end of the page. */
  sections?: PageSection[] | undefined;
  /** The device inventory: its questions and list are part of the office page. */
  devices?: DevicesView | undefined;
  /** The incidents: part of the office page's "what to do now". */
  incidents?: IncidentsView | undefined;
  actions?: ActionMount[] | undefined;
}

/** Where the secure page is and how to recognise it. */
export interface SecurePage {
  httpsPort: number;
  /** SHA-256 of the certificate, colon-separated hex (as browsers show it). */
  fingerprint256: string;
}

/** One row of the technician view: a technical label, a value, and whether it is fine. */
export interface TechRow {
  label: string;
  value: string;
  ok?: boolean | undefined;
}

/** Facts for the technician view, by section; rows are plain text (escaped by the view). */
export interface TechnicianFacts {
  system: TechRow[];
  certificate: TechRow[];
  ports: TechRow[];
  ruleset: TechRow[];
  feeds: TechRow[];
  sensors: TechRow[];
  upstream: TechRow[];
}
