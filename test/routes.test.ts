// Every route the service documents is reachable in the server as `npm start` assembles it: each path of
// /carrier/openapi.json (signed with a carrier key, as a network sends it) and each route the README names
// answer something other than 404. A route added to a router that is never mounted, or mounted after a
// catch-all, fails here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadConfig } from '../app/config';
import { closeDeps, openDeps } from '../app/lifecycle';
import { startServer } from '../app/server';
import { startHarness } from './support/app-harness';
import { carrierHeaders } from './support/carrier-client';

const CARRIER = { id: 'walk-carrier', secret: 'walk-carrier-secret-0123456789' };
const MARKETER = { id: 'walk-marketer', secret: 'walk-marketer-secret-0123456789' };
const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

interface Probe {
  method: string;
  path: string;
  /** Where the route was found documented. */
  from: string;
  /** Named without its method: a path in running text. */
  bare?: boolean;
}

/** A documented path made requestable: `:id`, `{id}` and `=VALUE` placeholders get a sample value. */
function concrete(p: string): string {
  return p
    .replace(/:[A-Za-z_]+/g, (m) => (m === ':list' ? 'reject' : '1'))
    .replace(/\{[^}]+\}/g, '1')
    .replace(/=([A-Z][A-Z_]*|…)/g, '=1')
    .replace(/[.,;:。，]+$/, '');
}

/** Directories a README mentions that are files on a machine, not routes. */
const FILESYSTEM = /^\/(usr|tmp|etc|var|work|home|dev|proc|opt|bin)(\/|$)/;

function readmeRoutes(): Probe[] {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const out: Probe[] = [];
  for (const [, span] of text.matchAll(/`([^`\n]+)`/g)) {
    const withMethod = /^(GET|POST|PUT|DELETE|PATCH) (\/\S*)/.exec(span);
    if (withMethod) out.push({ method: withMethod[1], path: concrete(withMethod[2]), from: `README \`${span}\`` });
    else if (/^\/[A-Za-z]\S*$/.test(span) && !FILESYSTEM.test(span)) out.push({ method: 'GET', path: concrete(span), from: `README \`${span}\``, bare: true });
  }
  return out;
}

async function send(base: string, p: Probe): Promise<{ status: number; body: string }> {
  const body = p.method === 'GET' || p.method === 'DELETE' ? '' : '{}';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = p.path.startsWith('/carrier/') ? CARRIER : p.path.startsWith('/marketer/') ? MARKETER : null;
  if (key) Object.assign(headers, carrierHeaders({ keyId: key.id, secret: key.secret, method: p.method, path: p.path, body }));
  const res = await fetch(`${base}${p.path}`, { method: p.method, headers, body: body || undefined, redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}

/**
 * A 404 from a route that is mounted but found no such resource (a scrub job id that does not exist) is
 * not a missing route: it is told apart from what a path no router has answers, under the same prefix.
 */
async function missing(base: string, p: Probe, answer: { body: string }): Promise<boolean> {
  const prefix = p.path.split('?')[0].split('/').slice(0, 3).join('/');
  const nowhere = `${prefix}/no-such-route-${Date.now()}`;
  const unmounted = await send(base, { ...p, path: nowhere });
  const shape = (body: string, path: string) => body.split(path).join('PATH');
  return unmounted.status === 404 && shape(answer.body, p.path.split('?')[0]) === shape(unmounted.body, nowhere);
}

test('every path of /carrier/openapi.json and every route the README documents is mounted (no 404)', async (t) => {
  const h = await startHarness({ env: { CARRIER_KEYS: `${CARRIER.id}:${CARRIER.secret}`, MARKETER_KEYS: `${MARKETER.id}:${MARKETER.secret}` } });
  t.teardown(() => h.close());
  // The simulator's pages exist only in embedded mode (no WECHAT_API_BASE): a second server, as `npm start` runs bare.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-routes-'));
  const embeddedDeps = await openDeps(loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, 'fsr.sqlite')}`, PORT: '0', LOG_LEVEL: 'silent' }), { migrate: true });
  const embedded = await startServer(embeddedDeps, { port: 0, host: '127.0.0.1', workers: false });
  t.teardown(async () => {
    await embedded.close();
    await closeDeps(embeddedDeps);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const openapi = (await (await fetch(`${h.server.url}/carrier/openapi.json`)).json()) as { paths: Record<string, Partial<Record<(typeof METHODS)[number], unknown>>> };
  const fromOpenapi: Probe[] = [];
  for (const [p, item] of Object.entries(openapi.paths)) {
    for (const m of METHODS) if (item[m]) fromOpenapi.push({ method: m.toUpperCase(), path: concrete(p), from: `/carrier/openapi.json ${m.toUpperCase()} ${p}` });
  }
  // A bare path the README shortens (`/screen/batch` for /carrier/v1/screen/batch) names a route listed in full elsewhere.
  const full = [...fromOpenapi.map((p) => p.path), ...readmeRoutes().filter((p) => !p.bare).map((p) => p.path)];
  const fromReadme = readmeRoutes().filter((p) => !p.bare || !full.some((f) => f !== p.path && f.endsWith(p.path)));
  t.true(fromOpenapi.length >= 5, `the OpenAPI document lists the carrier endpoints (${fromOpenapi.length})`);
  t.true(fromReadme.length >= 8, `the README's routes were found (${fromReadme.length})`);

  const notMounted: string[] = [];
  for (const p of [...fromOpenapi, ...fromReadme]) {
    const base = p.path.startsWith('/simulator') ? embedded.url : h.server.url;
    const answer = await send(base, p);
    if (answer.status === 404 && (await missing(base, p, answer))) notMounted.push(`${p.method} ${p.path} (${p.from})`);
  }
  t.deepEqual(notMounted, [], 'documented routes answered 404 as no router had them');
});
