// Adds the viewer's own time beside each time the page shows in the firm's
// zone, when the browser says the viewer is in another zone.
(function () {
  var viewer;
  try { viewer = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!viewer) return;
  var format = new Intl.DateTimeFormat(undefined, {
    weekday: 'short', day: 'numeric', month: 'short',
    hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
  });
  document.querySelectorAll('time[data-zone]').forEach(function (el) {
    if (el.dataset.zone === viewer) return;
    var instant = new Date(el.getAttribute('datetime'));
    if (isNaN(instant.getTime())) return;
    var own = document.createElement('span');
    own.className = 'viewer-time';
    own.textContent = ' (your time: ' + format.format(instant) + ')';
    el.after(own);
  });
})();
