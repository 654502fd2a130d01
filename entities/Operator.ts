import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { nullableTime, timeColumn } from './columns';

/** An operator of the web console (运营人员): created by `npm run ops -- operator add`, never by the web. */
@Entity('operator')
@Index('ux_operator_name', ['name'], { unique: true })
export class Operator {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 48 })
  name!: string;

  /** 'viewer' | 'reviewer' | 'admin' */
  @Column({ type: 'varchar', length: 16 })
  role!: string;

  /** argon2id, PHC string (algorithm, parameters and salt included). */
  @Column({ type: 'varchar', length: 255 })
  passwordHash!: string;

  /** The TOTP secret sealed with a key derived from DATA_KEY; null: no second factor. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  totpSealed!: string | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  @Column(timeColumn)
  createdAt!: Date;

  @Column(nullableTime)
  lastSignInAt!: Date | null;
}
