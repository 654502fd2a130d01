// The embedded SQLite serves overlapping requests: concurrent transactions queue instead of failing.
import test from 'ava';
import { Subscriber } from '../entities';
import { SubscriberService } from '../app/binding/subscriber-service';
import { createTestDb } from './support/backends';

test('twenty subscribers following at once on SQLite are all recorded', async (t) => {
  const db = await createTestDb('sqlite');
  t.teardown(() => db.drop());
  const subscribers = new SubscriberService(db.ds);
  await Promise.all(Array.from({ length: 20 }, (_, i) => subscribers.followed(`oConcurrent_${String(i).padStart(4, '0')}`)));
  t.is(await db.ds.getRepository(Subscriber).countBy({ subscribed: true }), 20);
});
