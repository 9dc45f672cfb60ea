import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { type NewUsage, UsageRepository } from '../../src/usage/usage-repository.ts';
import { newTestStore } from '../helpers/test-store.ts';

/** A batch of usage records is written as inserts of 128, 64, … 1 rows: every record once, whatever the batch size. */
let store: Store;
let organizationId: number;

beforeAll(async () => {
  const target = await newTestStore();
  store = openStore({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
  await migrateToLatest(store);
  const now = new Date().toISOString();
  const org = await store.db
    .insertInto('organizations')
    .values({ name: 'usage-insert', secret_hash: 'h', secret_enc: 'e', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  organizationId = org.id;
});
afterAll(async () => {
  await store.close();
});

const record = (requestId: string): NewUsage => ({
  request_id: requestId,
  organization_id: organizationId,
  account_id: 1,
  user_id: 1,
  instance_id: null,
  element_key: null,
  hub: null,
  method: 'GET',
  route: '/instances',
  request_uri: '/instances',
  status: 200,
  process_time_ms: 1.5,
  vendor_calls: 0,
  vendor_time_ms: 0,
  request_ip: '127.0.0.1',
  usage_date: new Date().toISOString(),
});

describe('usage record batches', () => {
  it('store every record of a batch once, for batch sizes on and between the insert sizes', async () => {
    const repo = new UsageRepository(store.db, store.dialect);
    const sizes = [0, 1, 2, 3, 127, 128, 129, 200, 255, 1000];
    for (const size of sizes) await repo.insert(Array.from({ length: size }, (_, i) => record(`b${size}-${i}`)));
    const rows = await store.db.selectFrom('usage').select('request_id').where('organization_id', '=', organizationId).execute();
    const expected = sizes.flatMap((size) => Array.from({ length: size }, (_, i) => `b${size}-${i}`));
    expect(rows.map((r) => r.request_id).sort()).toEqual(expected.sort());
  });
});
