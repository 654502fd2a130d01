import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/** A label file being imported: the checkpoint an interrupted `labels:import` resumes from. */
@Entity('label_import')
export class LabelImport {
  @PrimaryGeneratedColumn()
  id!: number;

  /** SHA-256 of the file's size and first megabyte: the same file, wherever it was copied to. */
  @Index('uq_label_import_file', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  fileKey!: string;

  @Column({ type: 'varchar', length: 255 })
  fileName!: string;

  /** Last line (1-based, header included) whose batch committed. */
  @Column({ type: 'integer', default: 0 })
  lastLine!: number;

  @Column({ type: 'integer', default: 0 })
  accepted!: number;

  @Column({ type: 'integer', default: 0 })
  rejected!: number;

  @Column(timeColumn)
  startedAt!: Date;

  @Column(timeColumn)
  updatedAt!: Date;

  @Column(nullableTime)
  finishedAt!: Date | null;
}
