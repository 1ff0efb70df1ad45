import type { Db } from './lenders.ts';

export interface ApiKeyRecord {
  id: string;
  lenderId: string;
  prefix: string;
}

export async function insertApiKey(
  db: Db,
  key: { id: string; lenderId: string; prefix: string; hash: string; label: string | null },
  now: string,
): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      lender_id: key.lenderId,
      prefix: key.prefix,
      key_hash: key.hash,
      label: key.label,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

export async function findActiveApiKeyByHash(db: Db, hash: string): Promise<ApiKeyRecord | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'lender_id', 'prefix'])
    .where('key_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && { id: row.id, lenderId: row.lender_id, prefix: row.prefix };
}
