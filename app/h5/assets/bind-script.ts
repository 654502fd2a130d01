// The bind page's script (bind.js): 本机号码一键登录 through the provider's JS-SDK, and the SMS code. Every
// refusal says what happened and shows the SMS code as the way on. Plain ES2017, as the pages' one script.
// The SDK is driven through the calls Aliyun's H5 web SDK documents (checkLoginAvailable,
// getLoginMaskPhone, getLoginToken, each answering code 600000 on success); the simulator's stand-in
// speaks the same.
export const BIND_SCRIPT = `
(function () {
  'use strict';
  var root = document.getElementById('bind');
  if (!root) return;
  var t = JSON.parse(root.getAttribute('data-texts') || '{}');
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  var note = document.getElementById('bind-note');
  var OK = 600000;

  function say(msg) {
    note.textContent = msg;
    note.hidden = false;
  }

  function post(url, body) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) { return { ok: res.ok, data: data }; });
      })
      .catch(function () { return { ok: false, data: { message: t.failed } }; });
  }

  function done(data) {
    say(data.message);
    setTimeout(function () { location.reload(); }, 900);
  }

  // One tap did not work: say why and hand over to the SMS code.
  function fallback(msg) {
    say(msg || t.sdkFailed);
    var form = document.getElementById('one-tap-confirm');
    if (form) form.hidden = true;
    var start = document.getElementById('one-tap-start');
    if (start) start.disabled = false;
    var phone = document.getElementById('sms-phone');
    if (phone) phone.focus();
  }

  function loadSdk(url, then) {
    if (window.PhoneServerCustomization) return then();
    var s = document.createElement('script');
    s.src = url;
    s.onload = then;
    s.onerror = function () { fallback(t.sdkFailed); };
    document.head.appendChild(s);
  }

  var sdk = null;
  var start = document.getElementById('one-tap-start');
  if (start) {
    start.addEventListener('click', function () {
      start.disabled = true;
      note.hidden = true;
      post('/h5/api/bind/one-tap/start', {}).then(function (r) {
        if (!r.ok) return fallback(r.data.message);
        var creds = r.data;
        loadSdk(creds.sdkUrl, function () {
          if (!window.PhoneServerCustomization) return fallback(t.sdkFailed);
          sdk = new window.PhoneServerCustomization();
          sdk.checkLoginAvailable({ accessToken: creds.accessToken, jwtToken: creds.jwtToken, timeout: 5, callback: function (res) {
            if (!res || res.code !== OK) return fallback(t.sdkFailed);
            sdk.getLoginMaskPhone({ timeout: 5, callback: function (m) {
              if (!m || m.code !== OK) return fallback(t.sdkFailed);
              var mask = m.data && typeof m.data === 'object' ? m.data.maskPhone : m.data;
              document.getElementById('one-tap-mask').textContent = String(mask || '');
              document.getElementById('one-tap-confirm').hidden = false;
              document.getElementById('one-tap-digits').focus();
            } });
          } });
        });
      });
    });
    // Nothing leaves the page before the subscriber has agreed and typed the hidden digits.
    document.getElementById('one-tap-confirm').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var digits = document.getElementById('one-tap-digits').value.replace(/\\s/g, '');
      if (!/^\\d{4}$/.test(digits)) return say(t.badDigits);
      if (!document.getElementById('one-tap-agree').checked || !sdk) return;
      var go = document.getElementById('one-tap-go');
      go.disabled = true;
      sdk.getLoginToken({ mask: digits, timeout: 5, callback: function (res) {
        if (!res || res.code !== OK || !res.spToken) { go.disabled = false; return fallback(t.sdkFailed); }
        post('/h5/api/bind/one-tap', { token: res.spToken }).then(function (r) {
          go.disabled = false;
          if (r.ok) return done(r.data);
          fallback(r.data.message);
        });
      } });
    });
  }

  var send = document.getElementById('sms-send');
  var verify = document.getElementById('sms-verify');
  send.addEventListener('submit', function (ev) {
    ev.preventDefault();
    post('/h5/api/bind/sms', { phone: send.elements.phone.value }).then(function (r) {
      say(r.data.message || t.failed);
      if (r.ok && r.data.sent) {
        verify.hidden = false;
        verify.elements.code.focus();
      }
    });
  });
  verify.addEventListener('submit', function (ev) {
    ev.preventDefault();
    post('/h5/api/bind/sms/verify', { code: verify.elements.code.value }).then(function (r) {
      if (r.ok) return done(r.data);
      say(r.data.message || t.failed);
    });
  });
})();
`;

export const BIND_STYLE = `
.note{margin:0.75rem 1rem;padding:0.625rem 0.75rem;border-radius:0.5rem;background:#fff4e5;color:#8a4b00;font-size:0.875rem}
.note[hidden]{display:none}
`;
