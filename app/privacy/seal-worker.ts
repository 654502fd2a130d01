// A worker thread of seal-pool.ts: seals, hashes or encrypts the numbers it is sent (PhoneVault.sealMany) with the sub-keys
// its parent gave it at start.
import { parentPort, workerData } from 'node:worker_threads';
import { PhoneVault } from './phone-vault';

const keys = workerData as { encKey: Uint8Array; macKey: Uint8Array };
const vault = new PhoneVault({ encKey: Buffer.from(keys.encKey), macKey: Buffer.from(keys.macKey) });

parentPort!.on('message', (m: { id: number; phones: string[]; op: 'seal' | 'hash' | 'encrypt' }) => {
  try {
    if (m.op === 'hash') {
      // Raw bytes in a buffer of their own, handed over rather than copied.
      const bytes = vault.lookupHashBytes(m.phones);
      parentPort!.postMessage({ id: m.id, bytes }, [bytes.buffer as ArrayBuffer]);
      return;
    }
    const out = m.op === 'encrypt' ? { hashes: [], ciphers: vault.encryptMany(m.phones) } : vault.sealMany(m.phones);
    parentPort!.postMessage({ id: m.id, ...out });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
