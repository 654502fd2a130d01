import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from './columns';

/**
 * An operator's addition to the public-service numbers (公共服务号码) that are never blocked, labelled or
 * listed; the emergency and anti-fraud numbers themselves are built in (app/protection/public-service.ts).
 * Public numbers, not personal data: kept in clear, in normal form.
 */
@Entity('public_service_number')
export class PublicServiceNumber {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_public_service_number', { unique: true })
  @Column({ type: 'varchar', length: 20 })
  value!: string;

  /** What the number is (12315 消费者投诉), for the operator's list. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  note!: string | null;

  @Column({ type: 'varchar', length: 64 })
  addedBy!: string;

  @Column(timeColumn)
  createdAt!: Date;
}
