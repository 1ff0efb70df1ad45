import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { endAllSessions } from '../auth/sessions.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import { parseInput } from '../core/validation.ts';
import { nowIso } from '../db/ids.ts';
import { recordAudit } from '../db/repositories/audit.ts';
import { findLenderBySlug } from '../db/repositories/lenders.ts';
import { findStaffByEmail, insertStaff, updateStaff } from '../db/repositories/staff.ts';
import type { Database } from '../db/schema.ts';

const emailSchema = z
  .email({ error: 'must be an e-mail address' })
  .max(254)
  .transform((e) => e.toLowerCase());

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError('password', `password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 256) throw new ValidationError('password', 'password: must be at most 256 characters');
}

/**
 * A support-staff account. With `lenderSlug` the agent sees only that lender's messages, reports
 * and requests; without, every lender's (the operator's own support team).
 */
export async function createStaffUser(
  db: Kysely<Database>,
  rawEmail: string,
  password: string,
  now = new Date(),
  lenderSlug?: string,
): Promise<{ id: string; email: string; lender: string | null }> {
  const email = parseInput(emailSchema, rawEmail, 'email');
  checkPassword(password);
  const lender = lenderSlug === undefined ? undefined : await findLenderBySlug(db, lenderSlug);
  if (lenderSlug !== undefined && !lender) throw new NotFoundError('lender', `lender: no lender "${lenderSlug}"`);
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    if (await findStaffByEmail(trx, email))
      throw new ConflictError('staff_exists', `email: ${email} already has an account`, 'email');
    const id = await insertStaff(
      trx,
      { email, passwordHash, role: 'agent', lenderId: lender?.id ?? null },
      nowIso(now),
    );
    await recordAudit(
      trx,
      {
        actorKind: 'system',
        actorId: null,
        action: 'staff.created',
        subject: `staff:${id}`,
        details: { email, lender: lender?.slug ?? null },
        ip: null,
      },
      nowIso(now),
    );
    return { id, email, lender: lender?.slug ?? null };
  });
}

async function existingStaff(db: Kysely<Database>, rawEmail: string) {
  const email = parseInput(emailSchema, rawEmail, 'email');
  const staff = await findStaffByEmail(db, email);
  if (!staff) throw new NotFoundError('staff', `email: no staff account for ${email}`);
  return staff;
}

/** Sets a new password; every session of the account ends (whoever held the old one is out). */
export async function setStaffPassword(
  db: Kysely<Database>,
  rawEmail: string,
  password: string,
  now = new Date(),
): Promise<{ email: string }> {
  checkPassword(password);
  const staff = await existingStaff(db, rawEmail);
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await updateStaff(trx, staff.id, { passwordHash });
    await endAllSessions(trx, 'staff', staff.id);
    await recordAudit(
      trx,
      {
        actorKind: 'system',
        actorId: null,
        action: 'staff.password_set',
        subject: `staff:${staff.id}`,
        details: {},
        ip: null,
      },
      nowIso(now),
    );
  });
  return { email: staff.email };
}

/** Disables (or enables again) an account. Disabling ends its sessions at once. */
export async function setStaffDisabled(
  db: Kysely<Database>,
  rawEmail: string,
  disabled: boolean,
  now = new Date(),
): Promise<{ email: string; disabled: boolean }> {
  const staff = await existingStaff(db, rawEmail);
  await db.transaction().execute(async (trx) => {
    await updateStaff(trx, staff.id, { disabledAt: disabled ? nowIso(now) : null });
    if (disabled) await endAllSessions(trx, 'staff', staff.id);
    await recordAudit(
      trx,
      {
        actorKind: 'system',
        actorId: null,
        action: disabled ? 'staff.disabled' : 'staff.enabled',
        subject: `staff:${staff.id}`,
        details: {},
        ip: null,
      },
      nowIso(now),
    );
  });
  return { email: staff.email, disabled };
}
