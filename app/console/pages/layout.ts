// The frame every console page shares: navigation by role, the operator's name, the CSRF token in every
// form, our own stylesheet and script (no CDN; Content-Security-Policy allows only our origin).
import { shanghaiTime } from '../../china-time';
import { esc, html, raw, type Raw } from '../../h5/pages/layout';
import { may, ROLE_NAMES, type Role } from '../roles';
import type { OpsSession } from '../sessions';
import { CONSOLE } from '../texts';

export { esc, html, raw, type Raw };

export interface Frame {
  title: string;
  session: OpsSession;
  active: string;
  body: Raw;
  flash?: { ok: boolean; text: string } | null;
  scripts?: string[];
}

const NAV: { key: keyof typeof CONSOLE.nav; path: string }[] = [
  { key: 'dashboard', path: '/ops/' },
  { key: 'reports', path: '/ops/reports' },
  { key: 'appeals', path: '/ops/appeals' },
  { key: 'labels', path: '/ops/labels' },
  { key: 'publicService', path: '/ops/public-service' },
  { key: 'subscribers', path: '/ops/subscribers' },
  { key: 'notices', path: '/ops/notices' },
  { key: 'audit', path: '/ops/audit' },
];

function head(title: string, scripts: string[] = []): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · ${esc(CONSOLE.product)}</title>
<link rel="stylesheet" href="/ops/assets/console.css">
${scripts.map((s) => `<script src="${esc(s)}" defer></script>`).join('\n')}
</head>`;
}

/** A hidden field carrying the session's CSRF token; every form includes it. */
export const csrfField = (s: OpsSession) => html`<input type="hidden" name="_csrf" value="${s.csrf}">`;

/** Shown only when the role may act; the route refuses regardless. */
export const ifMay = (role: Role, p: Parameters<typeof may>[1], content: Raw) => (may(role, p) ? content : raw(''));

export function page(f: Frame): string {
  const nav = NAV.map((n) => html`<a href="${n.path}" class="${n.key === f.active ? 'on' : ''}">${CONSOLE.nav[n.key]}</a>`);
  return `${head(f.title, f.scripts)}
<body>
<header class="top">
  <a class="brand" href="/ops/">${esc(CONSOLE.product)}</a>
  <nav>${nav.map(String).join('')}</nav>
  <form method="post" action="/ops/logout" class="who">${csrfField(f.session)}<span data-operator>${esc(f.session.name)}</span><span class="role">${esc(ROLE_NAMES[f.session.role])}</span><button>${esc(CONSOLE.signIn.signOut)}</button></form>
</header>
<main>
<h1>${esc(f.title)}</h1>
${f.flash ? `<p class="flash ${f.flash.ok ? 'ok' : 'err'}" role="status">${esc(f.flash.text)}</p>` : ''}
${f.body}
</main>
</body>
</html>`;
}

export function signInPage(p: { token: string; error?: string; name?: string }): string {
  const t = CONSOLE.signIn;
  return `${head(t.title)}
<body class="signin">
<form method="post" action="/ops/login" class="card">
  <h1>${esc(CONSOLE.product)}</h1>
  <h2>${esc(t.title)}</h2>
  ${p.error ? `<p class="flash err" role="alert">${esc(p.error)}</p>` : ''}
  <input type="hidden" name="_csrf" value="${esc(p.token)}">
  <label>${esc(t.name)}<input name="name" autocomplete="username" required maxlength="48" value="${esc(p.name ?? '')}"></label>
  <label>${esc(t.password)}<input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
  <label>${esc(t.code)}<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" pattern="[0-9 ]*"></label>
  <button>${esc(t.submit)}</button>
</form>
</body>
</html>`;
}

export function messagePage(title: string, text: string, back = '/ops/'): string {
  return `${head(title)}
<body class="signin"><div class="card"><h1>${esc(title)}</h1><p class="flash err" role="alert">${esc(text)}</p><p><a href="${esc(back)}">返回</a></p></div></body></html>`;
}

export const fmtTime = (d: Date | null | undefined) => (d ? shanghaiTime(d) : '-');
