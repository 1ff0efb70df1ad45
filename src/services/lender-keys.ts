import type { Kysely } from 'kysely';
import { z } from 'zod';
import { createApiKey, type KeyActor, revokeApiKey } from '../auth/api-keys.ts';
import { textSchema } from '../core/lender-profile.ts';
import { parseInput } from '../core/validation.ts';
import { isIdShape } from '../db/ids.ts';
import { type ApiKeyListing, listApiKeys } from '../db/repositories/api-keys.ts';
import type { Database } from '../db/schema.ts';

/**
 * A lender's API keys as its console manages them: created with a label that says what uses the
 * key (the key itself is shown once and only its SHA-256 kept), listed by prefix and last use,
 * revoked at once. Audited with the staff member who did it.
 */

const newKeySchema = z.strictObject({ label: textSchema('label', 60) });

export async function createLenderKey(
  db: Kysely<Database>,
  lenderId: string,
  input: { label: unknown },
  actor: KeyActor,
  now = new Date(),
): Promise<{ id: string; key: string; prefix: string; label: string }> {
  const { label } = parseInput(newKeySchema, input);
  return { ...(await createApiKey(db, lenderId, label, now, actor)), label };
}

export function lenderKeys(db: Kysely<Database>, lenderId: string): Promise<ApiKeyListing[]> {
  return listApiKeys(db, lenderId);
}

/** 'not_found' for an id that is not one of this lender's keys (whatever it looks like). */
export async function revokeLenderKey(
  db: Kysely<Database>,
  lenderId: string,
  keyId: string,
  actor: KeyActor,
  now = new Date(),
): Promise<'revoked' | 'already_revoked' | 'not_found'> {
  if (!isIdShape(keyId)) return 'not_found';
  return revokeApiKey(db, lenderId, keyId, now, actor);
}
