// A worker thread of seal-pool.ts: seals the numbers it is sent (PhoneVault.sealMany) with the sub-keys
// its parent gave it at start.
import { parentPort, workerData } from 'node:worker_threads';
import { PhoneVault } from './phone-vault';

const keys = workerData as { encKey: Uint8Array; macKey: Uint8Array };
const vault = new PhoneVault({ encKey: Buffer.from(keys.encKey), macKey: Buffer.from(keys.macKey) });

parentPort!.on('message', (m: { id: number; phones: string[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, ...vault.sealMany(m.phones) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
