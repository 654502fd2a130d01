import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Which family alert covers an interception for one guardian: the key (interception, link) makes each
 * call alerted at most once per guardian, whatever the replays (as notice_item does for the member).
 */
@Entity('family_alert_item')
@Index('ix_family_alert_item_notice', ['noticeId'])
export class FamilyAlertItem {
  @PrimaryColumn({ type: 'integer' })
  interceptionId!: number;

  @PrimaryColumn({ type: 'integer' })
  linkId!: number;

  @Column({ type: 'integer' })
  noticeId!: number;

  /** stopped (fraud, spoofing, call bombing stopped) | through (a fraud-labelled caller got through). */
  @Column({ type: 'varchar', length: 16 })
  kind!: string;
}
