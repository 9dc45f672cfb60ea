import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { ENCRYPTED_COLUMNS } from '../../src/store/encrypted-columns.ts';
import { newTestStore, openTargetStore } from '../helpers/test-store.ts';
import { encryptedColumnsInSchema } from '../helpers/schema.ts';

let store: Store;
beforeAll(async () => {
  const target = await newTestStore();
  store = openTargetStore(target);
  await migrateToLatest(store);
});
afterAll(async () => {
  await store.close();
});

describe('the declared list of encrypted columns', () => {
  it('is exactly the *_enc columns of the migrated schema, so a rotation re-encrypts every one', async () => {
    expect(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort()).toEqual(await encryptedColumnsInSchema(store));
  });
});
