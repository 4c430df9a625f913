// Escaping HTML builder. `html\`...\`` escapes every interpolated value unless it is
// already Html (built by html`` itself or wrapped explicitly with raw()). Templates must
// quote attribute values ("...") so that escaped quotes keep values inside them.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML element content and quoted attribute values. Never throws. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** A fragment of HTML that is safe to emit as is. Only html`` and raw() create one. */
export class Html {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

/** Marks trusted markup (constants written by us) as Html. Never pass outside data here. */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** Renders one interpolated value: Html as is, arrays item by item, nullish/false as
 *  nothing, everything else as escaped text. */
function renderValue(value: unknown): string {
  if (value instanceof Html) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(renderValue).join('');
  const text: unknown = value; // a number, string or true: printed as text
  return escapeHtml(String(text));
}

/** Tagged template: html`<p>${text}</p>` escapes `text`; nest html`` or raw() for markup. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += renderValue(values[i]) + (strings[i + 1] ?? '');
  }
  return new Html(out);
}

/** A `tel:` link target: keeps only digits and + so a hostile value cannot change the scheme. */
export function telHref(phone: string): string {
  return 'tel:' + phone.replace(/[^0-9+]/g, '');
}
