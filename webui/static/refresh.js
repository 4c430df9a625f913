// Reloads the page every data-refresh-seconds, but never while someone is typing
// (a focused or filled-in form field), so a half-typed password is not lost.
(function () {
  'use strict';
  var seconds = Number(document.body.getAttribute('data-refresh-seconds'));
  if (!(seconds >= 5)) return;
  function busy() {
    var active = document.activeElement;
    if (active && (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA' || active.tagName === 'SELECT')) return true;
    var fields = document.querySelectorAll('input[type=password], input[type=text], textarea');
    for (var i = 0; i < fields.length; i++) if (fields[i].value) return true;
    return false;
  }
  setInterval(function () {
    if (document.visibilityState === 'visible' && !busy()) window.location.reload();
  }, seconds * 1000);
})();
