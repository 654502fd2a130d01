// The simulator page: plays WeChat's client for several test users. Every action goes to the simulator's
// backend, which speaks to the real server exactly as WeChat and the carrier network would.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let current = localStorage.getItem('fsr-sim-openid') || '';
  let state = null;
  let menuOpen = null;
  let keyboard = false;
  let busy = false;
  let selected = null;

  async function api(path, body) {
    const res = await fetch('/simulator/api/' + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.message || res.statusText);
    return data;
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }

  const time = (iso) => new Date(iso).toLocaleTimeString('zh-CN', { hour12: false });

  function renderUsers() {
    const box = $('users');
    box.replaceChildren(...state.users.map((u) =>
      el('button', { type: 'button', role: 'tab', 'aria-selected': String(u.openid === current), 'data-openid': u.openid, onclick: () => select(u.openid) },
        u.name, ' ', el('span', { class: 'muted small' }, u.following ? '已关注' : '未关注'))));
  }

  function renderChat() {
    const chat = $('chat');
    const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 60;
    chat.replaceChildren(...state.timeline.map((m) => {
      if (m.kind === 'card') {
        const rows = m.card.fields.flatMap((f) => [el('dt', {}, f.label), el('dd', {}, f.value)]);
        return el('article', { class: 'card', 'data-kind': 'template' }, el('h3', {}, m.card.title), el('dl', {}, ...rows),
          m.card.url ? el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); openPage(m.card.url, m.card.title); } }, '详情') : null);
      }
      return el('div', { class: 'bubble ' + m.kind, 'data-kind': m.kind }, ...(m.kind === 'them' ? withLinks(m.text) : [m.text]));
    }));
    if (nearBottom || busy) chat.scrollTop = chat.scrollHeight;
  }

  // WeChat shows <a href> in a text reply as a link; links to our own pages open in the phone's page view.
  function withLinks(text) {
    const out = [];
    const re = /<a href="([^"<>]+)">([^<]*)<\/a>/g;
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      const url = m[1];
      const title = m[2];
      out.push(text.slice(last, m.index));
      const own = new URL(url, location.href).origin === location.origin;
      out.push(own ? el('a', { href: url, onclick: (ev) => { ev.preventDefault(); openPage(url, title); } }, title) : title);
      last = re.lastIndex;
    }
    out.push(text.slice(last));
    return out;
  }

  function renderMenu() {
    const nav = $('menu');
    const me = state.users.find((u) => u.openid === current);
    const following = !!(me && me.following);
    $('follow-bar').hidden = following;
    nav.hidden = !following || keyboard;
    $('composer').hidden = !following || !keyboard;
    if (!following) return;
    const buttons = (state.menu && state.menu.button) || [];
    const kids = [el('button', { type: 'button', class: 'kb', 'aria-label': '切换到键盘', onclick: () => { keyboard = true; renderMenu(); $('text').focus(); } }, '⌨')];
    const hasSub = (b) => Array.isArray(b.sub_button) && b.sub_button.length > 0;
    buttons.forEach((b, i) => {
      const top = el('button', { type: 'button', class: 'top-btn', onclick: () => (hasSub(b) ? toggleSub(i) : press(b)) }, hasSub(b) ? '≡ ' + b.name : b.name);
      kids.push(top);
    });
    nav.replaceChildren(...kids);
    if (menuOpen !== null && buttons[menuOpen] && hasSub(buttons[menuOpen])) {
      const width = 342 / buttons.length;
      const sub = el('div', { class: 'submenu', role: 'menu', style: `left:${48 + menuOpen * width}px` },
        ...buttons[menuOpen].sub_button.map((s) => el('button', { type: 'button', role: 'menuitem', onclick: () => { menuOpen = null; press(s); } }, s.name)));
      nav.append(sub);
    }
  }

  function toggleSub(i) {
    menuOpen = menuOpen === i ? null : i;
    renderMenu();
  }

  function renderSms() {
    $('sms-phone').textContent = state.phone ? '本机 ' + state.phone + (state.boundPhone === state.phone ? '（已绑定）' : '') : '';
    $('sms').replaceChildren(...state.sms.map((s) => el('li', {}, el('time', {}, time(s.at)), s.text)));
    if (state.phone && !$('callee').value) $('callee').value = state.phone;
    const me = state.users.find((u) => u.openid === current);
    $('mobile-data').checked = !!(me && me.mobileData);
  }

  function renderNet() {
    $('netlog').replaceChildren(...state.netlog.slice(-40).reverse().map((n) => el('li', {}, el('time', {}, time(n.at)), n.text)));
  }

  async function refresh() {
    try {
      state = await api('state?openid=' + encodeURIComponent(current));
      if (!current || !state.users.some((u) => u.openid === current)) {
        current = state.users[0].openid;
        localStorage.setItem('fsr-sim-openid', current);
        state = await api('state?openid=' + encodeURIComponent(current));
      }
      document.cookie = 'fsr_sim_openid=' + encodeURIComponent(current) + '; path=/; SameSite=Lax';
      if (selected !== current) {
        selected = current;
        await api('select', { openid: current });
      }
      renderUsers();
      renderChat();
      renderMenu();
      renderSms();
      renderNet();
    } catch (e) {
      console.error(e);
    }
  }

  async function act(fn) {
    busy = true;
    try {
      await fn();
    } catch (e) {
      alert(e.message);
    } finally {
      await refresh();
      busy = false;
    }
  }

  function select(openid) {
    current = openid;
    localStorage.setItem('fsr-sim-openid', current);
    $('callee').value = '';
    $('decision').textContent = '';
    closePage();
    refresh();
  }

  function press(b) {
    if (b.type === 'view') {
      act(() => api('view', { openid: current, url: b.url }));
      openPage(b.url, b.name);
    } else act(() => api('click', { openid: current, key: b.key }));
  }

  function openPage(url, title) {
    $('h5-title').textContent = title || '';
    $('h5').hidden = false;
    $('h5-frame').src = url;
  }

  function closePage() {
    $('h5').hidden = true;
    $('h5-frame').src = 'about:blank';
  }

  $('h5-close').addEventListener('click', closePage);
  $('mobile-data').addEventListener('change', (ev) => act(() => api('mobile-data', { openid: current, on: ev.target.checked })));
  $('follow').addEventListener('click', () => act(() => api('follow', { openid: current })));
  $('toggle-menu').addEventListener('click', () => { keyboard = false; renderMenu(); });
  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    act(() => api('text', { openid: current, text }));
  });
  $('add-user').addEventListener('click', () => act(async () => { const u = await api('users', {}); current = u.openid; localStorage.setItem('fsr-sim-openid', current); }));
  $('reset').addEventListener('click', () => {
    if (confirm('清除所有模拟用户、绑定、设置和记录？')) act(async () => { await api('reset', {}); current = ''; });
  });
  $('call').addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(async () => {
      const r = await api('call', { openid: current, caller: $('caller').value, callee: $('callee').value, industry: $('industry').value || undefined, attestation: $('attestation').value || undefined });
      const d = $('decision');
      d.className = 'decision ' + (r.decision.action === 'allow' ? 'allow' : 'block');
      d.textContent = `决策：${r.decision.action}（${r.decision.reason}${r.decision.category ? ' · ' + r.decision.category : ''}）` + (r.intercepted ? ' —— 网络已拦截并回报' : ' —— 电话接通');
      d.setAttribute('data-action', r.decision.action);
    });
  });

  refresh();
  setInterval(() => { if (!busy) refresh(); }, 1500);
})();
