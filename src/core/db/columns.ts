import type { ColumnType, Generated } from 'kysely';

export type Id = Generated<number>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Json<T> = ColumnType<T, string, string>;
export type { Generated };
