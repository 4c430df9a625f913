// Keeps the office page current without reloading it: every data-refresh-seconds it fetches
// the page again and replaces only the sections marked data-live whose content changed, so the
// reader keeps their place and focus. A section holding the focus, an open disclosure (a form
// being filled in) or a typed value is left alone until the next round. The pause button stops
// updates until pressed again (remembered for this tab). Without script the page still works.
(function () {
  'use strict';
  var seconds = Number(document.body.getAttribute('data-refresh-seconds'));
  if (!(seconds >= 5)) return;
  var button = document.getElementById('refresh-toggle');
  var stateText = document.getElementById('refresh-state');
  var KEY = 'otasuke-refresh-paused';
  var paused = false;
  try { paused = window.sessionStorage.getItem(KEY) === '1'; } catch (e) { paused = false; }
  var running = false;

  function show() {
    if (!button) return;
    button.hidden = false;
    button.setAttribute('aria-pressed', paused ? 'true' : 'false');
    button.textContent = paused ? button.getAttribute('data-resume') : button.getAttribute('data-pause');
    if (stateText) stateText.textContent = paused ? stateText.getAttribute('data-paused') : '';
    document.body.setAttribute('data-refresh-paused', paused ? 'true' : 'false');
  }
  if (button) {
    button.addEventListener('click', function () {
      paused = !paused;
      try { window.sessionStorage.setItem(KEY, paused ? '1' : '0'); } catch (e) { /* private mode: not remembered */ }
      show();
    });
  }
  show();

  function busy(el) {
    var active = document.activeElement;
    if (active && active !== document.body && el.contains(active)) return true;
    if (el.querySelector('details[open]')) return true;
    var fields = el.querySelectorAll('input[type=password], input[type=text], textarea');
    for (var i = 0; i < fields.length; i++) if (fields[i].value) return true;
    return false;
  }

  function patch(text) {
    var doc = new DOMParser().parseFromString(text, 'text/html');
    var fresh = doc.querySelectorAll('[data-live][id]');
    var changed = 0;
    for (var i = 0; i < fresh.length; i++) {
      var old = document.getElementById(fresh[i].id);
      if (!old || old.innerHTML === fresh[i].innerHTML || busy(old)) continue;
      old.innerHTML = fresh[i].innerHTML;
      old.className = fresh[i].className;
      changed++;
    }
    document.body.setAttribute('data-refreshed-at', String(Date.now()));
    document.body.setAttribute('data-refresh-changed', String(changed));
  }

  function tick() {
    if (paused || running || document.visibilityState !== 'visible') return;
    running = true;
    fetch(window.location.pathname + window.location.search, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (t) { if (t) patch(t); })
      .catch(function () { /* the box is restarting: try again next round */ })
      .then(function () { running = false; });
  }
  setInterval(tick, seconds * 1000);
})();
