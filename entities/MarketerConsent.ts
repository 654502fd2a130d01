import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

const bigint = { type: 'bigint' as const, transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } };

/**
 * A consent a marketer (call centre, by its MARKETER_KEYS key id) holds for one number and one category,
 * with the evidence it showed. It counts while neither expired nor revoked; the row is kept at least five
 * months after it ends (the evidence regulation asks for) and then purged by the retention worker.
 */
@Entity('marketer_consent')
@Index('uq_marketer_consent_key_ref', ['keyId', 'ref'], { unique: true })
@Index('ix_marketer_consent_phone', ['phoneHash'])
@Index('ix_marketer_consent_version', ['version'])
@Index('ix_marketer_consent_key_changed', ['keyId', 'changedAt'])
@Index('ix_marketer_consent_key_expires', ['keyId', 'expiresAt'])
export class MarketerConsent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  keyId!: string;

  /** The marketer's own id of the consent: the idempotency key within one key id. */
  @Column({ type: 'varchar', length: 64 })
  ref!: string;

  @Column({ type: 'varchar', length: 64 })
  phoneHash!: string;

  @Column({ type: 'varchar', length: 255 })
  phoneCipher!: string;

  @Column({ type: 'varchar', length: 24 })
  category!: string;

  /** web | sms | call | app | paper */
  @Column({ type: 'varchar', length: 8 })
  channel!: string;

  @Column(timeColumn)
  grantedAt!: Date;

  @Column(nullableTime)
  expiresAt!: Date | null;

  /** The text shown or a reference to the recording / form, as the marketer sent it: sealed (PhoneVault.sealText). */
  @Column({ type: 'text' })
  evidence!: string;

  /** hex SHA-256 of the evidence as received: what was shown can be proven unchanged later. */
  @Column({ type: 'varchar', length: 64 })
  evidenceHash!: string;

  @Column(nullableTime)
  revokedAt!: Date | null;

  /** 'subscriber' (chat or H5); null while not revoked. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  revokedBy!: string | null;

  /** From marketer_sequence, bumped on every write: the in-memory consent indexes refresh by it. */
  @Column(bigint)
  version!: number;

  @Column(timeColumn)
  createdAt!: Date;

  /** The last write (creation or revocation): the changes feed reads by it. */
  @Column(timeColumn)
  changedAt!: Date;
}
