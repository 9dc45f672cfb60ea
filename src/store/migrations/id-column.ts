import type { CreateTableBuilder, Kysely } from 'kysely';

/**
 * An auto-incrementing integer primary key in either dialect. PostgreSQL gets an `integer`
 * identity (not bigint) so the driver returns JSON numbers, as the Open Connectors ids are.
 */
export function idColumn<T extends string>(db: Kysely<any>, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  const postgres = db.getExecutor().adapter.constructor.name.startsWith('Postgres');
  return postgres
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
