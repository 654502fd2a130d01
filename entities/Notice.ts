import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/** What happened to a notice, one entry per step: scheduling holds, every send attempt, fallbacks, WeChat's delivery report. */
export interface NoticeHistoryEntry {
  at: string;
  event: 'held' | 'attempt' | 'fallback' | 'lease_expired' | 'delivery' | 'requeued';
  channel?: NoticeChannel;
  /** sent | retry | uncertain | blocked | failed (attempts); the WeChat status (delivery). */
  result?: string;
  error?: string;
  msgid?: string;
  worker?: string;
  until?: string;
}

/** family / family_digest: a guardian's alert about a family member's call (app/family/alerts.ts). */
export type NoticeKind = 'intercept' | 'digest' | 'enabled' | 'family' | 'family_digest';
export const isFamilyKind = (k: string) => k === 'family' || k === 'family_digest';
/** A channel's name as registered in app/notices/channels (wechat, sms). */
export type NoticeChannel = string;
/**
 * pending: waiting for `nextAt` · held: waiting for the end of quiet hours · claimed: a worker holds the lease ·
 * sending: the send has started (a lease that expires now means "maybe sent": uncertain, never resent) ·
 * sent · failed · uncertain (the channel did not answer in time; recorded, not resent).
 */
export type NoticeState = 'pending' | 'held' | 'claimed' | 'sending' | 'sent' | 'failed' | 'uncertain';

/**
 * The notices outbox (拦截通知): one row per message the subscriber gets, scheduled in the transaction that
 * stored the interceptions it covers (notice_item links them), sent by whichever worker claims it.
 */
@Entity('notice')
@Index('ix_notice_next', ['nextAt'])
@Index('ix_notice_subscriber_due', ['subscriberId', 'dueAt'])
@Index('ix_notice_msgid', ['msgid'])
export class Notice {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  subscriberId!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: NoticeKind;

  /** The channel it goes (or went) through; a notice its channel cannot deliver moves to the next one (WeChat → SMS). */
  @Column({ type: 'varchar', length: 8 })
  channel!: NoticeChannel;

  @Column({ type: 'varchar', length: 16 })
  state!: NoticeState;

  /** When it was scheduled to go (the folding window's end, or the end of quiet hours). */
  @Column(timeColumn)
  dueAt!: Date;

  /**
   * The work queue's key: when a worker should look at it next (pending/held: when due, after a backoff;
   * claimed/sending: when the lease expires). Null once final.
   */
  @Column(nullableTime)
  nextAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  leaseOwner!: string | null;

  @Column(nullableTime)
  leaseUntil!: Date | null;

  /** Send attempts so far, across channels. */
  @Column({ type: 'integer', default: 0 })
  tries!: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  lastError!: string | null;

  /** WeChat's msgid, a 64-bit integer kept exact as a string (TEMPLATESENDJOBFINISH carries it). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  msgid!: string | null;

  /** sms_message.id when it went by SMS. */
  @Column({ type: 'integer', nullable: true })
  smsMessageId!: number | null;

  /** WeChat's delivery report (TEMPLATESENDJOBFINISH Status): success, failed:user block, failed: system failed… */
  @Column({ type: 'varchar', length: 32, nullable: true })
  delivery!: string | null;

  /** Token of the scheduling transaction: how it finds the ids of the rows it has just inserted. */
  @Column({ type: 'varchar', length: 24 })
  receipt!: string;

  @Column({ type: 'simple-json' })
  history!: NoticeHistoryEntry[];

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  sentAt!: Date | null;

  @Column(timeColumn)
  updatedAt!: Date;
}
