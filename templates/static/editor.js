// The question editor: shows only the fields of the chosen kind of question
// and asks the server for the preview as the fields change. Without this
// script every field shows and the Preview button does the same.
(function () {
  var form = document.getElementById('editor');
  var pane = document.getElementById('preview');
  if (!form || !pane) return;
  var type = document.getElementById('f-type');
  var parts = form.querySelectorAll('[data-types]');
  function showParts() {
    parts.forEach(function (part) {
      part.hidden = part.dataset.types.split(' ').indexOf(type.value) < 0;
    });
  }
  var timer = null;
  var asked = 0;
  function refresh() {
    var mine = ++asked;
    var open = pane.querySelector('details[open]') !== null;
    fetch('/banks/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      // An older answer arriving late never replaces a newer one.
      if (html === null || mine !== asked) return;
      pane.innerHTML = html;
      var key = pane.querySelector('details');
      if (key && open) key.open = true;
    }).catch(function () {});
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  type.addEventListener('change', showParts);
  form.addEventListener('input', later);
  form.addEventListener('change', later);
  showParts();
})();
