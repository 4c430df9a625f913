// The web UI's public surface for the daemon (composition root), utmctl and upstream.
export { createWebApp } from './app.js';
export { featureExtensions, type FeatureViews } from './features.js';
export { startWebServer, type WebServer } from './server.js';
export { explainAlert, whomToCall, cleanParam, type ExplainedAlert } from './i18n/explain.js';
export { buildCatalog, CatalogConflictError } from './i18n/alerts/index.js';
export { staffText } from './i18n/staffText.js';
export { html, raw, escapeHtml, Html } from './html/html.js';
export { sessionOf, CSRF_FIELD, CSRF_HEADER } from './auth/auth.js';
export { WeakSecretError } from './auth/tokens.js';
export type {
  ActionMount, Condition, Desk, Overview, PageContext, PageSection, SessionInfo, WebDeps, WebExtensions,
} from './deps/deps.js';
export type { AlertCatalog, AlertTemplate, AlertText, Lang } from './i18n/types.js';
