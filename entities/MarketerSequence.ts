import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The counter consent versions come from. A writer bumps it inside its own transaction, so the row lock
 * orders consent writers and an index that has read version v never later finds a smaller one committed.
 */
@Entity('marketer_sequence')
export class MarketerSequence {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  value!: number;
}
