import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId, nowIso } from '../db/ids.ts';
import {
  findActiveApiKeyByHash,
  findApiKey,
  insertApiKey,
  revokeApiKeyRow,
  touchApiKey,
} from '../db/repositories/api-keys.ts';
import { type AuditEntry, recordAudit } from '../db/repositories/audit.ts';
import type { Database } from '../db/schema.ts';

/**
 * Lender API keys: `zxk_<8-char prefix>_<32 random bytes, base64url>`. Only a SHA-256 of the
 * whole key is stored (the key has 256 bits of entropy, so a fast hash is enough); the key is
 * shown once at creation. The prefix lets an operator tell keys apart without seeing them.
 */

const KEY_PATTERN = /^zxk_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{43})$/;

/** Who creates or revokes a key, for the audit log; the CLI is the operator's own machine. */
export type KeyActor = Pick<AuditEntry, 'actorKind' | 'actorId' | 'ip'>;
const OPERATOR: KeyActor = { actorKind: 'system', actorId: null, ip: null };

/** How often a key's last use is written down: the list says "last used" to the minute. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(
  db: Kysely<Database>,
  lenderId: string,
  label: string | null,
  now = new Date(),
  actor: KeyActor = OPERATOR,
): Promise<{ id: string; key: string; prefix: string }> {
  const prefix = randomBytes(6).toString('base64url');
  const key = `zxk_${prefix}_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  await db.transaction().execute(async (trx) => {
    await insertApiKey(trx, { id, lenderId, prefix, hash: hashApiKey(key), label }, nowIso(now));
    await recordAudit(
      trx,
      { ...actor, action: 'api_key.created', subject: `lender:${lenderId}`, details: { prefix } },
      nowIso(now),
    );
  });
  return { id, key, prefix };
}

/**
 * The key's id and lender for a well-formed, known, unrevoked key; otherwise undefined. Nothing is
 * cached: a key revoked a moment ago is refused on the next request. Its use is written down (at
 * most once a minute) so a lender can see which keys are still in use before revoking one.
 */
export async function authenticateApiKey(db: Kysely<Database>, key: string, now = new Date()) {
  if (!KEY_PATTERN.test(key)) return undefined;
  const found = await findActiveApiKeyByHash(db, hashApiKey(key));
  if (found) {
    const since = nowIso(new Date(now.getTime() - LAST_USED_RESOLUTION_MS));
    // "Last used" is advice for the lender's list: a request is never refused because it could not be written.
    await touchApiKey(db, found.id, nowIso(now), since).catch(() => undefined);
  }
  return found;
}

/**
 * Revokes one of a lender's keys at once (audited with its prefix). The key's id is looked up
 * within the lender, so nobody revokes another lender's key by guessing an id.
 */
export async function revokeApiKey(
  db: Kysely<Database>,
  lenderId: string,
  keyId: string,
  now = new Date(),
  actor: KeyActor = OPERATOR,
): Promise<'revoked' | 'already_revoked' | 'not_found'> {
  const at = nowIso(now);
  return db.transaction().execute(async (trx) => {
    const key = await findApiKey(trx, lenderId, keyId);
    if (!key) return 'not_found';
    // Two revocations at once: the row's own condition lets only one of them write (and audit).
    if (key.revokedAt !== null || !(await revokeApiKeyRow(trx, lenderId, keyId, at))) return 'already_revoked';
    await recordAudit(
      trx,
      { ...actor, action: 'api_key.revoked', subject: `lender:${lenderId}`, details: { prefix: key.prefix } },
      at,
    );
    return 'revoked';
  });
}
