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

  /** Normalised number, number segment, or group name. */
  @Column({ type: 'varchar', length: 32 })
  value!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  note!: string | null;

  @Column(timeColumn)
  createdAt!: Date;
}
