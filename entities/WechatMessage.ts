import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/** An outbound template or customer-service message and its delivery status. */
@Entity('wechat_message')
@Index('ix_wechat_msgid', ['msgid'])
export class WechatMessage {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  subscriberId!: number;

  /** 'template' | 'custom' */
  @Column({ type: 'varchar', length: 16 })
  kind!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  templateId!: string | null;

  /** What it was about: 'enabled', 'intercept', 'digest', 'reply'… */
  @Column({ type: 'varchar', length: 32 })
  purpose!: string;

  /** WeChat's msgid, a 64-bit integer kept exact as a string. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  msgid!: string | null;

  /** 'pending' | 'sent' | 'delivered' | 'failed' | 'uncertain' */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  error!: string | null;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  updatedAt!: Date | null;
}
