// The monthly report's print button (no inline script: the page's CSP forbids it).
(function () {
  'use strict';
  var b = document.getElementById('print-report');
  if (b) b.addEventListener('click', function () { window.print(); });
})();
