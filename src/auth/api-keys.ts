import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId, nowIso } from '../db/ids.ts';
import { findActiveApiKeyByHash, insertApiKey } from '../db/repositories/api-keys.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import type { Database } from '../db/schema.ts';

/**
 * Lender API keys: `zxk_<8-char prefix>_<32 random bytes, base64url>`. Only a SHA-256 of the
 * whole key is stored (the key has 256 bits of entropy, so a fast hash is enough); the key is
 * shown once at creation. The prefix lets an operator tell keys apart without seeing them.
 */

const KEY_PATTERN = /^zxk_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(
  db: Kysely<Database>,
  lenderId: string,
  label: string | null,
  now = new Date(),
): Promise<{ id: string; key: string; prefix: string }> {
  const prefix = randomBytes(6).toString('base64url');
  const key = `zxk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  await db.transaction().execute(async (trx) => {
    await insertApiKey(trx, { id, lenderId, prefix, hash: hashApiKey(key), label }, nowIso(now));
    await recordAudit(
      trx,
      {
        actorKind: 'system',
        actorId: null,
        action: 'api_key.created',
        subject: `lender:${lenderId}`,
        details: { prefix },
        ip: null,
      },
      nowIso(now),
    );
  });
  return { id, key, prefix };
}

/** The key's id and lender for a well-formed, known, unrevoked key; otherwise undefined. */
export async function authenticateApiKey(db: Kysely<Database>, key: string) {
  if (!KEY_PATTERN.test(key)) return undefined;
  return findActiveApiKeyByHash(db, hashApiKey(key));
}
