import { Column, Entity, PrimaryColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/** A scrub of a whole file (up to a million numbers), cut into chunks the workers answer one by one. */
@Entity('marketer_scrub_job')
export class MarketerScrubJob {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  keyId!: string;

  @Column({ type: 'varchar', length: 24 })
  category!: string;

  /** The moment the answers are for (ISO-8601 as asked), or null for "when scrubbed". */
  @Column({ type: 'varchar', length: 40, nullable: true })
  at!: string | null;

  @Column({ type: 'integer' })
  total!: number;

  @Column({ type: 'integer', default: 0 })
  done!: number;

  @Column({ type: 'integer' })
  chunks!: number;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  finishedAt!: Date | null;
}
