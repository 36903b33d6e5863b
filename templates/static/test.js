// The test page's script: autosave with retry, the countdown on the server's
// clock, flags for review, integrity signals and the way to the review page. The
// page works without it; this only saves sooner and loses less.
(function () {
  'use strict';

  var root = document.getElementById('test');
  var form = document.getElementById('question');
  if (!root || !form) return;

  var attempt = root.dataset.attempt;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';
  var api = '/api/v1/attempts/' + attempt;

  // The server's clock: the offset is fixed at load, so a wrong client clock
  // or a throttled background tab cannot skew the countdown.
  var deadline = Number(root.dataset.deadline);
  var offset = Number(root.dataset.serverNow) - Date.now();
  function serverNow() { return Date.now() + offset; }

  function store(name) {
    var key = 'assay-' + name + '-' + attempt;
    return {
      get: function () {
        try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
      },
      set: function (value) {
        try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
      }
    };
  }

  // ---- answers ---------------------------------------------------------

  var questionId = form.dataset.question;
  var qtype = form.dataset.type;
  var stateEl = document.getElementById('save-state');
  var navLinks = {};
  Array.prototype.forEach.call(document.querySelectorAll('.navigator a[data-question]'), function (a) {
    navLinks[a.dataset.question] = a;
  });

  // Per question: the newest answer not yet acknowledged, kept across
  // reloads so an answer given offline is sent when the network returns.
  var pendingStore = store('pending');
  var pending = pendingStore.get() || {};
  var lastSeq = {};
  var inflight = {};
  var status = {};
  var failures = 0;
  var retryTimer = null;
  var finished = false;
  var timeIsUp = false;
  var leaving = false;
  // Set when this page starts a navigation of its own; see focusLoss.
  var navigating = false;
  window.addEventListener('beforeunload', function () { navigating = true; });
  // Flags for review, as the server rendered them (see toggleFlag); read
  // before any answer kept offline redraws the navigator.
  var flags = Object.keys(navLinks).filter(function (q) { return navLinks[q].classList.contains('flagged'); });

  Object.keys(navLinks).forEach(function (q) { lastSeq[q] = Number(navLinks[q].dataset.seq) || 0; });
  lastSeq[questionId] = Math.max(lastSeq[questionId] || 0, Number(form.dataset.seq) || 0);

  function nextSeq(q) {
    var seq = Math.max(Math.floor(serverNow()), (lastSeq[q] || 0) + 1);
    lastSeq[q] = seq;
    return seq;
  }

  function readAnswer() {
    var inputs = form.querySelectorAll('[name="answer"]');
    if (qtype === 'single_choice' || qtype === 'true_false') {
      var chosen = form.querySelector('[name="answer"]:checked');
      if (!chosen) return null;
      return qtype === 'true_false' ? chosen.value === 'true' : Number(chosen.value);
    }
    if (qtype === 'multiple_response') {
      var ids = Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return Number(i.value); });
      return ids.length ? ids : null;
    }
    var field = inputs[0];
    if (!field) return undefined;
    if (qtype === 'numeric') {
      if (field.validity && field.validity.badInput) return undefined;
      var text = field.value.trim();
      return text === '' ? null : Number(text);
    }
    return field.value.trim() === '' ? null : field.value;
  }

  function writeAnswer(answer) {
    var inputs = form.querySelectorAll('[name="answer"]');
    if (qtype === 'single_choice' || qtype === 'true_false' || qtype === 'multiple_response') {
      var wanted = Array.isArray(answer) ? answer.map(String) : [String(answer)];
      Array.prototype.forEach.call(inputs, function (i) { i.checked = answer !== null && wanted.indexOf(i.value) >= 0; });
    } else if (inputs[0]) {
      inputs[0].value = answer === null ? '' : String(answer);
    }
  }

  function isAnswered(answer) {
    return answer !== null && answer !== undefined && !(Array.isArray(answer) && answer.length === 0) &&
      !(typeof answer === 'string' && answer.trim() === '');
  }

  var answeredCount = document.getElementById('answered-count');
  function updateNav(q, answered) {
    var link = navLinks[q];
    if (!link) return;
    link.classList.toggle('answered', answered);
    link.classList.toggle('unanswered', !answered);
    link.classList.toggle('unsaved', status[q] === 'failed');
    describe(link, q);
    if (answeredCount) answeredCount.textContent = String(document.querySelectorAll('.navigator a.answered').length);
  }

  var TEXT = { saving: 'Saving…', saved: 'Saved', failed: 'Not saved — retrying' };
  function setStatus(q, state, message) {
    status[q] = state;
    if (navLinks[q]) navLinks[q].classList.toggle('unsaved', state === 'failed');
    if (q === questionId && stateEl) {
      stateEl.textContent = message || TEXT[state] || '';
      stateEl.className = 'save-state ' + state;
    }
  }

  function scheduleRetry() {
    if (retryTimer) return;
    var delay = Math.min(15000, 1000 * Math.pow(2, Math.min(failures, 4)));
    retryTimer = setTimeout(function () { retryTimer = null; sendAll(); }, delay);
  }

  function send(q) {
    var item = pending[q];
    if (!item || inflight[q] || finished) return;
    inflight[q] = true;
    setStatus(q, 'saving');
    var body = JSON.stringify({ answer: item.answer, seq: item.seq });
    fetch(api + '/responses/' + q, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body,
      // Only while the page unloads: keepalive bodies share a 64 KiB quota.
      keepalive: leaving && body.length < 60000
    }).then(function (res) {
      inflight[q] = false;
      if (res.ok) {
        failures = 0;
        if (pending[q] === item) {
          delete pending[q];
          pendingStore.set(pending);
          setStatus(q, 'saved');
        } else {
          send(q);
        }
        return;
      }
      if (res.status === 409) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          var error = (body && body.error) || {};
          if (error.code === 'stale' && typeof error.seq === 'number') {
            // The server holds a newer seq (another tab, or a clock behind
            // it): send this answer again above it, unless it was this very
            // answer, kept by an earlier try whose reply was lost.
            lastSeq[q] = Math.max(lastSeq[q] || 0, error.seq);
            if (pending[q] === item && error.seq === item.seq) {
              delete pending[q];
              pendingStore.set(pending);
              setStatus(q, 'saved');
              return;
            }
            if (pending[q] === item) {
              item.seq = nextSeq(q);
              pendingStore.set(pending);
            }
            send(q);
            return;
          }
          // Submitted elsewhere, or graded by the server.
          finished = true;
          window.location.assign('/attempts/' + attempt + '/result');
        });
      }
      if ([400, 404, 413, 422].indexOf(res.status) >= 0) { // refused for good: say why
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (pending[q] === item) { delete pending[q]; pendingStore.set(pending); }
          var message = body && body.error && body.error.message;
          setStatus(q, 'refused', 'Not saved: ' + (message || 'the answer was refused.'));
          if (message && message.indexOf('Time is up') === 0) timeUp();
        });
      }
      failures += 1;
      setStatus(q, 'failed', res.status === 401 || res.status === 403
        ? 'Not saved — your session has ended; sign in again in another tab' : TEXT.failed);
      scheduleRetry();
    }, function () {
      inflight[q] = false;
      failures += 1;
      setStatus(q, 'failed');
      scheduleRetry();
    });
  }

  function sendAll() { Object.keys(pending).forEach(send); }

  function queue(q, answer) {
    pending[q] = { answer: answer, seq: nextSeq(q) };
    pendingStore.set(pending);
    updateNav(q, isAnswered(answer));
    send(q);
  }

  var lastQueued = JSON.stringify(readAnswer());
  function saveCurrent() {
    var answer = readAnswer();
    if (answer === undefined) {
      setStatus(questionId, 'refused', 'Not saved: enter a number.');
      return;
    }
    var text = JSON.stringify(answer);
    if (text === lastQueued) return;
    lastQueued = text;
    queue(questionId, answer);
  }

  // An answer given offline before a reload is still newer than the server's.
  Object.keys(pending).forEach(function (q) {
    if (pending[q].seq <= (Number(navLinks[q] && navLinks[q].dataset.seq) || 0)) {
      delete pending[q];
      return;
    }
    lastSeq[q] = Math.max(lastSeq[q] || 0, pending[q].seq);
    updateNav(q, isAnswered(pending[q].answer));
    if (q === questionId) {
      writeAnswer(pending[q].answer);
      lastQueued = JSON.stringify(pending[q].answer);
    }
  });
  pendingStore.set(pending);
  sendAll();

  var typing = null;
  form.addEventListener('change', function (e) {
    if (e.target.name === 'answer') { clearTimeout(typing); saveCurrent(); }
  });
  form.addEventListener('input', function (e) {
    if (e.target.name !== 'answer' || e.target.type === 'radio' || e.target.type === 'checkbox') return;
    clearTimeout(typing);
    typing = setTimeout(saveCurrent, 700);
  });

  window.addEventListener('online', function () { failures = 0; sendAll(); });
  setInterval(function () { if (!retryTimer) sendAll(); }, 5000);
  window.addEventListener('pagehide', function () {
    leaving = true;
    clearTimeout(typing);
    saveCurrent();
  });
  window.addEventListener('pageshow', function () { leaving = false; navigating = false; });

  // Resolves once nothing for `q` (or anything, when q is null) is waiting,
  // or after `ms`: a slow network must not trap the person on the page.
  function settled(q, ms) {
    return new Promise(function (resolve) {
      var start = Date.now();
      (function check() {
        var waiting = q === null ? Object.keys(pending).length > 0 : Boolean(pending[q]);
        if (!waiting || Date.now() - start > ms) { resolve(!waiting); return; }
        setTimeout(check, 100);
      })();
    });
  }

  // ---- flags -----------------------------------------------------------

  // Flags for review are kept by the server (the review page before
  // submitting lists them); the page starts from what it rendered.
  var flagButton = document.getElementById('flag');
  var flagSaving = Promise.resolve();

  function describe(link, q) {
    var state = link.querySelector('.state');
    if (!state) return;
    state.textContent = (link.classList.contains('answered') ? ', answered' : ', not answered') +
      (flags.indexOf(q) >= 0 ? ', flagged for review' : '');
  }

  function showFlags() {
    Object.keys(navLinks).forEach(function (q) {
      navLinks[q].classList.toggle('flagged', flags.indexOf(q) >= 0);
      describe(navLinks[q], q);
    });
    if (flagButton) {
      var on = flags.indexOf(questionId) >= 0;
      flagButton.setAttribute('aria-pressed', String(on));
      flagButton.textContent = on ? 'Flagged for review' : 'Flag for review';
    }
  }

  function toggleFlag() {
    var at = flags.indexOf(questionId);
    var on = at < 0;
    if (on) flags.push(questionId); else flags.splice(at, 1);
    showFlags();
    flagSaving = fetch(api + '/flags/' + questionId, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ flagged: on })
    }).then(function (res) {
      if (!res.ok) throw new Error(String(res.status));
    }).catch(function () {
      // Not kept: show the flag as the server has it, and say so.
      var now = flags.indexOf(questionId);
      if (on && now >= 0) flags.splice(now, 1);
      if (!on && now < 0) flags.push(questionId);
      showFlags();
      setStatus(questionId, 'failed', 'The flag was not saved; try again.');
    });
  }
  showFlags();

  // ---- navigation and submit -------------------------------------------

  function go(href) {
    clearTimeout(typing);
    saveCurrent();
    // Waiting answers are kept in localStorage, so leaving after a short
    // wait loses nothing even offline.
    settled(questionId, 3000).then(function () {
      navigating = true;
      window.location.assign(href);
    });
  }

  Object.keys(navLinks).forEach(function (q) {
    navLinks[q].addEventListener('click', function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      go(navLinks[q].getAttribute('href'));
    });
  });

  var submitForm = document.getElementById('submit-form');

  // Submitting is a step of its own: the review page lists what is not
  // answered and what is flagged, with links back, and submits from there.
  function finish() {
    clearTimeout(typing);
    saveCurrent();
    Promise.all([settled(null, 5000), flagSaving]).then(function (done) {
      if (!done[0]) {
        setStatus(questionId, 'failed', 'Some answers are not saved yet — retrying. Submit again when your connection is back.');
        return;
      }
      navigating = true;
      window.location.assign('/attempts/' + attempt + '/confirm');
    });
  }

  // An adaptive test: the answer is saved, then the form posts it (its
  // hidden go=commit) so the server makes it final and picks the next.
  function commit() {
    clearTimeout(typing);
    saveCurrent();
    settled(questionId, 3000).then(function () {
      navigating = true;
      finished = true;
      form.submit();
    });
  }

  form.addEventListener('submit', function (e) {
    var button = e.submitter;
    if (!button) return;
    e.preventDefault();
    if (button.value === 'finish') finish();
    else if (button.value === 'commit') commit();
    else if (button.value === 'flag') toggleFlag();
    else if (button.dataset.href) go(button.dataset.href);
  });

  // ---- countdown ---------------------------------------------------------

  var timer = document.getElementById('timer');
  var announce = document.getElementById('time-announce');
  var timeUpNotice = document.getElementById('time-up');
  var MINUTE = 60000;
  var announced = {};

  function clockText(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    if (s >= 3600) return Math.floor(s / 3600) + ':' + two(Math.floor(s / 60) % 60) + ':' + two(s % 60);
    return two(Math.floor(s / 60)) + ':' + two(s % 60);
  }

  // Screen readers hear the time only at five minutes and at one minute;
  // a page opened later than that does not announce what already passed.
  [5, 1].forEach(function (m) { if (deadline - serverNow() <= m * MINUTE) announced[m] = true; });

  // Sends what is waiting (the grace period may still take it), then submits.
  function timeUp() {
    if (timeIsUp || finished) return;
    timeIsUp = true;
    clearTimeout(typing);
    saveCurrent();
    if (timeUpNotice) timeUpNotice.hidden = false;
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = true; });
    settled(null, 3000).then(function () {
      finished = true;
      if (submitForm) submitForm.submit();
    });
  }

  function tick() {
    var left = deadline - serverNow();
    if (timer) {
      timer.textContent = clockText(left);
      timer.classList.toggle('low', left <= 5 * MINUTE);
    }
    [5, 1].forEach(function (m) {
      if (!announced[m] && left <= m * MINUTE && left > 0) {
        announced[m] = true;
        if (announce) announce.textContent = m === 1 ? 'One minute left.' : m + ' minutes left.';
      }
    });
    if (left <= 0) timeUp();
  }
  tick();
  setInterval(tick, 1000);

  // ---- integrity signals (shown to staff, not judged) -------------------

  function signal(kind) {
    return fetch(api + '/signals', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ kind: kind }),
      keepalive: true
    }).catch(function () { /* a lost signal is not worth a retry */ });
  }
  // While the person is away: the report of leaving, so the report of
  // coming back is sent only after it and closes that very leave.
  var away = null;
  function focusLoss() {
    // The page's own navigation (a question link, "Save and next", a
    // submit, a reload) hides the page too: that is not leaving the test.
    // `navigating` is set when the page starts one, `leaving` when the
    // browser unloads it, both before the page is hidden.
    if (navigating || leaving || finished || away) return;
    // Switching tabs fires both blur and visibilitychange: one leave.
    away = signal('focus_loss');
  }
  function back() {
    if (!away || document.visibilityState === 'hidden') return;
    var left = away;
    away = null;
    left.then(function () { signal('returned'); });
  }
  window.addEventListener('blur', focusLoss);
  window.addEventListener('focus', back);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') focusLoss(); else { tick(); back(); }
  });
  form.addEventListener('paste', function (e) {
    if (e.target.name === 'answer') signal('paste');
  });
})();
