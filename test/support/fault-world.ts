// What the fault tests share: a subscriber enrolled through the chat and a carrier client (chat-journey.ts),
// timing of one answer, and a metric read off /metrics.
import { eventually } from './app-harness';
import { CarrierClient } from './carrier-client';

export { carrierOf, enrolByChat } from './chat-journey';

/**
 * Screens until the callee's preferences are in memory and decide the call (a cold lookup on a busy
 * machine may miss the screen deadline and answer allow/degraded while it loads).
 */
export async function warmScreen(carrier: CarrierClient, call: object): Promise<{ action: string; reason: string }> {
  return eventually(async () => {
    const r = (await carrier.post('/carrier/v1/screen', call)).json;
    return r?.reason !== 'degraded' && r;
  });
}

/** The value and how long it took, in ms. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** Sum of a metric's samples whose labels include `labels` (0 when absent). */
export async function metric(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
