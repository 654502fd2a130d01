// Each subscriber's notice settings, read inside the scheduling transaction.
import { In, type EntityManager } from 'typeorm';
import { ProtectionSettings } from '../../entities/ProtectionSettings';
import type { NoticeSettings } from '../protection/preferences';
import { noticeSettingsOf } from './policy';

export type SettingsLookup = (m: EntityManager, subscriberIds: number[]) => Promise<Map<number, NoticeSettings>>;

const CHUNK = 500;

export const readNoticeSettings: SettingsLookup = async (m, ids) => {
  const found = new Map<number, unknown>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await m.find(ProtectionSettings, { select: { subscriberId: true, notices: true }, where: { subscriberId: In(ids.slice(i, i + CHUNK)) } });
    for (const r of rows) found.set(r.subscriberId, r.notices);
  }
  return new Map(ids.map((id) => [id, noticeSettingsOf(found.get(id))]));
};
