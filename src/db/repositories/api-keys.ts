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

export interface ApiKeyListing {
  id: string;
  prefix: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A lender's keys, newest first: what tells them apart, never the key or its hash. */
export async function listApiKeys(db: Db, lenderId: string): Promise<ApiKeyListing[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'prefix', 'label', 'created_at', 'last_used_at', 'revoked_at'])
    .where('lender_id', '=', lenderId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    prefix: r.prefix,
    label: r.label,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

export async function findApiKey(db: Db, lenderId: string, id: string): Promise<ApiKeyListing | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'prefix', 'label', 'created_at', 'last_used_at', 'revoked_at'])
    .where('lender_id', '=', lenderId)
    .where('id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      prefix: row.prefix,
      label: row.label,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
    }
  );
}

/** Revokes a lender's key unless already revoked; false when there was nothing to revoke. */
export async function revokeApiKeyRow(db: Db, lenderId: string, id: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('lender_id', '=', lenderId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a key's use, at most once per `since` (an ISO instant): one write a minute, not one a request. */
export async function touchApiKey(db: Db, id: string, now: string, since: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', since)]))
    .execute();
}
