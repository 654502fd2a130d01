import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigintNumber = { to: (v: number) => v, from: (v: string | number) => Number(v) };

/**
 * The subscriber view's change log and its snapshot in one table (as number_label is the label feed's):
 * one row per enrolled phone, keyed by the first 84 bits of the phone's lookup hash (the table's primary
 * key, so a cold process loads it in key order), with what a decision needs to know of it. Every change
 * takes a fresh version from the counter row inside the writer's transaction, so a reader polling
 * `version > v` never misses one; a phone that leaves (unbound, protection off, deleted) keeps its row
 * with profile 0 and a fresh version, which is how every process learns it left.
 *
 * No phone number and no list is held here: the lookup-hash prefix, the subscriber id and a profile code.
 */
@Entity('subscriber_view')
export class SubscriberViewRow {
  /** The first 13 hex digits (52 bits) of phone_binding.phoneHash, as an exact integer. */
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  hashKey!: number;

  /** The next 8 hex digits (32 bits) of the hash: tells apart two phones whose first 52 bits agree. */
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  hashCheck!: number;

  @Index('ix_subscriber_view_subscriber')
  @Column({ type: 'integer' })
  subscriberId!: number;

  /** 0 gone (not enrolled, off, deleted) · 1 on with the protective default · 2 paused · 3 customised. */
  @Column({ type: 'smallint' })
  profile!: number;

  @Index('uq_subscriber_view_version', { unique: true })
  @Column({ type: 'bigint', transformer: bigintNumber })
  version!: number;
}
