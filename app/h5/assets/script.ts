// The pages' one script: turns forms and buttons marked with data-* into JSON calls carrying the CSRF
// token, and shows the outcome in a toast. Without it the pages still read; changes need it.
// Plain ES2017 so WeChat's in-app browser on older phones runs it.
export const SCRIPT = `
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var texts = JSON.parse(document.body.getAttribute('data-texts') || '{}');
  var toast = document.getElementById('toast');
  var timer = null;

  function say(msg, ms) {
    if (!toast) return;
    toast.textContent = msg;
    toast.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function () { toast.hidden = true; }, ms || 1800);
  }

  function call(method, url, body, contentType) {
    var headers = { 'X-CSRF-Token': csrf, 'Accept': 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = contentType || 'application/json';
      init.body = contentType ? body : JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error(data.message || (texts.errors && texts.errors.internal) || 'error');
          err.data = data;
          throw err;
        }
        return data;
      });
    });
  }

  function value(el) {
    if (el.type === 'checkbox') return el.checked;
    if (el.getAttribute('data-type') === 'number') return Number(el.value);
    return el.value;
  }

  // Builders for bodies that are not flat: each reads its form and returns the JSON to send.
  var builders = {
    flat: function (form) {
      var out = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.disabled || el.type === 'submit' || el.type === 'button') return;
        if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; return; }
        if (el.value === '' && el.getAttribute('data-optional') !== null) return;
        out[el.name] = value(el);
      });
      return out;
    },
    timeWindows: function (form) {
      var mode = form.querySelector('input[name="mode"]:checked').value;
      var days = Array.prototype.filter.call(form.querySelectorAll('input[name="day"]'), function (d) { return d.checked; })
        .map(function (d) { return Number(d.value); });
      var windows = mode === 'windows' ? [{ days: days, start: form.elements.start.value, end: form.elements.end.value }] : [];
      return { mode: mode, windows: windows };
    },
    notices: function (form) {
      var quiet = form.elements.quiet.checked;
      return {
        mode: form.querySelector('input[name="mode"]:checked').value,
        digestMinutes: Number(form.elements.digestMinutes.value),
        wechat: form.elements.wechat.checked,
        sms: form.elements.sms.checked,
        quietHours: quiet ? { start: form.elements.quietStart.value, end: form.elements.quietEnd.value } : null
      };
    }
  };

  function after(el, data) {
    var then = el.getAttribute('data-then');
    if (then === 'reload') { say(el.getAttribute('data-done') || texts.saved); setTimeout(function () { location.reload(); }, 600); return; }
    if (then === 'replace') {
      document.getElementById('main').innerHTML = '<div class="done" role="status"><p></p></div>';
      document.querySelector('.done p').textContent = el.getAttribute('data-done') || texts.saved;
      return;
    }
    if (then === 'report') return showReport(data);
    say(el.getAttribute('data-done') || texts.saved);
  }

  function showReport(r) {
    var box = document.getElementById('import-report');
    if (!box) return;
    box.hidden = false;
    box.textContent = '';
    var p = document.createElement('p');
    p.textContent = texts.imported
      .replace('{added}', r.added).replace('{moved}', r.moved).replace('{unchanged}', r.unchanged).replace('{rejected}', r.rejected.length);
    box.appendChild(p);
    if (r.rejected.length) {
      var ul = document.createElement('ul');
      r.rejected.forEach(function (x) {
        var li = document.createElement('li');
        li.textContent = texts.importLine.replace('{line}', x.line).replace('{reason}', texts.importReasons[x.reason] || x.reason) + '  ' + x.text;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (r.added || r.moved) setTimeout(function () { location.reload(); }, 2500);
  }

  function fail(err) {
    say(err.message, 2600);
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.hasAttribute('data-api')) return;
    ev.preventDefault();
    var build = builders[form.getAttribute('data-build') || 'flat'];
    var btn = form.querySelector('[type=submit]');
    if (btn) btn.disabled = true;
    call(form.getAttribute('data-method') || 'POST', form.getAttribute('data-api'), build(form))
      .then(function (data) { after(form, data); })
      .catch(fail)
      .then(function () { if (btn && form.getAttribute('data-then') !== 'replace') btn.disabled = false; });
  });

  // Controls that save themselves when changed (category modes, switches).
  document.addEventListener('change', function (ev) {
    var el = ev.target;
    if (el.hasAttribute('data-confirm-for')) {
      var target = document.getElementById(el.getAttribute('data-confirm-for'));
      if (target) target.disabled = !el.checked;
      return;
    }
    if (!el.hasAttribute('data-autosave')) return;
    var body = {};
    body[el.name] = value(el);
    call(el.getAttribute('data-method') || 'PUT', el.getAttribute('data-autosave'), body)
      .then(function (data) { after(el, data); })
      .catch(function (err) {
        fail(err);
        if (el.type === 'checkbox') el.checked = !el.checked;
        else if (el.hasAttribute('data-was')) el.value = el.getAttribute('data-was');
      })
      .then(function () { if (el.tagName === 'SELECT') el.setAttribute('data-was', el.value); });
  });

  document.addEventListener('click', function (ev) {
    var el = ev.target.closest ? ev.target.closest('[data-call]') : null;
    if (!el) return;
    ev.preventDefault();
    var body = el.getAttribute('data-body');
    el.disabled = true;
    call(el.getAttribute('data-method') || 'POST', el.getAttribute('data-call'), body ? JSON.parse(body) : {})
      .then(function (data) {
        if (el.getAttribute('data-then') === 'remove') {
          var row = el.closest('li');
          if (row) row.parentNode.removeChild(row);
          say(el.getAttribute('data-done') || texts.saved);
          return;
        }
        after(el, data);
      })
      .catch(function (err) { el.disabled = false; fail(err); });
  });

  var importForm = document.getElementById('import-form');
  if (importForm) {
    importForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var file = importForm.elements.file.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        call('POST', importForm.getAttribute('action'), String(reader.result), 'text/csv').then(showReport).catch(fail);
      };
      reader.readAsText(file, 'utf-8');
    });
  }
})();
`;
