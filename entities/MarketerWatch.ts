import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { timeColumn } from './columns';

/**
 * A number a marketer has scrubbed (by lookup hash only): the changes feed tells a key only about numbers
 * it already holds. Forgotten when not scrubbed again within the watch period (retention worker).
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
