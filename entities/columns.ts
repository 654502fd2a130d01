// Column shapes that mean the same on MariaDB/MySQL and SQLite. Times are UTC with milliseconds.
import { ColumnOptions } from 'typeorm';

export const timeColumn: ColumnOptions = { type: 'datetime', precision: 3 };
export const nullableTime: ColumnOptions = { type: 'datetime', precision: 3, nullable: true };
export const jsonColumn: ColumnOptions = { type: 'simple-json' };
