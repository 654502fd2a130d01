// Phones at rest and in logs: encrypted, looked up by keyed hash, masked 138****8000 wherever they are printed.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import test from 'ava';
import { createLogger } from '../app/log';
import { maskPhone, maskPhonesInText } from '../app/privacy/mask';
import { PhoneVault } from '../app/privacy/phone-vault';
import { SealPool } from '../app/privacy/seal-pool';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  return { log: createLogger('info', sink as never), lines };
}

test('the logger masks phones in messages, fields, nested objects and errors', async (t) => {
  const { log, lines } = capture();
  log.info({ phone: '13800138000', nested: { to: '+86 139 0013 9000' }, list: ['8613700137000'] }, 'sent code to 13600136000');
  log.error({ err: new Error('gateway refused 15900159000') }, 'failed');
  await new Promise((r) => setImmediate(r));
  const out = lines.join('');
  t.notRegex(out, /1[3-9]\d{9}/, out);
  t.regex(out, /138\*\*\*\*8000/);
  t.regex(out, /136\*\*\*\*6000/);
  t.regex(out, /159\*\*\*\*9000/);
});

test('masking keeps the first three and last four digits', (t) => {
  t.is(maskPhone('13800138000'), '138****8000');
  t.is(maskPhone('+86 138-0013-8000'), '138****8000');
  t.is(maskPhonesInText('call 13800138000 and 4001234567'), 'call 138****8000 and 4001234567');
});

test('the vault: ciphertext never shows the number, decrypts back, and lookups are keyed', (t) => {
  const a = new PhoneVault(crypto.randomBytes(32));
  const b = new PhoneVault(crypto.randomBytes(32));
  const sealed = a.encrypt('13800138000');
  t.false(sealed.includes('13800138000'));
  t.not(a.encrypt('13800138000'), sealed, 'a fresh IV each time');
  t.is(a.decrypt(sealed), '13800138000');
  t.is(a.lookupHash('13800138000'), a.lookupHash('13800138000'));
  t.not(a.lookupHash('13800138000'), b.lookupHash('13800138000'), 'without DATA_KEY the hash cannot be recomputed');
  t.throws(() => b.decrypt(sealed), undefined, 'another key cannot open it');
  const tampered = Buffer.from(sealed, 'base64');
  tampered[tampered.length - 1] ^= 1;
  t.throws(() => a.decrypt(tampered.toString('base64')), undefined, 'tampering is detected');
});

test('the import paths give what lookupHash and encrypt give one by one: raw hash bytes, on worker threads too, and ciphers that open', async (t) => {
  const vault = new PhoneVault(crypto.randomBytes(32));
  const phones = ['13800138000', '+8613800138000', '', '1'.repeat(64), '1'.repeat(65), '一二三', ...Array.from({ length: 500 }, (_, i) => `1770000${String(i).padStart(4, '0')}`)];
  const bytes = vault.lookupHashBytes(phones);
  t.is(bytes.length, phones.length * 32);
  t.deepEqual(phones.map((_, i) => bytes.toString('hex', i * 32, i * 32 + 32)), phones.map((p) => vault.lookupHash(p)));
  // A vault with a data key of its own: the key matters, not only the construction.
  t.not(new PhoneVault(crypto.randomBytes(32)).lookupHashBytes(phones.slice(0, 1)).toString('hex'), vault.lookupHash(phones[0]));
  const pool = new SealPool(vault, 2);
  t.teardown(() => pool.close());
  const pooled = await pool.hash(phones);
  t.deepEqual(pooled, bytes);
  const ciphers = await pool.encrypt(phones);
  t.deepEqual(ciphers.map((c) => vault.decrypt(c)), phones);
  t.true(ciphers.every((c, i) => phones[i] === '' || !c.includes(phones[i])));
});
