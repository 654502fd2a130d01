import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from './columns';

/**
 * Every change made to a number's labels by reports, appeals and operators: what it became, what it was
 * before, who did it and why. number_label holds only the present; this is how a corrected label keeps
 * its history.
 */
@Entity('label_history')
@Index('ix_label_history_number_at', ['number', 'at'])
export class LabelHistory {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 20 })
  number!: string;

  @Column({ type: 'varchar', length: 24 })
  category!: string;

  /** set | renewed | corrected | cleared */
  @Column({ type: 'varchar', length: 16 })
  change!: string;

  /** The label after the change (null confidence when cleared). */
  @Column({ type: 'varchar', length: 12 })
  source!: string;

  @Column({ type: 'double', nullable: true })
  confidence!: number | null;

  /** The label before the change; null when there was none (or it had been removed). */
  @Column({ type: 'varchar', length: 12, nullable: true })
  previousSource!: string | null;

  @Column({ type: 'double', nullable: true })
  previousConfidence!: number | null;

  /** reports | operator:<name> | system */
  @Column({ type: 'varchar', length: 64 })
  actor!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  reason!: string | null;

  /** number_label.version the change was written under. */
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  version!: number;

  @Column(timeColumn)
  at!: Date;
}
