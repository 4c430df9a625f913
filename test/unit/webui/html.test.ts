import test from 'ava';
import fc from 'fast-check';
import { escapeHtml, html, raw, telHref, Html } from '../../../webui/src/html/html.js';

test('interpolated text is escaped, markup in the template is kept', (t) => {
  const out = html`<p title="${'"x" & \'y\''}">${'<img src=x onerror=alert(1)>'}</p>`.toString();
  t.is(out, '<p title="&quot;x&quot; &amp; &#39;y&#39;">&lt;img src=x onerror=alert(1)&gt;</p>');
});

test('nested html`` and raw() are not escaped again; arrays and nullish values render sensibly', (t) => {
  const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
  const out = html`<ul>${items}</ul>${raw('<hr>')}${null}${undefined}${false}${0}`.toString();
  t.is(out, '<ul><li>a&lt;b</li><li>c</li></ul><hr>0');
});

test('a plain object with a toString cannot smuggle markup', (t) => {
  const sneaky = { toString: () => '<script>alert(1)</script>' };
  t.is(html`${sneaky}`.toString(), '&lt;script&gt;alert(1)&lt;/script&gt;');
  t.true(html`${sneaky}` instanceof Html);
});

test('property: no interpolated string or array of strings ever yields a markup character', (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.array(fc.string()), (s, arr) => {
    const out = html`<p class="${s}">${s}${arr}</p>`.toString();
    const inner = out.slice('<p class="'.length, -'</p>'.length).replace('">', '');
    return !/[<>"'`]/.test(inner);
  }));
  t.pass();
});

test('property: escaping is reversible text, never loses characters', (t) => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
    const back = escapeHtml(s).replace(/&(amp|lt|gt|quot|#39|#96);/g, (_m, e: string) =>
      ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' })[e] ?? '');
    return back === s;
  }));
  t.pass();
});

test('telHref keeps only digits and +, so a hostile phone cannot become a javascript: link', (t) => {
  t.is(telHref('06-6000-1234'), 'tel:0660001234');
  t.is(telHref('javascript:alert(1)'), 'tel:1');
  t.is(telHref('+81 6 6000 1234'), 'tel:+81660001234');
});
