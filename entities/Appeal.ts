import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/**
 * An appeal (误拦截申诉): a subscriber's "this call was mine" (the number is on their allow list from the
 * moment they appeal; the appeal asks whether the label itself is wrong), or a number's owner contesting
 * its label through an operator. Either waits for an operator's decision.
 */
@Entity('appeal')
@Index('ix_appeal_status_at', ['status', 'createdAt'])
@Index('ix_appeal_number', ['number'])
export class Appeal {
  @PrimaryGeneratedColumn()
  id!: number;

  /** subscriber (a wrong interception) | owner (the number's owner, through an operator) */
  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @Column({ type: 'integer', nullable: true })
  subscriberId!: number | null;

  /** The appealed number in normal form. */
  @Column({ type: 'varchar', length: 64 })
  number!: string;

  /** The appealed number, AES-256-GCM sealed; `number` is its keyed lookup hash (app/privacy/sealed-numbers.ts). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  numberCipher!: string | null;

  /** The interception that prompted it, when known. */
  @Column({ type: 'integer', nullable: true })
  interceptionId!: number | null;

  /** open | upheld | rejected */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** Why (free text from the subscriber or the operator; an owner's organisation and contact). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  note!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  resolution!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  resolvedBy!: string | null;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  resolvedAt!: Date | null;
}
