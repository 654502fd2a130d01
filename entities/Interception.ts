import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from './columns';

/** What a smart answer or a verification ended with, as the network reported it. */
export type InterceptionOutcome =
  | { action: 'smart_answer'; summary: string } // 智能接听: what the caller said they wanted
  | { action: 'verify'; verification: 'passed' | 'failed' }; // 来电验证

/**
 * A call the carrier's network stopped (拦截记录), as it reported it through the carrier API. Stored once per
 * event id whatever the number of replays; notices are scheduled from it in the same transaction.
 * Numbers are personal data on both ends: the caller is kept encrypted (the subscriber must see it in full
 * in the notice) and hashed for grouping; the callee only as the lookup hash its binding is found by.
 */
@Entity('interception')
@Index('ix_interception_subscriber_at', ['subscriberId', 'at'])
@Index('ix_interception_caller_at', ['callerHash', 'at'])
@Index('uq_interception_key_event', ['keyId', 'eventId'], { unique: true })
export class Interception {
  @PrimaryGeneratedColumn()
  id!: number;

  /** The network's id for the event: the idempotency key, unique per carrier key (two networks may use the same ids). */
  @Column({ type: 'varchar', length: 64 })
  eventId!: string;

  /** The carrier key that reported it. */
  @Column({ type: 'varchar', length: 64 })
  keyId!: string;

  /** Random id of the delivery that stored the row: how one transaction tells its own inserts from a concurrent replay's. */
  @Column({ type: 'varchar', length: 24 })
  receipt!: string;

  /** The enrolled callee's subscriber; null when the callee is not enrolled (kept, never notified). */
  @Column({ type: 'integer', nullable: true })
  subscriberId!: number | null;

  /** PhoneVault ciphertext of the caller number as the network sent it. */
  @Column({ type: 'varchar', length: 255 })
  callerCipher!: string;

  /** PhoneVault lookup hash of the caller's normal form. */
  @Column({ type: 'varchar', length: 64 })
  callerHash!: string;

  /** PhoneVault lookup hash of the callee's normal form (= phone_binding.phoneHash when enrolled). */
  @Column({ type: 'varchar', length: 64 })
  calleeHash!: string;

  /** When the call was stopped, per the network. */
  @Column(timeColumn)
  at!: Date;

  /** block | smart_answer | verify (allow is accepted for completeness). */
  @Column({ type: 'varchar', length: 16 })
  action!: string;

  /** The decision's machine-readable reason (category_block, reject_list_exact, …). */
  @Column({ type: 'varchar', length: 64 })
  reason!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  category!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  outcome!: InterceptionOutcome | null;

  /** Ring duration before hang-up, when reported (响一声 one-ring calls). */
  @Column({ type: 'integer', nullable: true })
  ringMs!: number | null;

  @Column(timeColumn)
  createdAt!: Date;
}
