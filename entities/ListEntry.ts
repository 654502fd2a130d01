import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timeColumn } from './columns';

/** One entry of a subscriber's personal reject list (个人拒接名单) or allow list. */
@Entity('list_entry')
@Index('uq_list_entry', ['subscriberId', 'list', 'kind', 'value'], { unique: true })
export class ListEntry {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  subscriberId!: number;

  /** 'reject' | 'allow' */
  @Column({ type: 'varchar', length: 8 })
  list!: string;

  /** 'exact' | 'prefix' | 'group' */
  @Column({ type: 'varchar', length: 8 })
  kind!: string;

  /**
   * A segment (`400`, `95`) or group name as it is; an exact number only as its keyed lookup hash (the
   * number itself is in valueCipher). Read and written through app/privacy/sealed-numbers.ts.
   */
  @Column({ type: 'varchar', length: 64 })
  value!: string;

  /** The exact number, AES-256-GCM sealed; null for segments and groups. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  valueCipher!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  note!: string | null;

  @Column(timeColumn)
  createdAt!: Date;
}
