import { Column, Entity, PrimaryColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/**
 * Per subscriber, where the folding stands: when the last interception notice was due (the digest window
 * runs from there) and which digest is still open for more. Its row is also the lock that serialises
 * concurrent schedulers for one subscriber.
 */
@Entity('notice_cursor')
export class NoticeCursor {
  @PrimaryColumn({ type: 'integer' })
  subscriberId!: number;

  @Column(nullableTime)
  lastDueAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  openNoticeId!: number | null;

  @Column(timeColumn)
  updatedAt!: Date;
}
