import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { nullableTime } from './columns';

/** One slice of a scrub job: its numbers (one per line) and, once answered, its CSV lines. */
@Entity('marketer_scrub_chunk')
@Index('ix_marketer_scrub_chunk_pending', ['answered', 'claimedUntil'])
export class MarketerScrubChunk {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  jobId!: string;

  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @Column({ type: 'text' })
  input!: string;

  @Column({ type: 'text', nullable: true })
  output!: string | null;

  @Column({ type: 'boolean', default: false })
  answered!: boolean;

  /** A worker's lease: another may take the chunk over once it has passed. */
  @Column(nullableTime)
  claimedUntil!: Date | null;
}
