import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/**
 * One inbound SMS as the gateway delivered it (POST /sms/inbound). The unique message id is the
 * idempotency key: a replayed delivery finds its row and changes nothing. The sender is kept as the
 * vault's lookup hash and its mask; the text itself is not kept, only what it was read as.
 */
@Entity('inbound_sms')
@Index('ix_inbound_sms_from_at', ['fromHash', 'createdAt'])
export class InboundSms {
  @PrimaryGeneratedColumn()
  id!: number;

  /** The gateway's message id, compared byte for byte. */
  @Index('uq_inbound_sms_message', { unique: true })
  @Column({ type: 'varchar', length: 128 })
  messageId!: string;

  @Column({ type: 'varchar', length: 64 })
  fromHash!: string;

  @Column({ type: 'varchar', length: 16 })
  fromMasked!: string;

  /** What the text was read as: enable | disable | confirm | status | help | unreadable. */
  @Column({ type: 'varchar', length: 16 })
  keyword!: string;

  /** processing | done | ignored */
  @Column({ type: 'varchar', length: 16 })
  state!: string;

  /** The machine-readable result (confirm_asked, enabled, already_enabled, disabled, nothing_pending, …). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  outcome!: string | null;

  /** sms_message.id of the reply, when one went out. */
  @Column({ type: 'integer', nullable: true })
  replySmsId!: number | null;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  finishedAt!: Date | null;
}
