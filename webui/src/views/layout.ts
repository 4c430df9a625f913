// The HTML document around every page: language, stylesheet, the refresh script and
// nothing inline (the Content-Security-Policy forbids inline script and style).
import { html, type Html } from '../html/html.js';
import type { Lang } from '../i18n/types.js';

export interface LayoutOptions {
  lang: Lang;
  title: string;
  /** Seconds between automatic reloads; omitted for pages that must not reload. */
  refreshSeconds?: number | undefined;
  /** Extra same-origin stylesheets and scripts (e.g. the report's print rules). */
  stylesheets?: readonly string[] | undefined;
  scripts?: readonly string[] | undefined;
}

/** Wraps `body` into a complete document. */
export function layout(opts: LayoutOptions, body: Html): Html {
  return html`<!doctype html>
<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<title>${opts.title}</title>
<link rel="stylesheet" href="/static/style.css">
${(opts.stylesheets ?? []).map((h) => html`<link rel="stylesheet" href="${h}">`)}
${(opts.scripts ?? []).map((h) => html`<script src="${h}" defer></script>`)}
${opts.refreshSeconds ? html`<script src="/static/refresh.js" defer></script>` : ''}
</head>
<body${opts.refreshSeconds ? html` data-refresh-seconds="${opts.refreshSeconds}"` : ''}>
${body}
</body>
</html>
`;
}
