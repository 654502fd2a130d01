import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { jsonColumn, timeColumn } from './columns';

/** Who changed what, when, through which channel. Details never hold a clear phone number. */
@Entity('audit_event')
@Index('ix_audit_subscriber_at', ['subscriberId', 'at'])
export class AuditEvent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer', nullable: true })
  subscriberId!: number | null;

  /** 'subscriber' | 'operator' | 'carrier' | 'marketer' | 'system' */
  @Column({ type: 'varchar', length: 16 })
  actor!: string;

  /** 'wechat' | 'h5' | 'sms' | 'cli' | 'api' | 'system' */
  @Column({ type: 'varchar', length: 16 })
  channel!: string;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column(jsonColumn)
  detail!: Record<string, unknown>;

  @Column(timeColumn)
  at!: Date;
}
