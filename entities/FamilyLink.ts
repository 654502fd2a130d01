import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/**
 * pending: the member's phone was asked by SMS and has not answered (until `expiresAt`) · active: the
 * phone's holder agreed · refused · expired (no answer in time) · ended (by either side).
 */
export type FamilyLinkState = 'pending' | 'active' | 'refused' | 'expired' | 'ended';

/**
 * 家人守护: a guardian (a subscriber) protecting a family member's phone. Nothing about the member changes
 * until the phone's holder agrees by SMS; the row then records that consent (what it covered, when).
 * A member's phone may have several guardians; a guardian at most a handful of members. The row is also
 * the folding cursor (and lock) of the guardian's alerts about this member.
 */
@Entity('family_link')
@Index('ix_family_link_guardian', ['guardianId', 'state'])
@Index('ix_family_link_member', ['memberHash', 'state'])
@Index('ix_family_link_member_subscriber', ['memberSubscriberId', 'state'])
export class FamilyLink {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  guardianId!: number;

  /** Keyed hash of the member's number (lookup); the number itself only encrypted. */
  @Column({ type: 'varchar', length: 64 })
  memberHash!: string;

  @Column({ type: 'varchar', length: 255 })
  memberCipher!: string;

  /** The member's subscriber once they agreed (their phone is enrolled then). */
  @Column({ type: 'integer', nullable: true })
  memberSubscriberId!: number | null;

  @Column({ type: 'varchar', length: 16 })
  state!: FamilyLinkState;

  /** The digits the member replies with (JR1234 / JJ1234): which guardian's request the answer is for. */
  @Column({ type: 'varchar', length: 8 })
  code!: string;

  /** What the member agreed to (the consent text's version), null until they did. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  consentScope!: string | null;

  @Column(timeColumn)
  requestedAt!: Date;

  @Column(timeColumn)
  expiresAt!: Date;

  @Column(nullableTime)
  respondedAt!: Date | null;

  @Column(nullableTime)
  endedAt!: Date | null;

  /** member | guardian | system */
  @Column({ type: 'varchar', length: 16, nullable: true })
  endedBy!: string | null;

  /** Folding: when the last alert to the guardian about this member was due, and the digest still open. */
  @Column(nullableTime)
  alertLastDueAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  alertOpenNoticeId!: number | null;

  @Column(timeColumn)
  updatedAt!: Date;
}
