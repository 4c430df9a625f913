// Plain data the daemon hands the page and the page keeps per request: the provider's desk,
// the monitored conditions, the overall picture, who is logged in. No imports: the catalog
// (i18n/), the views and the web app all read these.

/** The provider's consultation desk, from the provisioning bundle. */
export interface Desk {
  name: string;
  phone: string;
  hours?: string | undefined;
}

/** One monitored condition (sensor ulogd, ruleset, upstream, feeds, ...). */
export interface Condition {
  id: string;
  ok: boolean;
  /** ms since epoch when it last changed. */
  since: number;
  detail?: string | undefined;
}

/** Overall picture for the page; `state` is decided by the daemon. */
export interface Overview {
  state: 'safe' | 'attention' | 'danger';
  conditions: Condition[];
  mode: 'bridge' | 'router';
  deviceId: string;
  startedAt: number;
  /** Set while messages have not reached the monitoring centre for longer than the threshold:
   *  the page shows a banner telling staff to call the desk. */
  upstreamSilent?: { since: number; waiting: number } | undefined;
}

/** Who is logged in, as known to a request (res.locals.session). */
export interface SessionInfo {
  /** Opaque id of the login session; null when not logged in. */
  sid: string | null;
  /** Who did it, for action records ("admin" for the device password). */
  user: string | null;
  /** CSRF token to put into every form (hidden field `_csrf`). */
  csrf: string;
  /** Client address as seen by the server, for action records. */
  clientIp: string;
}
