import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';
import { parseInput } from '../core/validation.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { findStaffByEmail, insertStaff } from '../db/repositories/staff.ts';
import type { Database } from '../db/schema.ts';

const emailSchema = z
  .email({ error: 'must be an e-mail address' })
  .max(254)
  .transform((e) => e.toLowerCase());

export async function createStaffUser(
  db: Kysely<Database>,
  rawEmail: string,
  password: string,
  now = new Date(),
): Promise<{ id: string; email: string }> {
  const email = parseInput(emailSchema, rawEmail, 'email');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError('password', `password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 256) throw new ValidationError('password', 'password: must be at most 256 characters');
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    if (await findStaffByEmail(trx, email))
      throw new ConflictError('staff_exists', `email: ${email} already has an account`, 'email');
    const id = await insertStaff(trx, { email, passwordHash, role: 'agent', lenderId: null }, nowIso(now));
    await recordAudit(
      trx,
      {
        actorKind: 'system',
        actorId: null,
        action: 'staff.created',
        subject: `staff:${id}`,
        details: { email },
        ip: null,
      },
      nowIso(now),
    );
    return { id, email };
  });
}
