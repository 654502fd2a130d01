import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from './columns';

/**
 * One phone belongs to one subscriber at a time (unique phoneHash) and a subscriber has one phone
 * (unique subscriberId). The number itself is only stored encrypted.
 */
@Entity('phone_binding')
export class PhoneBinding {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_binding_subscriber', { unique: true })
  @Column({ type: 'integer' })
  subscriberId!: number;

  /** HMAC-SHA256 of the normalised number under DATA_KEY: the lookup key. */
  @Index('uq_binding_phone_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  phoneHash!: string;

  /** AES-256-GCM ciphertext of the normalised number. */
  @Column({ type: 'varchar', length: 255 })
  phoneCipher!: string;

  /** 'wechat' (bound by SMS code) or 'sms' (enrolled by keyword from the phone itself). */
  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @Column(timeColumn)
  verifiedAt!: Date;
}
