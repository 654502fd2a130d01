// Every preference writer announces its change here; decision-path caches in every process listen.
import type { Store } from '../store';

export const PREFS_CHANNEL = 'prefs:changed';

export async function announcePreferenceChange(store: Store, subscriberId: number): Promise<void> {
  await store.publish(PREFS_CHANNEL, String(subscriberId));
}
