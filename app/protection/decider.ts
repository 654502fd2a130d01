// The engine the network asks "block this call?": gathers what decide() needs (the callee's preferences,
// the caller's labels, the caller's behaviour) from in-process structures, and remembers what breakthrough
// needs. On the common path (callee cached, breakthrough off) nothing is awaited but a resolved promise.
import type { Deps } from '../deps';
import { Behaviour } from './behaviour';
import { decide, type BehaviourFacts, type Decision, type LabelHit } from './decide';
import { LabelIndex } from './label-index';
import { LabelService } from './label-service';
import { numberKey } from './number-key';
import { normalizeNumber, type NormalizedNumber } from './numbers';
import { PreferenceSource } from './preference-source';
import type { Preferences } from './preferences';
import { PASSABLE_BY_BREAKTHROUGH } from './rules';
import { insideCallingHours } from '../marketers/calling-hours';

export interface ScreenCall {
  caller: string;
  callee: string;
  /** The caller's registered industry, as a category code, where the network knows it. */
  callerIndustry?: string;
  /** The caller authentication result (A full, B partial, C gateway). */
  attestation?: 'A' | 'B' | 'C';
  /** When the call is placed (ISO-8601); the server's clock when absent or unreadable. */
  at?: string;
  /** The marketer account (a MARKETER_KEYS key id) the network attributes the call to. */
  callerAccount?: string;
}

/** Live consents, as the decision reads them (app/marketers/consent-index.ts keeps them in memory). */
export interface ConsentFacts {
  has(number: string): boolean;
  stateOf(keyId: string, number: string, category: string, now: number): 'live' | 'revoked' | 'none';
}

export type { Decision } from './decide';

export interface DeciderParts {
  labelIndex: LabelIndex;
  preferenceSource: PreferenceSource;
  behaviour: Behaviour;
  /** Absent: no consent ever lets a call through. */
  consents?: ConsentFacts;
  /** When consents count (the marketers' calling hours, China time). */
  consentHours?: (now: number) => boolean;
}

const NOT_ENROLLED: Decision = { action: 'allow', reason: 'not_enrolled' };
const NO_LABELS: readonly LabelHit[] = [];

interface Prepared {
  call: ScreenCall;
  caller: NormalizedNumber;
  callee: NormalizedNumber;
  now: number;
  labels: readonly LabelHit[];
  highFrequency: boolean;
}

function timeOf(at: string | undefined, serverNow: number): number {
  if (at) {
    const t = Date.parse(at);
    if (!Number.isNaN(t)) return t;
  }
  return serverNow;
}

export class Decider {
  readonly labelIndex: LabelIndex;
  readonly preferenceSource: PreferenceSource;
  readonly behaviour: Behaviour;
  private readonly consents?: ConsentFacts;
  private readonly consentHours: (now: number) => boolean;

  constructor(
    private readonly deps: Pick<Deps, 'log'>,
    parts: DeciderParts,
  ) {
    this.labelIndex = parts.labelIndex;
    this.preferenceSource = parts.preferenceSource;
    this.behaviour = parts.behaviour;
    this.consents = parts.consents;
    this.consentHours = parts.consentHours ?? (() => true);
  }

  /** The usual assembly from the process's dependencies. */
  static create(
    deps: Deps,
    opts: {
      behaviour?: Partial<ConstructorParameters<typeof Behaviour>[1]>;
      index?: ConstructorParameters<typeof LabelIndex>[1];
      prefs?: ConstructorParameters<typeof PreferenceSource>[1];
      consents?: ConsentFacts;
    } = {},
  ): Decider {
    const labels = new LabelService(deps.db);
    const onError = (what: string) => (e: unknown) => deps.log.warn({ err: e }, `decision engine: ${what} failed`);
    return new Decider(deps, {
      labelIndex: new LabelIndex(labels, { onError: onError('label refresh'), ...opts.index }),
      preferenceSource: new PreferenceSource(deps, { onError: onError('preference invalidation'), ...opts.prefs }),
      behaviour: new Behaviour(deps.store, { labels, hashNumber: (n) => deps.vault.lookupHash(n), onError: onError('behaviour flush'), ...opts.behaviour }),
      consents: opts.consents,
      consentHours: (now) => insideCallingHours(deps.config.marketer.callingHours, now),
    });
  }

  /** Loads the labels, subscribes to preference changes, starts the refresh and flush timers. */
  async start(): Promise<void> {
    await this.labelIndex.build();
    await this.preferenceSource.start();
    this.labelIndex.start();
    this.behaviour.start();
  }

  async stop(): Promise<void> {
    this.preferenceSource.stop();
    await this.labelIndex.stop();
    await this.behaviour.stop();
  }

  /** Normalises, counts the call, looks up the caller's labels: everything but the callee's side. */
  private prepare(call: ScreenCall, serverNow: number): Prepared {
    const caller = normalizeNumber(call.caller);
    const callee = normalizeNumber(call.callee);
    const now = timeOf(call.at, serverNow);
    let labels = NO_LABELS;
    let highFrequency = false;
    if (caller.kind !== 'invalid') {
      const key = numberKey(caller.value);
      if (!Number.isNaN(key)) {
        labels = this.labelIndex.lookupKey(key, now);
        // Counted on the server's clock: `at` says when the call was placed, not when it reached us.
        highFrequency = this.behaviour.observe(key, caller.value, serverNow);
      }
    }
    return { call, caller, callee, now, labels, highFrequency };
  }

  private decideWith(p: Prepared, prefs: Preferences | null, lastStoppedAt?: number): Decision {
    const facts: BehaviourFacts = { highFrequency: p.highFrequency, lastStoppedAt };
    return decide({
      caller: p.caller,
      callerIndustry: p.call.callerIndustry,
      attestation: p.call.attestation,
      prefs,
      labels: p.labels,
      facts,
      now: p.now,
      callerAccount: p.call.callerAccount,
      consentFor: this.consentFor(p),
    });
  }

  /** Only for a call naming a marketer account, to a callee some consent exists for, inside calling hours. */
  private consentFor(p: Prepared): ((category: string) => boolean) | undefined {
    const account = p.call.callerAccount;
    const consents = this.consents;
    if (!account || !consents || !consents.has(p.callee.value) || !this.consentHours(p.now)) return undefined;
    return (category) => consents.stateOf(account, p.callee.value, category, p.now) === 'live';
  }

  /**
   * Breakthrough needs the store: only for callees who turned it on, and only when the call would be
   * stopped by a rule a repeat call may pass. A stopped call is remembered for the next attempt.
   */
  private async finish(p: Prepared, prefs: Preferences | null): Promise<Decision> {
    const first = this.decideWith(p, prefs);
    if (!prefs || !prefs.options.breakthrough.enabled || first.action === 'allow' || p.caller.kind === 'invalid') return first;
    const bt = prefs.options.breakthrough;
    let decision = first;
    if (PASSABLE_BY_BREAKTHROUGH.has(first.reason)) {
      const last = await this.behaviour.lastStoppedAt(prefs.subscriberId, p.caller.value);
      if (last !== undefined) decision = this.decideWith(p, prefs, last);
    }
    if (decision.action !== 'allow') await this.behaviour.recordStop(prefs.subscriberId, p.caller.value, p.now, bt.withinMinutes);
    return decision;
  }

  private prefsFor(callee: NormalizedNumber): Preferences | null | Promise<Preferences | null> {
    // Subscribers bind mainland mobiles only: any other callee cannot be enrolled.
    if (callee.kind !== 'mobile') return null;
    return this.preferenceSource.get(callee.value);
  }

  async screen(call: ScreenCall): Promise<Decision> {
    const p = this.prepare(call, Date.now());
    const prefs = this.prefsFor(p.callee);
    const resolved = prefs instanceof Promise ? await prefs : prefs;
    if (!resolved) return NOT_ENROLLED;
    return this.finish(p, resolved);
  }

  /**
   * The same answers as screen() one by one, in order. Calls share one preference lookup per callee;
   * calls needing the store (breakthrough) run in order, so a repeat inside one batch is seen as one.
   */
  async screenBatch(calls: readonly ScreenCall[]): Promise<Decision[]> {
    const serverNow = Date.now();
    const prepared = calls.map((c) => this.prepare(c, serverNow));
    const prefsOf = new Map<string, Preferences | null>();
    const misses: string[] = [];
    for (const p of prepared) {
      if (p.callee.kind !== 'mobile' || prefsOf.has(p.callee.value)) continue;
      const hit = this.preferenceSource.peek(p.callee.value);
      prefsOf.set(p.callee.value, hit ?? null);
      if (hit === undefined) misses.push(p.callee.value);
    }
    if (misses.length) {
      const values = await Promise.all(misses.map((c) => this.preferenceSource.load(c)));
      misses.forEach((c, i) => prefsOf.set(c, values[i]));
    }
    const out: Decision[] = new Array(prepared.length);
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i];
      const prefs = p.callee.kind === 'mobile' ? (prefsOf.get(p.callee.value) ?? null) : null;
      if (!prefs) out[i] = NOT_ENROLLED;
      else if (!prefs.options.breakthrough.enabled) out[i] = this.decideWith(p, prefs);
      else out[i] = await this.finish(p, prefs);
    }
    return out;
  }
}
