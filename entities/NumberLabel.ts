import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

const bigintAsNumber = { to: (v: number) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) };

/**
 * What is believed about a number (号码标记): one row per number and category. Rows are never deleted: a
 * removal is a tombstone with a fresh version, so the incremental label feed can carry it to edge copies.
 * The primary key is the number's numeric key (app/protection/number-key.ts), so the in-process index
 * loads in key order straight off the clustered index.
 */
@Entity('number_label')
export class NumberLabel {
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  numberKey!: number;

  /** Category code (loan_finance … fraud) or behaviour tag (high_frequency, one_ring). */
  @PrimaryColumn({ type: 'varchar', length: 24 })
  category!: string;

  /** The number in normal form (app/protection/numbers.ts). */
  @Column({ type: 'varchar', length: 20 })
  number!: string;

  /** 'import' | 'report' | 'behaviour' | 'operator': who last vouched for it; sets how fast it fades. */
  @Column({ type: 'varchar', length: 12 })
  source!: string;

  /** 0..1 as of lastSeen; decays from there (docs/decisions.md, "Label confidence"). */
  @Column({ type: 'double' })
  confidence!: number;

  @Column({ type: 'integer', default: 0 })
  evidenceCount!: number;

  @Column(timeColumn)
  firstSeen!: Date;

  @Column(timeColumn)
  lastSeen!: Date;

  @Column(nullableTime)
  expiresAt!: Date | null;

  /** From one global sequence, in commit order: the label feed's cursor. */
  @Index('uq_label_version', { unique: true })
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  version!: number;

  @Column({ type: 'boolean', default: false })
  tombstone!: boolean;

  @Column(timeColumn)
  updatedAt!: Date;
}
