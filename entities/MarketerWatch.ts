import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { timeColumn } from './columns';

/**
 * A number a marketer scrubbed (by lookup hash only), one row per number: the former watch list, no longer
 * written (marketer_watch_list holds one sealed row per request). The changes feed still reads these rows
 * and the retention worker deletes them 31 days after their last scrub, so the table empties itself.
 */
@Entity('marketer_watch')
@Index('ix_marketer_watch_phone', ['phoneHash'])
export class MarketerWatch {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  keyId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  phoneHash!: string;

  @Column(timeColumn)
  seenAt!: Date;
}
