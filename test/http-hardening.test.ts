// The HTTP edge in production dress, through the whole server: /metrics behind METRICS_TOKEN, X-Forwarded-*
// ignored unless TRUST_PROXY, client aborts logged as nothing worse than a debug line, and a request that
// dribbles in slower than WeChat's 5 s cut off instead of holding a socket.
import net from 'node:net';
import { Writable } from 'node:stream';
import test from 'ava';
import { createLogger } from '../app/log';
import { startHarness } from './support/app-harness';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, log: createLogger('debug', stream) };
}

const TOKEN = 'metrics-token-0123456789abcdef';

test('METRICS_TOKEN: /metrics answers only the bearer token, 401 otherwise', async (t) => {
  const h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
  t.teardown(() => h.close());
  const url = `${h.server.url}/metrics`;
  const none = await fetch(url);
  t.is(none.status, 401);
  t.false((await none.text()).includes('fsr_'), 'no series leak to an unauthenticated scrape');
  t.is((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).status, 401);
  t.is((await fetch(url, { headers: { authorization: TOKEN } })).status, 401, 'the scheme is part of it');
  const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(ok.status, 200);
  t.regex(await ok.text(), /fsr_http_request_duration_seconds/);
});

test('production without METRICS_TOKEN says at start that /metrics is open', async (t) => {
  const { lines, log } = sink();
  const h = await startHarness({ log, env: { NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://fsr.example.com' } });
  t.teardown(() => h.close());
  t.true(lines.some((l) => l.includes('METRICS_TOKEN is unset')));
  t.is((await fetch(`http://127.0.0.1:${h.server.port}/metrics`)).status, 200);
});

async function authorizeRedirect(base: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`${base}/h5/`, { headers, redirect: 'manual' });
  const location = res.headers.get('location') ?? '';
  return new URL(location, base).searchParams.get('redirect_uri') ?? '';
}

test('X-Forwarded-Host and -Proto are ignored unless TRUST_PROXY: the OAuth2 redirect_uri stays ours', async (t) => {
  const spoof = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
  const h = await startHarness();
  t.teardown(() => h.close());
  const uri = await authorizeRedirect(h.server.url, spoof);
  t.is(uri, `${h.server.url}/h5/oauth/callback`);
  const behindProxy = await startHarness({ env: { TRUST_PROXY: 'true' } });
  t.teardown(() => behindProxy.close());
  t.is(await authorizeRedirect(behindProxy.server.url, { 'x-forwarded-host': 'fsr.example.com', 'x-forwarded-proto': 'https' }), 'https://fsr.example.com/h5/oauth/callback');
  const pinned = await startHarness({ env: { TRUST_PROXY: 'true', PUBLIC_BASE_URL: 'https://fsr.example.com' } });
  t.teardown(() => pinned.close());
  t.is(await authorizeRedirect(`http://127.0.0.1:${pinned.server.port}`, spoof), 'https://fsr.example.com/h5/oauth/callback', 'PUBLIC_BASE_URL wins over any header');
});

test('a client that aborts mid-body is not an error: no error line, no stack', async (t) => {
  const { lines, log } = sink();
  const h = await startHarness({ log });
  t.teardown(() => h.close());
  const { port } = new URL(h.server.url);
  for (const path of ['/wechat?encrypt_type=aes', '/carrier/v1/screen', '/sms/inbound']) {
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => {
        s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n<xml><Encrypt>`);
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 100);
      });
    });
  }
  await new Promise((r) => setTimeout(r, 300));
  const bad = lines.filter((l) => /"level":(50|60)/.test(l) || l.includes('"stack"'));
  t.deepEqual(bad, []);
  // The server is still there.
  t.is((await fetch(`${h.server.url}/healthz`)).status, 200);
});

test('a request whose headers dribble in past 5 s is cut off, not held open', async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  const { port } = new URL(h.server.url);
  const started = Date.now();
  const { closedAfter, answer } = await new Promise<{ closedAfter: number; answer: string }>((resolve) => {
    let answer = '';
    const s = net.connect(Number(port), '127.0.0.1', () => s.write('POST /wechat HTTP/1.1\r\nHost: x\r\n'));
    const drip = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 500);
    s.on('data', (d) => (answer += String(d)));
    s.on('close', () => {
      clearInterval(drip);
      resolve({ closedAfter: Date.now() - started, answer });
    });
    setTimeout(() => s.destroy(), 15_000);
  });
  t.true(closedAfter < 8000, `closed after ${closedAfter} ms`);
  t.regex(answer, /^HTTP\/1\.1 408/);
});
