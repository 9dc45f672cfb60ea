import type { Kysely, Migration } from 'kysely';
import { idColumn } from './id-column.ts';

export const m0004Transformations: Migration = {
  async up(db: Kysely<any>) {
    await idColumn(db, db.schema.createTable('object_definitions'))
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('level', 'text', (c) => c.notNull())
      // 0 stands for "not this level", so the unique constraint works in both dialects.
      .addColumn('account_id', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'integer', (c) => c.notNull())
      .addColumn('object_name', 'text', (c) => c.notNull())
      .addColumn('fields', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('object_definitions_scope', ['organization_id', 'level', 'account_id', 'instance_id', 'object_name'])
      .execute();
    await idColumn(db, db.schema.createTable('transformations'))
      .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('account_id', 'integer', (c) => c.notNull())
      .addColumn('instance_id', 'integer', (c) => c.notNull())
      .addColumn('element_key', 'text', (c) => c.notNull())
      .addColumn('object_name', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('transformations_scope', ['organization_id', 'level', 'account_id', 'instance_id', 'element_key', 'object_name'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('transformations').execute();
    await db.schema.dropTable('object_definitions').execute();
  },
};
