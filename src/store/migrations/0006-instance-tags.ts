import type { Kysely, Migration } from 'kysely';

/**
 * An instance's tags as rows, so `GET /instances?tags[]=…` and `where` on tags are answered by an
 * index instead of by reading (and decrypting) every instance. `instances.tags` keeps the list in
 * its given order for display.
 */
export const m0006InstanceTags: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('instance_tags')
      .addColumn('instance_id', 'integer', (c) => c.notNull().references('instances.id').onDelete('cascade'))
      .addColumn('tag', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('instance_tags_pk', ['instance_id', 'tag'])
      .execute();
    await db.schema.createIndex('instance_tags_tag').on('instance_tags').columns(['tag', 'instance_id']).execute();
    await db.schema.createIndex('instances_scope').on('instances').columns(['organization_id', 'account_id', 'id']).execute();
    const rows = (await db.selectFrom('instances').select(['id', 'tags']).execute()) as { id: number; tags: string }[];
    for (const row of rows) {
      const tags = [...new Set(JSON.parse(row.tags) as string[])];
      if (tags.length)
        await db
          .insertInto('instance_tags')
          .values(tags.map((tag) => ({ instance_id: row.id, tag })))
          .execute();
    }
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('instances_scope').execute();
    await db.schema.dropTable('instance_tags').execute();
  },
};
