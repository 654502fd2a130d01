// Every preference writer announces its change here; decision-path caches in every process listen.
import type { Store } from '../store';

export const PREFS_CHANNEL = 'prefs:changed';

/** Readers of the change log in this process (the subscriber view), caught up before an announcement returns. */
const followers = new Set<() => Promise<unknown>>();

/** Registers a local reader; returns its removal. */
export function followChanges(catchUp: () => Promise<unknown>): () => void {
  followers.add(catchUp);
  return () => followers.delete(catchUp);
}

/**
 * Called by every writer after its commit. Other processes learn the change from the log within a poll
 * interval (the message only speeds them up); this process's own view catches up before the writer
 * answers, so the subscriber's next call through this process already sees it (bounded at a second).
 */
export async function announcePreferenceChange(store: Store, subscriberId: number): Promise<void> {
  await store.publish(PREFS_CHANNEL, String(subscriberId));
  if (followers.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([...followers].map((f) => f().catch(() => undefined))),
    new Promise((r) => (timer = setTimeout(r, 1000))),
  ]);
  clearTimeout(timer);
}
