// The frame every H5 page shares: escaping, the head (one CSS, one script, the CSRF token), the toast.
import crypto from 'node:crypto';
import { H5 } from '../../../copy/h5';
import { SCRIPT } from '../assets/script';
import { STYLE } from '../assets/style';
import { BIND_SCRIPT, BIND_STYLE } from '../assets/bind-script';

/** Escapes text for HTML content and attribute values. Every dynamic value goes through it. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A tagged template whose interpolations are escaped unless wrapped in raw(). */
export class Raw {
  constructor(readonly html: string) {}
  toString() {
    return this.html;
  }
}
export const raw = (html: string) => new Raw(html);

export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0];
  values.forEach((v, i) => {
    const piece = Array.isArray(v) ? v.map((x) => (x instanceof Raw ? x.html : esc(x))).join('') : v instanceof Raw ? v.html : v === false || v === null || v === undefined ? '' : esc(v);
    out += piece + strings[i + 1];
  });
  return new Raw(out);
}

/** The site icon: a green shield with a crossed-out handset, drawn in SVG (no binary asset to keep). */
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><path d="M32 4 8 12v18c0 15 10 26 24 30 14-4 24-15 24-30V12z" fill="#067a3f"/><path d="M22 22c2-2 4-2 5 0l3 5c1 2 0 3-1 4l-2 1c1 3 4 6 7 7l1-2c1-1 2-2 4-1l5 3c2 1 2 3 0 5-3 3-7 3-11 1-6-3-10-7-13-13-2-4-1-8 2-10z" fill="#fff"/><path d="M18 46 46 18" stroke="#fff" stroke-width="4" stroke-linecap="round"/></svg>`;

const version = (s: string) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 10);
const CSS = STYLE + BIND_STYLE;
export const ASSETS = {
  css: { path: '/h5/static/h5.css', body: CSS, etag: `"${version(CSS)}"`, type: 'text/css; charset=utf-8' },
  js: { path: '/h5/static/h5.js', body: SCRIPT, etag: `"${version(SCRIPT)}"`, type: 'application/javascript; charset=utf-8' },
  icon: { path: '/h5/static/favicon.svg', body: FAVICON_SVG, etag: `"${version(FAVICON_SVG)}"`, type: 'image/svg+xml' },
  bindJs: { path: '/h5/static/bind.js', body: BIND_SCRIPT, etag: `"${version(BIND_SCRIPT)}"`, type: 'application/javascript; charset=utf-8' },
};
export const FAVICON = ASSETS.icon;

/** What the script needs to word its messages (it holds no Chinese of its own). */
const SCRIPT_TEXTS = JSON.stringify({
  saved: H5.saved,
  errors: H5.errors,
  imported: H5.lists.imported({ added: '{added}', moved: '{moved}', unchanged: '{unchanged}', rejected: '{rejected}' } as never),
  importLine: H5.lists.importLine('{line}' as never, '{reason}'),
  importReasons: H5.lists.importReasons,
});

export interface PageOptions {
  title: string;
  csrf: string;
  body: Raw;
  /** Sub-pages link back to the overview. */
  back?: boolean;
  description?: string;
  /** Page-specific scripts (our own paths), after the shared one. */
  scripts?: string[];
}

export function layout(p: PageOptions): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="csrf-token" content="${esc(p.csrf)}">
<meta name="format-detection" content="telephone=no">
<title>${esc(p.title)}</title>
<link rel="icon" href="${FAVICON.path}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS.css.path}?v=${ASSETS.css.etag.slice(1, -1)}">
<script src="${ASSETS.js.path}?v=${ASSETS.js.etag.slice(1, -1)}" defer></script>
${(p.scripts ?? []).map((src) => `<script src="${esc(src)}" defer></script>\n`).join('')}</head>
<body data-texts="${esc(SCRIPT_TEXTS)}">
<main class="page" id="main">
<header class="hd">
${p.back ? `<a class="back" href="/h5/">‹ ${esc(H5.back)}</a>` : ''}
<h1>${esc(p.title)}</h1>
${p.description ? `<p>${esc(p.description)}</p>` : ''}
</header>
${p.body.html}
</main>
<div class="toast" id="toast" role="status" aria-live="polite" hidden></div>
</body>
</html>`;
}

/** A page for a refusal the browser lands on (failed sign-in): says what happened and how to retry. */
export function errorPage(message: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(H5.errorTitle)}</title>
<link rel="icon" href="${FAVICON.path}" type="image/svg+xml"><link rel="stylesheet" href="${ASSETS.css.path}"></head>
<body><main class="page"><header class="hd"><h1>${esc(H5.errorTitle)}</h1><p role="alert">${esc(message)}</p></header>
<div class="btn-area"><a class="btn btn--primary" href="/h5/">${esc(H5.reopen)}</a></div></main></body>
</html>`;
}
