import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/** A person the service protects: a WeChat follower (openid) and/or a phone enrolled by SMS. */
@Entity('subscriber')
export class Subscriber {
  @PrimaryGeneratedColumn()
  id!: number;

  /** WeChat openid; null for a subscriber who enrolled by SMS keyword only. */
  @Index('uq_subscriber_openid', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  openid!: string | null;

  /** Follows the account now; unfollowing keeps the data but stops every WeChat push. */
  @Column({ type: 'boolean', default: false })
  subscribed!: boolean;

  @Column(nullableTime)
  subscribedAt!: Date | null;

  @Column(nullableTime)
  unsubscribedAt!: Date | null;

  /** WeChat refused pushes (43004 unfollowed, 43101 refused): notices fall back to SMS. */
  @Column({ type: 'boolean', default: false })
  wechatPushBlocked!: boolean;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(timeColumn)
  updatedAt!: Date;
}
