import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/**
 * One report (举报) or call label (号码标记) of a number, from a subscriber or from the network's complaints
 * feed. Reports are evidence: the label a number gets comes from the weights of distinct reporters, never
 * from one report. A complaint forwarded to 12321 carries the date by which it must be handled.
 */
@Entity('report')
@Index('ix_report_number_at', ['number', 'createdAt'])
@Index('ix_report_reporter_number', ['reporterKey', 'number'])
@Index('ix_report_status_at', ['status', 'createdAt'])
@Index('ix_report_due', ['dueAt'])
@Index('uq_report_external', ['keyId', 'externalId'], { unique: true })
export class Report {
  @PrimaryGeneratedColumn()
  id!: number;

  /**
   * The reported number's keyed lookup hash: a caller may be a private mobile, so at rest it is sealed
   * like a binding (app/privacy/sealed-numbers.ts). The number itself, in normal form, is numberCipher.
   */
  @Column({ type: 'varchar', length: 64 })
  number!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  numberCipher!: string | null;

  /** Category code (docs/interfaces.md). */
  @Column({ type: 'varchar', length: 32 })
  category!: string;

  /** chat | mark | h5 | carrier | cli */
  @Column({ type: 'varchar', length: 16 })
  channel!: string;

  /** Who reported, as one identity across channels: `s:<subscriberId>` or `c:<keyId>:<complainant hash>`. */
  @Column({ type: 'varchar', length: 96 })
  reporterKey!: string;

  @Column({ type: 'integer', nullable: true })
  subscriberId!: number | null;

  /** The evidence this report carries, in thousandths (1000 = one established reporter). */
  @Column({ type: 'integer' })
  weight!: number;

  /** counted | damped | duplicate | dismissed */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** Comma-separated signals: new_reporter, burst, … */
  @Column({ type: 'varchar', length: 64, default: '' })
  flags!: string;

  /** Carrier key and the network's complaint id (the idempotency key of the complaints feed). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  keyId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  externalId!: string | null;

  /** Forwarded to 12321 (网络不良与垃圾信息举报受理中心): it must be handled by dueAt. */
  @Column({ type: 'boolean', default: false })
  forwarded12321!: boolean;

  @Column(nullableTime)
  dueAt!: Date | null;

  @Column(nullableTime)
  handledAt!: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  note!: string | null;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  reviewedAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  reviewedBy!: string | null;
}
