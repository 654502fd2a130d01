// The Chinese 404 page for any /h5 address that does not exist.
import { CARE } from '../../../copy/care';
import { ASSETS, esc, FAVICON } from './layout';

export function notFoundPage(): string {
  const t = CARE.notFound;
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(t.title)}</title>
<link rel="icon" href="${FAVICON.path}" type="image/svg+xml"><link rel="stylesheet" href="${ASSETS.css.path}"></head>
<body><main class="page notfound"><h1>${esc(t.title)}</h1><p>${esc(t.message)}</p>
<div class="btn-area"><a class="btn btn--primary" href="/h5/">${esc(t.home)}</a></div></main></body>
</html>`;
}
