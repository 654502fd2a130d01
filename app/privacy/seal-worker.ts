// A worker thread of seal-pool.ts: seals the numbers it is sent (PhoneVault.sealMany), or opens the seals
// it is sent (PhoneVault.openMany), with the sub-keys its parent gave it at start.
import { parentPort, workerData } from 'node:worker_threads';
import { PhoneVault } from './phone-vault';

const keys = workerData as { encKey: Uint8Array; macKey: Uint8Array };
const vault = new PhoneVault({ encKey: Buffer.from(keys.encKey), macKey: Buffer.from(keys.macKey) });

type Job = { id: number; phones: string[]; sealed?: undefined } | { id: number; sealed: string[]; phones?: undefined };

parentPort!.on('message', (m: Job) => {
  try {
    if (m.sealed) parentPort!.postMessage({ id: m.id, opened: vault.openMany(m.sealed) });
    else parentPort!.postMessage({ id: m.id, ...vault.sealMany(m.phones) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
