// A small stand-alone page for refusals and errors (401, 403, 429, ...), in the visitor's language.
import { html, type Html } from '../html/html.js';
import type { Lang } from '../i18n/types.js';
import { UI } from '../i18n/ui.js';
import { layout } from './layout.js';

/** Renders a short message with a link back to the main page. */
export function renderMessage(lang: Lang, message: string): Html {
  const ui = UI[lang];
  return layout({ lang, title: ui.htmlTitle }, html`<main class="page">
<section class="notice" role="alert"><p>${message}</p><p><a href="/">${ui.backToPage}</a></p></section>
</main>`);
}
