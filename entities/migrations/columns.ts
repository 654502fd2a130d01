// Column builders for migrations, so every migration spells types the way both MariaDB and SQLite accept.
import { TableColumnOptions } from 'typeorm';

export const id = (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
export const int = (name: string, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'integer', ...o });
export const str = (name: string, length: number, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'varchar', length: String(length), ...o });
export const text = (name: string, o: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'text', ...o });
export const bool = (name: string, def = false): TableColumnOptions => ({ name, type: 'boolean', default: def ? 1 : 0 });
export const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: nullable });
