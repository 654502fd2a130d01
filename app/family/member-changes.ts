// The one place family protection announces that a member's subscriber changed (enrolled by consent,
// protection changed by a guardian): decision-path caches in every process reload that subscriber.
import { announcePreferenceChange } from '../settings/changes';
import type { Store } from '../store';

export async function recordMemberChange(store: Store, subscriberId: number): Promise<void> {
  await announcePreferenceChange(store, subscriberId);
}
