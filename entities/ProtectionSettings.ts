import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { BehaviourProtection, CategoryCode, CategoryMode, NoticeSettings, ProtectionOptions } from '../app/protection/preferences';
import { jsonColumn, nullableTime, timeColumn } from './columns';

/**
 * A subscriber's protection: on/off, paused, and every preference. Preference groups are JSON documents
 * validated by the protection module, so a new preference is a code change, not a schema change.
 */
@Entity('protection_settings')
// The marketers' changes feed reads settings changes in time order (app/marketers/changes-feed.ts).
@Index('ix_protection_settings_updated', ['updatedAt', 'subscriberId'])
export class ProtectionSettings {
  @PrimaryColumn({ type: 'integer' })
  subscriberId!: number;

  @Column({ type: 'boolean', default: false })
  enabled!: boolean;

  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  @Column(nullableTime)
  enabledAt!: Date | null;

  // Each group as stored: a row written before a preference existed lacks it, so readers fill in the
  // defaults (preferencesOf).

  /** category code → 'allow' | 'block' | 'smart_answer' | 'verify'. */
  @Column(jsonColumn)
  categoryModes!: Partial<Record<CategoryCode, CategoryMode>>;

  /** abnormal high frequency, one-ring, spoofed +86, malformed caller. */
  @Column(jsonColumn)
  behaviour!: Partial<BehaviourProtection>;

  @Column(jsonColumn)
  notices!: Partial<NoticeSettings>;

  /** Time windows, breakthrough and other options that the decision engine reads. */
  @Column(jsonColumn)
  options!: Partial<ProtectionOptions>;

  /** Bumped on every change: caches on the decision path compare it. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column(timeColumn)
  updatedAt!: Date;
}
