// The screen answers as JSON text, written by us: Koa's JSON.stringify of a 1,000-decision batch walks
// 1,000 objects per request, yet the engine's decisions are a few dozen shared ones (rules.ts). Each is
// serialised once and its text reused; anything else (a decision some other engine built) leaves only the
// contract's fields, serialised by JSON.stringify, so no string is ever escaped by hand.
import type { Context } from 'koa';
import { isCanonicalDecision } from '../protection/rules';
import type { Decision } from './schemas';

const texts = new WeakMap<Decision, string>();

/** Only the contract's fields, whatever else an engine attached to its answer. */
export function publicDecision(d: Decision): Decision {
  if (isCanonicalDecision(d)) return d;
  return d.category ? { action: d.action, reason: d.reason, category: d.category } : { action: d.action, reason: d.reason };
}

/** One decision as the JSON the contract documents. */
export function decisionJson(d: Decision): string {
  let text = texts.get(d);
  if (text !== undefined) return text;
  text = JSON.stringify(publicDecision(d));
  // Only the shared, frozen decisions are remembered: another engine's objects may change after answering.
  if (isCanonicalDecision(d)) texts.set(d, text);
  return text;
}

/** `{"results":[…]}` for a batch, in the order of the calls. */
export function batchJson(ds: readonly Decision[]): string {
  let out = '{"results":[';
  for (let i = 0; i < ds.length; i++) out += i === 0 ? decisionJson(ds[i]) : `,${decisionJson(ds[i])}`;
  return `${out}]}`;
}

/** Answers the text as application/json (a string body alone would be text/plain). */
export function answerJson(ctx: Context, json: string): void {
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = json;
}
