// What every service may lean on. Built once in app/main.ts (or by a test) and passed down explicitly.
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { Logger } from './log';
import type { PhoneVault } from './privacy/phone-vault';
import type { Store } from './store';

export interface Deps {
  config: Config;
  log: Logger;
  db: DataSource;
  store: Store;
  vault: PhoneVault;
}
