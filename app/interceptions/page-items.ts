// Recent interceptions for the 拦截记录 page: the same list the chat shows (app/interceptions/records.ts), shaped
// for the page and its JSON endpoint.
import type { DataSource } from 'typeorm';
import { recentInterceptions as records } from './records';
import type { PhoneVault } from '../privacy/phone-vault';

export interface InterceptionItem {
  /** What 申诉 and 标记 on the page refer to (never the number: that comes from the record). */
  id: number;
  at: string;
  caller: string;
  action: string | null;
  category: string | null;
  reason: string | null;
  /** What happened, in plain Chinese (贷款理财 · 智能接听：对方自称快递…). */
  description: string;
}

export interface Interceptions {
  items: InterceptionItem[];
}

export async function recentInterceptions(db: DataSource, vault: PhoneVault, subscriberId: number, limit = 50): Promise<Interceptions> {
  const page = await records({ db, vault }, subscriberId, { limit });
  return {
    items: page.items.map((r) => ({ id: r.id, at: r.at.toISOString(), caller: r.caller, action: r.action, category: r.category, reason: r.reason, description: r.description })),
  };
}
