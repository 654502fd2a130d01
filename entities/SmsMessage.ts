import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/** Every outbound SMS and its outcome; the number is kept as hash and mask only. */
@Entity('sms_message')
@Index('ix_sms_phone_created', ['phoneHash', 'createdAt'])
export class SmsMessage {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  phoneHash!: string;

  @Column({ type: 'varchar', length: 16 })
  phoneMasked!: string;

  /** 'otp' | 'notice' */
  @Column({ type: 'varchar', length: 16 })
  purpose!: string;

  @Column({ type: 'varchar', length: 64 })
  template!: string;

  @Column({ type: 'varchar', length: 16 })
  provider!: string;

  /** 'pending' | 'sent' | 'failed' */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  lastError!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  providerMessageId!: string | null;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  finishedAt!: Date | null;
}
