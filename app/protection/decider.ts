// The engine the network asks "block this call?": gathers what decide() needs (the callee's preferences,
// the caller's labels, the caller's behaviour) from in-process structures, and remembers what breakthrough
// needs. On the common path (callee cached, breakthrough off) nothing is awaited but a resolved promise.
import type { Deps } from '../deps';
import type { BehaviourConfig } from '../config';
import { Behaviour, type BehaviourOptions } from './behaviour';
import { decide, type BehaviourFacts, type Decision, type DecisionInput, type LabelHit } from './decide';
import { LabelIndex } from '../labels/label-index';
import { LabelService } from '../labels/service';
import { numberKey } from './number-key';
import { normalizeNumber, type NormalizedNumber } from './numbers';
import { PreferenceSource } from './preference-source';
import type { Preferences } from './preferences';
import { CallMemory, type RememberedCall } from './call-memory';
import { publicService } from './public-service';
import { decision, PASSABLE_BY_BREAKTHROUGH } from './rules';
import { SubscriberView } from './subscriber-view';
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
  /** The network's id of this call attempt: screens with one callId within 10 minutes are one call. */
  callId?: string;
  /** The answer only: nothing counted or remembered. */
  dryRun?: boolean;
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
  /** Every enrolled callee in memory; until it is loaded (or without it) callees are read through preferenceSource. */
  subscriberView?: SubscriberView;
  /** Absent: no consent ever lets a call through. */
  consents?: ConsentFacts;
  /** When consents count (the marketers' calling hours, China time). */
  consentHours?: (now: number) => boolean;
}

const NOT_ENROLLED = decision('allow', 'not_enrolled');
const PUBLIC_SERVICE = decision('allow', 'public_service');
const NO_LABELS: readonly LabelHit[] = [];

interface Prepared {
  call: ScreenCall;
  caller: NormalizedNumber;
  callee: NormalizedNumber;
  /** numberKey of a mobile callee (the only kind that can be enrolled), else NaN: computed once per call. */
  calleeKey: number;
  now: number;
  labels: readonly LabelHit[];
  highFrequency: boolean;
  callBombing: boolean;
  publicService: boolean;
  /** The earlier attempt of this call (same callId): its answer is this one's. */
  retryOf?: RememberedCall;
  /** Settles the answer remembered for this call's id (a later attempt waits on it). */
  settle?: { resolve(d: Decision): void; reject(e: unknown): void };
}

function timeOf(at: string | undefined, serverNow: number): number {
  if (at) {
    const t = Date.parse(at);
    if (!Number.isNaN(t)) return t;
  }
  return serverNow;
}

/** The operator's thresholds (BEHAVIOUR_* variables) as Behaviour options. */
function behaviourSettings(b: BehaviourConfig | undefined): Partial<BehaviourOptions> {
  if (!b) return {};
  return { threshold: b.highFrequencyCalls, windowMs: b.highFrequencyWindowMs, repeatThreshold: b.repeatCalls, repeatWindowMs: b.repeatWindowMs };
}

export class Decider {
  readonly labelIndex: LabelIndex;
  readonly preferenceSource: PreferenceSource;
  readonly behaviour: Behaviour;
  /** callId → the answer it got (call-memory.ts). */
  readonly calls = new CallMemory();
  readonly subscriberView?: SubscriberView;
  private viewLoading?: Promise<void>;
  private stopped = false;
  private readonly consents?: ConsentFacts;
  private readonly consentHours: (now: number) => boolean;
  private readonly facts: BehaviourFacts = { highFrequency: false, callBombing: false, lastStoppedAt: undefined };
  private readonly input: DecisionInput = { caller: { kind: 'invalid', value: '' } as NormalizedNumber, prefs: null, labels: NO_LABELS, facts: this.facts, now: 0 };

  constructor(
    private readonly deps: Pick<Deps, 'log'>,
    parts: DeciderParts,
  ) {
    this.labelIndex = parts.labelIndex;
    this.preferenceSource = parts.preferenceSource;
    this.behaviour = parts.behaviour;
    this.subscriberView = parts.subscriberView;
    this.consents = parts.consents;
    this.consentHours = parts.consentHours ?? (() => true);
  }

  /** Whether callees are answered from the subscriber view (true when the process has none). */
  get subscriberViewReady(): boolean {
    return !this.subscriberView || this.subscriberView.ready;
  }

  /** The usual assembly from the process's dependencies. */
  static create(
    deps: Deps,
    opts: {
      behaviour?: Partial<ConstructorParameters<typeof Behaviour>[1]>;
      index?: ConstructorParameters<typeof LabelIndex>[1];
      prefs?: ConstructorParameters<typeof PreferenceSource>[1];
      view?: ConstructorParameters<typeof SubscriberView>[1];
      consents?: ConsentFacts;
    } = {},
  ): Decider {
    const labels = new LabelService(deps.db);
    const onError = (what: string) => (e: unknown) => deps.log.warn({ err: e }, `decision engine: ${what} failed`);
    return new Decider(deps, {
      labelIndex: new LabelIndex(labels, { onError: onError('label refresh'), ...opts.index }),
      preferenceSource: new PreferenceSource(deps, { onError: onError('preference invalidation'), ...opts.prefs }),
      subscriberView: new SubscriberView(deps, { onError: onError('subscriber view refresh'), ...opts.view }),
      behaviour: new Behaviour(deps.store, {
        labels,
        hashNumber: (n) => deps.vault.lookupHash(n),
        onError: onError('behaviour flush'),
        ...behaviourSettings(deps.config.behaviour),
        ...opts.behaviour,
      }),
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
    // In the background: the server listens (and /readyz says 503) while millions of subscribers load.
    if (this.subscriberView) this.viewLoading = this.loadView(this.subscriberView);
  }

  /** Loads the subscriber view, retrying while the database is unreachable, then follows its log. */
  private async loadView(view: SubscriberView): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await view.build();
        if (this.stopped) return;
        await view.start();
        this.deps.log.info({ subscribers: view.size, customised: view.customised, seconds: Number(view.loadSeconds.toFixed(2)) }, 'subscriber view loaded');
        return;
      } catch (e) {
        this.deps.log.warn({ err: e, attempt }, 'subscriber view: load failed, retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * attempt)).unref());
      }
    }
  }

  /** Resolves once the subscriber view is loaded (tests, benchmarks). */
  async subscriberViewLoaded(): Promise<void> {
    await this.viewLoading;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.viewLoading;
    await this.subscriberView?.stop();
    this.preferenceSource.stop();
    await this.labelIndex.stop();
    await this.behaviour.stop();
  }

  /** Normalises, counts the call, looks up the caller's labels: everything but the callee's side. */
  /** `reuse`: a Prepared of the caller's that nothing holds any more, filled afresh instead of allocating one. */
  private prepare(call: ScreenCall, serverNow: number, reuse?: Prepared): Prepared {
    const caller = normalizeNumber(call.caller);
    const callee = normalizeNumber(call.callee);
    const now = timeOf(call.at, serverNow);
    const calleeKey = callee.kind === 'mobile' ? numberKey(callee.value) : NaN;
    let p: Prepared;
    if (reuse === undefined) p = { call, caller, callee, calleeKey, now, labels: NO_LABELS, highFrequency: false, callBombing: false, publicService: false, retryOf: undefined, settle: undefined };
    else {
      p = reuse;
      p.call = call;
      p.caller = caller;
      p.callee = callee;
      p.calleeKey = calleeKey;
      p.now = now;
      p.labels = NO_LABELS;
      p.highFrequency = false;
      p.callBombing = false;
      p.publicService = false;
      p.retryOf = undefined;
      p.settle = undefined;
    }
    if (call.callId !== undefined) {
      p.retryOf = this.calls.get(call.callId, caller, callee, serverNow);
      if (p.retryOf) return p; // answered already (or being answered): not counted twice
      if (!call.dryRun) {
        // Remembered before it is decided: a retry later in the same batch, or concurrent, waits for this answer.
        const answer = new Promise<Decision>((resolve, reject) => (p.settle = { resolve, reject }));
        answer.catch(() => undefined);
        this.calls.remember(call.callId, caller, callee, answer, serverNow);
      }
    }
    if (caller.kind === 'invalid') return p;
    // Public-service numbers are short codes, service or landline numbers, never mobiles (the hot case).
    if (caller.kind !== 'mobile' && publicService.has(caller.value)) {
      p.publicService = true;
      return p;
    }
    const key = numberKey(caller.value);
    if (Number.isNaN(key)) return p;
    p.labels = this.labelIndex.lookupKey(key, now);
    // Counted on the server's clock: `at` says when the call was placed, not when it reached us.
    if (call.dryRun) {
      p.highFrequency = this.behaviour.isHighFrequency(key, serverNow);
      p.callBombing = !Number.isNaN(calleeKey) && this.behaviour.isCallBombing(key, calleeKey, serverNow);
    } else {
      p.highFrequency = this.behaviour.observe(key, caller.value, serverNow);
      if (!Number.isNaN(calleeKey)) p.callBombing = this.behaviour.observePair(key, caller.value, calleeKey, callee.value, serverNow);
    }
    return p;
  }

  private decideWith(p: Prepared, prefs: Preferences | null, lastStoppedAt?: number): Decision {
    // decide() reads its input synchronously and keeps none of it: one input serves every call.
    const facts = this.facts;
    facts.highFrequency = p.highFrequency;
    facts.callBombing = p.callBombing;
    facts.lastStoppedAt = lastStoppedAt;
    const input = this.input;
    input.caller = p.caller;
    input.publicService = p.publicService;
    input.callerIndustry = p.call.callerIndustry;
    input.attestation = p.call.attestation;
    input.prefs = prefs;
    input.labels = p.labels;
    input.now = p.now;
    input.callerAccount = p.call.callerAccount;
    input.consentFor = this.consentFor(p);
    try {
      return decide(input);
    } finally {
      input.prefs = null;
      input.labels = NO_LABELS;
      input.consentFor = undefined;
    }
  }

  /** A first attempt with a callId settles what its retries wait for. */
  private settled(p: Prepared, d: Decision | Promise<Decision>): Decision | Promise<Decision> {
    const settle = p.settle!;
    if (!(d instanceof Promise)) settle.resolve(d);
    else d.then(settle.resolve, settle.reject);
    return d;
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
    let sameCall = false;
    if (PASSABLE_BY_BREAKTHROUGH.has(first.reason)) {
      const last = await this.behaviour.lastStop(prefs.subscriberId, p.caller.value);
      // The stop remembered is this very call attempt, retried (perhaps through another process): not a repeat.
      sameCall = last !== undefined && p.call.callId !== undefined && last.callId === p.call.callId;
      if (last !== undefined && !sameCall) decision = this.decideWith(p, prefs, last.at);
    }
    if (decision.action !== 'allow' && !sameCall && !p.call.dryRun) await this.behaviour.recordStop(prefs.subscriberId, p.caller.value, p.now, bt.withinMinutes, p.call.callId);
    return decision;
  }

  private prefsFor(p: Prepared): Preferences | null | Promise<Preferences | null> {
    // Subscribers bind mainland mobiles only: any other callee cannot be enrolled.
    if (p.callee.kind !== 'mobile') return null;
    const view = this.subscriberView;
    if (view?.ready) return Number.isNaN(p.calleeKey) ? null : view.getNumber(p.calleeKey);
    return this.preferenceSource.get(p.callee.value);
  }

  async screen(call: ScreenCall): Promise<Decision> {
    const serverNow = Date.now();
    const p = this.prepare(call, serverNow);
    if (p.retryOf) return p.retryOf.answer;
    if (!p.settle) return this.screenPrepared(p);
    return this.settled(p, this.screenPrepared(p));
  }

  private async screenPrepared(p: Prepared): Promise<Decision> {
    if (p.publicService) return PUBLIC_SERVICE;
    const prefs = this.prefsFor(p);
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
    const view = this.subscriberView;
    if (view !== undefined && view.ready) return this.screenBatchFromView(calls, view, serverNow);
    const prepared = calls.map((c) => this.prepare(c, serverNow));
    // Until the view is loaded (or without it) calls share one preference lookup per callee.
    const prefsOf = new Map<string, Preferences | null>();
    const misses: string[] = [];
    for (const p of prepared) {
      if (p.retryOf || p.publicService || p.callee.kind !== 'mobile' || prefsOf.has(p.callee.value)) continue;
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
      const d = this.decideInBatch(p, p.callee.kind !== 'mobile' ? null : (prefsOf.get(p.callee.value) ?? null));
      out[i] = d instanceof Promise ? await d : d;
    }
    return out;
  }

  /**
   * The view answers each callee from memory as fast as a shared lookup would, so each call is prepared
   * and decided in turn, in the same order as screen() one by one: nothing of a call outlives its step.
   */
  private async screenBatchFromView(calls: readonly ScreenCall[], view: SubscriberView, serverNow: number): Promise<Decision[]> {
    const out: Decision[] = new Array(calls.length);
    // One Prepared for the whole batch: each call's is done with (its answer awaited) before the next is
    // prepared, and this batch's alone (a concurrent batch has its own).
    let scratch: Prepared | undefined;
    for (let i = 0; i < calls.length; i++) {
      const p = (scratch = this.prepare(calls[i], serverNow, scratch));
      const prefs = p.retryOf || p.publicService || Number.isNaN(p.calleeKey) ? null : view.getNumber(p.calleeKey);
      const d = this.decideInBatch(p, prefs);
      out[i] = d instanceof Promise ? await d : d;
    }
    return out;
  }

  /** One prepared call of a batch with its callee's preferences (null: not enrolled). */
  private decideInBatch(p: Prepared, prefs: Preferences | null): Decision | Promise<Decision> {
    if (p.retryOf) return p.retryOf.answer;
    let d: Decision | Promise<Decision>;
    if (p.publicService) d = PUBLIC_SERVICE;
    else if (!prefs) d = NOT_ENROLLED;
    else if (!prefs.options.breakthrough.enabled) d = this.decideWith(p, prefs);
    else d = this.finish(p, prefs);
    return p.settle ? this.settled(p, d) : d;
  }
}
