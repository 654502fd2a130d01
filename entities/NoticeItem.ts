import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Which notice covers an interception. The interception is the primary key: an interception is covered by
 * at most one notice, by construction, whatever the number of schedulers and replays.
 */
@Entity('notice_item')
@Index('ix_notice_item_notice', ['noticeId'])
export class NoticeItem {
  @PrimaryColumn({ type: 'integer' })
  interceptionId!: number;

  @Column({ type: 'integer' })
  noticeId!: number;
}
