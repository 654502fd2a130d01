import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from './columns';

/**
 * The numbers one scrub request (or one consents request) of a marketer key held: the changes feed tells a
 * key only about numbers it already holds. One row per request, the request's distinct numbers as a
 * sealed sorted set of number keys (app/marketers/watch-blob.ts), never a number in clear. Deleted
 * WATCH_DAYS after it was written (retention worker): a number not scrubbed again since leaves the feed.
 */
@Entity('marketer_watch_list')
@Index('ix_marketer_watch_list_key', ['keyId', 'id'])
@Index('ix_marketer_watch_list_seen', ['seenAt'])
export class MarketerWatchList {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  keyId!: string;

  /** How many numbers the set holds. */
  @Column({ type: 'integer' })
  size!: number;

  /** MEDIUMTEXT on MariaDB (a dense 10,000-number set may pass TEXT's 64 KB), TEXT on SQLite. */
  @Column({ type: 'text' })
  numbers!: string;

  @Column(timeColumn)
  seenAt!: Date;
}
