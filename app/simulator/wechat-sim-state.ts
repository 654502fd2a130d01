// The simulated WeChat platform's memory: apps, followers, access tokens, OAuth codes, the published menu,
// every message "delivered" to a user, counters, and injected faults. The simulator page and tests read
// and steer it; wechat-api-server.ts answers HTTP from it.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SimMenu } from './wechat-menu-state';

/** An errcode answered as WeChat would, no answer at all, or an HTTP status from a broken front end. */
export type WechatFault = number | 'timeout' | { http: number };

export interface SimApp {
  appId: string;
  appSecret: string;
  /** Template ids added to this account; any other id answers 40037. */
  templateIds: Set<string>;
}

export interface SimFollower {
  following: boolean;
  /** A template this user refused (43101). */
  refusedTemplates: Set<string>;
  /** Epoch ms of the user's last message or event: customer-service messages are allowed for 48 h after it. */
  lastInteractionAt: number;
}

export type SentMessage =
  | { seq: number; kind: 'template'; at: Date; appId: string; touser: string; msgid: string; templateId: string; url?: string; data: Record<string, { value: string }> }
  | { seq: number; kind: 'custom'; at: Date; appId: string; touser: string; msgtype: string; text: string };

interface IssuedToken {
  appId: string;
  kind: 'stable' | 'plain';
  expiresAt: number;
}

interface IssuedCode {
  appId: string;
  openid: string;
  scope: string;
  expiresAt: number;
  used: boolean;
}

export interface ApiError {
  errcode: number;
  errmsg: string;
}

/** WeChat appends a request id to every errmsg; keeping it here keeps clients from matching on errmsg. */
export const wxError = (errcode: number, errmsg: string): ApiError => ({ errcode, errmsg: `${errmsg} rid: ${crypto.randomBytes(6).toString('hex')}` });

const TOKEN_SHAPE = /^SIM_[A-Za-z0-9_-]{32,}$/;
const MSGID_BASE = 3487542469355618313n; // a real-looking 64-bit msgid: beyond 2^53, so JSON.parse corrupts it
const CODE_TTL_MS = 5 * 60_000;
const SERVICE_WINDOW_MS = 48 * 3600_000;
/** When /cgi-bin/token issues a new token, the previous one keeps working this long (WeChat's overlap). */
const PLAIN_OVERLAP_MS = 5 * 60_000;

function prune(map: Map<string, { expiresAt: number }>) {
  const now = Date.now();
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
}

export class WechatSimState extends EventEmitter {
  readonly apps = new Map<string, SimApp>();
  readonly followers = new Map<string, SimFollower>();
  /** Every delivered template and customer-service message, oldest first. */
  readonly messages: SentMessage[] = [];
  menu: SimMenu | null = null;
  /** Lifetime of issued access tokens, seconds. */
  tokenTtlS: number;
  maxMessages = 10_000;
  /** Added before every answer (a slow WeChat). */
  delayMs = 0;
  readonly counters = {
    /** Requests to /cgi-bin/token and /cgi-bin/stable_token, faulted ones included. */
    tokenFetches: 0,
    stableTokenFetches: 0,
    plainTokenFetches: 0,
    /** Requests per path, faulted ones included. */
    requests: new Map<string, number>(),
  };

  private readonly tokens = new Map<string, IssuedToken>();
  private readonly currentStable = new Map<string, string>();
  private readonly currentPlain = new Map<string, string>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly faults = new Map<string, WechatFault[]>();
  private seq = 0;
  private msgidSeq = 0n;

  constructor(opts: { tokenTtlS?: number } = {}) {
    super();
    this.tokenTtlS = opts.tokenTtlS ?? 7200;
  }

  addApp(appId: string, appSecret: string, templateIds: Iterable<string> = []): SimApp {
    const app = { appId, appSecret, templateIds: new Set(templateIds) };
    this.apps.set(appId, app);
    return app;
  }

  // ---- users ----------------------------------------------------------------------------------------

  follow(openid: string, at = Date.now()): void {
    const f = this.followers.get(openid);
    if (f) {
      f.following = true;
      f.lastInteractionAt = at;
    } else this.followers.set(openid, { following: true, refusedTemplates: new Set(), lastInteractionAt: at });
  }

  unfollow(openid: string): void {
    const f = this.followers.get(openid);
    if (f) f.following = false;
  }

  /** The user sent a message or tapped the menu: reopens the 48-hour customer-service window. */
  interact(openid: string, at = Date.now()): void {
    const f = this.followers.get(openid);
    if (f) f.lastInteractionAt = at;
  }

  /** The user turned this template off ("拒收"): sends answer 43101. */
  refuseTemplate(openid: string, templateId: string): void {
    this.followers.get(openid)?.refusedTemplates.add(templateId);
  }

  isFollowing(openid: string): boolean {
    return this.followers.get(openid)?.following === true;
  }

  /** Checks a customer-service or template recipient; null when deliverable. */
  recipientError(openid: unknown, templateId?: string): ApiError | null {
    if (typeof openid !== 'string' || !this.followers.has(openid)) return wxError(40003, 'invalid openid');
    const f = this.followers.get(openid)!;
    if (!f.following) return wxError(43004, 'require subscribe');
    if (templateId !== undefined && f.refusedTemplates.has(templateId)) return wxError(43101, 'user refuse to accept the msg');
    if (templateId === undefined && Date.now() - f.lastInteractionAt > SERVICE_WINDOW_MS)
      return wxError(45015, 'response out of time limit or subscription is canceled');
    return null;
  }

  // ---- messages -------------------------------------------------------------------------------------

  recordTemplate(m: { appId: string; touser: string; templateId: string; url?: string; data: Record<string, { value: string }> }): string {
    const msgid = (MSGID_BASE + this.msgidSeq++).toString();
    this.push({ seq: ++this.seq, kind: 'template', at: new Date(), msgid, ...m });
    return msgid;
  }

  recordCustom(m: { appId: string; touser: string; msgtype: string; text: string }): void {
    this.push({ seq: ++this.seq, kind: 'custom', at: new Date(), ...m });
  }

  private push(m: SentMessage) {
    this.messages.push(m);
    // The embedded simulator runs for days; keep the log to what a page can show.
    if (this.messages.length > this.maxMessages) this.messages.splice(0, this.messages.length - this.maxMessages);
    this.emit('message', m);
  }

  publishMenu(menu: SimMenu | null): void {
    this.menu = menu;
    this.emit('menu', menu);
  }

  // ---- access tokens --------------------------------------------------------------------------------

  private newToken(appId: string, kind: IssuedToken['kind']): string {
    if (this.tokens.size > 1000) prune(this.tokens);
    const token = `SIM_${crypto.randomBytes(36).toString('base64url')}`;
    this.tokens.set(token, { appId, kind, expiresAt: Date.now() + this.tokenTtlS * 1000 });
    return token;
  }

  private live(token: string | undefined): IssuedToken | undefined {
    const t = token ? this.tokens.get(token) : undefined;
    return t && t.expiresAt > Date.now() ? t : undefined;
  }

  /** stable_token: the current token while it lives (its remaining lifetime), a new one otherwise or when forced. */
  issueStableToken(appId: string, forceRefresh: boolean): { accessToken: string; expiresIn: number } {
    const current = this.currentStable.get(appId);
    let token: string;
    if (current && !forceRefresh && this.live(current)) token = current;
    else {
      if (current) this.tokens.delete(current);
      token = this.newToken(appId, 'stable');
      this.currentStable.set(appId, token);
    }
    const t = this.tokens.get(token)!;
    return { accessToken: token, expiresIn: Math.max(1, Math.round((t.expiresAt - Date.now()) / 1000)) };
  }

  /** /cgi-bin/token: always a new token; the previous ordinary token keeps working for 5 minutes at most. */
  issuePlainToken(appId: string): { accessToken: string; expiresIn: number } {
    const previous = this.tokens.get(this.currentPlain.get(appId) ?? '');
    if (previous) previous.expiresAt = Math.min(previous.expiresAt, Date.now() + PLAIN_OVERLAP_MS);
    const token = this.newToken(appId, 'plain');
    this.currentPlain.set(appId, token);
    return { accessToken: token, expiresIn: this.tokenTtlS };
  }

  /** The app a token belongs to, or WeChat's answer to a bad one. */
  checkToken(token: string | undefined): { appId: string } | ApiError {
    if (!token) return wxError(41001, 'access_token missing');
    if (!TOKEN_SHAPE.test(token)) return wxError(40014, 'invalid access_token');
    const t = this.tokens.get(token);
    if (!t) return wxError(40001, 'invalid credential, access_token is invalid or not latest');
    if (t.expiresAt <= Date.now()) return wxError(42001, 'access_token expired');
    return { appId: t.appId };
  }

  /** As if someone forced a refresh elsewhere: every token issued so far answers 40001. */
  revokeTokens(): void {
    this.tokens.clear();
    this.currentStable.clear();
    this.currentPlain.clear();
  }

  /** Every token issued so far answers 42001, without waiting for its lifetime. */
  expireTokens(): void {
    const past = Date.now() - 1;
    for (const t of this.tokens.values()) t.expiresAt = past;
  }

  // ---- OAuth2 ---------------------------------------------------------------------------------------

  issueCode(appId: string, openid: string, scope: string): string {
    if (this.codes.size > 1000) prune(this.codes);
    const code = crypto.randomBytes(16).toString('hex');
    this.codes.set(code, { appId, openid, scope, expiresAt: Date.now() + CODE_TTL_MS, used: false });
    return code;
  }

  /** Single use: 40163 on reuse, 40029 for a code never issued (to this app), 42003 once expired. */
  redeemCode(appId: string, code: string): { openid: string; scope: string } | ApiError {
    const c = this.codes.get(code);
    if (!c || c.appId !== appId) return wxError(40029, 'invalid code');
    if (c.used) return wxError(40163, 'code been used');
    if (c.expiresAt <= Date.now()) return wxError(42003, 'code expired');
    c.used = true;
    return { openid: c.openid, scope: c.scope };
  }

  // ---- faults and counters --------------------------------------------------------------------------

  /** The next `times` requests to `path` (e.g. /cgi-bin/message/template/send) get `fault`. */
  failNext(path: string, fault: WechatFault, times = 1): void {
    const q = this.faults.get(path) ?? [];
    for (let i = 0; i < times; i++) q.push(fault);
    this.faults.set(path, q);
  }

  /** Forgets injected faults that were not used. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Counts the request and hands out the fault queued for it, if any. */
  onRequest(path: string): WechatFault | undefined {
    this.counters.requests.set(path, (this.counters.requests.get(path) ?? 0) + 1);
    if (path === '/cgi-bin/token' || path === '/cgi-bin/stable_token') {
      this.counters.tokenFetches++;
      if (path === '/cgi-bin/token') this.counters.plainTokenFetches++;
      else this.counters.stableTokenFetches++;
    }
    return this.faults.get(path)?.shift();
  }

  requestCount(path: string): number {
    return this.counters.requests.get(path) ?? 0;
  }

  templateMessages() {
    return this.messages.filter((m): m is Extract<SentMessage, { kind: 'template' }> => m.kind === 'template');
  }

  customMessages() {
    return this.messages.filter((m): m is Extract<SentMessage, { kind: 'custom' }> => m.kind === 'custom');
  }
}
