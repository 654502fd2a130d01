import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The one counter label versions come from. A writer bumps it inside its own transaction, so the row lock
 * orders label writers: versions become visible in the order they were handed out, and a feed reader
 * that has seen version v never later finds a smaller one committed.
 */
@Entity('label_sequence')
export class LabelSequence {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  value!: number;
}
