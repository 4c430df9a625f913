// The login block of the plain HTTP page: no form (a password must never cross the LAN in
// clear), a link to the secure page and the certificate fingerprint to compare. Pure.
import { html, type Html } from '../html/html.js';
import { LOGIN } from '../i18n/login.js';
import type { Lang } from '../i18n/types.js';

/** The block that replaces the login form on the plain HTTP page. */
export function secureLoginLink(lang: Lang, url: string, fingerprint256: string): Html {
  const t = LOGIN[lang];
  return html`<section class="login login-secure" id="login">
<h2>${t.secureHeading}</h2>
<p>${t.secureHelp}</p>
<p><a class="secure-link" href="${url}">${t.secureLink}</a></p>
<p class="fingerprint">${t.fingerprintLabel}: <code>${fingerprint256}</code></p>
</section>`;
}
