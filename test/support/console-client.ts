// A browser's worth of HTTP for the console: a cookie jar, the CSRF token read from the last page's forms,
// urlencoded posts, redirects left for the test to see. Operators are made by the real CLI.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Harness } from './app-harness';

export interface Page {
  status: number;
  location: string | null;
  html: string;
}

export class ConsoleClient {
  private readonly jar = new Map<string, string>();
  csrf = '';

  /** `headers` go with every request (a proxy's X-Forwarded-For, say). */
  constructor(
    readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  private cookieHeader(): string {
    return [...this.jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  private async read(res: Response): Promise<Page> {
    this.remember(res);
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html);
    if (token) this.csrf = token[1];
    return { status: res.status, location: res.headers.get('location'), html };
  }

  async get(p: string): Promise<Page> {
    return this.read(await fetch(new URL(p, this.base), { redirect: 'manual', headers: { ...this.headers, cookie: this.cookieHeader() } }));
  }

  /** Posts a form with this client's CSRF token unless `_csrf` is given (null: none at all). */
  async post(p: string, form: Record<string, string | null>, o: { contentType?: string; raw?: string } = {}): Promise<Page> {
    const fields: Record<string, string> = {};
    if (!('_csrf' in form)) fields._csrf = this.csrf;
    for (const [k, v] of Object.entries(form)) if (v !== null) fields[k] = v;
    const body = o.raw ?? new URLSearchParams(fields).toString();
    return this.read(await fetch(new URL(p, this.base), { method: 'POST', redirect: 'manual', body, headers: { ...this.headers, cookie: this.cookieHeader(), 'content-type': o.contentType ?? 'application/x-www-form-urlencoded' } }));
  }

  async signIn(name: string, password: string, code?: string): Promise<Page> {
    await this.get('/ops/login');
    return this.post('/ops/login', { name, password, code: code ?? '' });
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }
}

const CLI = path.join(__dirname, '../../app/ops/cli.js');

/** Runs `ops …` as an operator would, with the harness's configuration and `stdin` piped in. */
export function opsCli(h: Harness, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fsr-ops-'));
  const c = h.deps.config;
  const env = { PATH: process.env.PATH ?? '', DATABASE_URL: h.dbUrl, REDIS_URL: c.redisUrl ?? '', REDIS_KEY_PREFIX: c.redisKeyPrefix, DATA_KEY: c.dataKey.toString('base64'), OPS_OPERATOR: 'root-ops', LOG_LEVEL: 'silent' };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd, env }, (err, stdout, stderr) => {
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

/** An operator made through the CLI, password on stdin; the TOTP secret when asked for. */
export async function addOperator(h: Harness, name: string, role: string, password: string, o: { totp?: boolean } = {}): Promise<{ totpSecret: string | null }> {
  const r = await opsCli(h, ['--json', 'operator', 'add', name, '--role', role, ...(o.totp ? ['--totp'] : [])], `${password}\n`);
  if (r.code !== 0) throw new Error(`operator add failed: ${r.stderr}`);
  const uri = JSON.parse(r.stdout).totpUri as string | null;
  return { totpSecret: uri ? new URL(uri).searchParams.get('secret') : null };
}
