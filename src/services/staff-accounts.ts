import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { endAllSessions } from '../auth/sessions.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import { roleProblem, type StaffRole, staffRoleSchema } from '../core/roles.ts';
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

async function lenderFor(db: Kysely<Database>, lenderSlug: string | undefined) {
  if (lenderSlug === undefined) return undefined;
  const lender = await findLenderBySlug(db, lenderSlug);
  if (!lender) throw new NotFoundError('lender', `lender: no lender "${lenderSlug}"`);
  return lender;
}

function checkRole(rawRole: string, lenderId: string | null): StaffRole {
  const role = parseInput(staffRoleSchema, rawRole, 'role');
  const problem = roleProblem(role, lenderId);
  if (problem) throw new ValidationError('role', `role: ${problem}`);
  return role;
}

/**
 * A staff account (roles in core/roles.ts). With `lenderSlug` it sees only that lender's messages,
 * reports, requests and console; without, every lender's (the service's own staff).
 */
export async function createStaffUser(
  db: Kysely<Database>,
  rawEmail: string,
  password: string,
  now = new Date(),
  lenderSlug?: string,
  rawRole = 'agent',
): Promise<{ id: string; email: string; lender: string | null; role: StaffRole }> {
  const email = parseInput(emailSchema, rawEmail, 'email');
  checkPassword(password);
  const lender = await lenderFor(db, lenderSlug);
  const role = checkRole(rawRole, lender?.id ?? null);
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    if (await findStaffByEmail(trx, email))
      throw new ConflictError('staff_exists', `email: ${email} already has an account`, 'email');
    const id = await insertStaff(trx, { email, passwordHash, role, lenderId: lender?.id ?? null }, nowIso(now));
    await recordAudit(
      trx,
      {
        actorKind: 'system',
        actorId: null,
        action: 'staff.created',
        subject: `staff:${id}`,
        details: { email, lender: lender?.slug ?? null, role },
        ip: null,
      },
      nowIso(now),
    );
    return { id, email, lender: lender?.slug ?? null, role };
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

/**
 * Grants a role (and the lender it works for). Its sessions end, so the account signs in again
 * with what it may now do; the grant is audited with who made it (the CLI: `system`).
 */
export async function setStaffRole(
  db: Kysely<Database>,
  rawEmail: string,
  rawRole: string,
  lenderSlug?: string,
  now = new Date(),
  grantedBy: { kind: 'system' | 'staff'; id: string | null } = { kind: 'system', id: null },
): Promise<{ email: string; role: StaffRole; lender: string | null }> {
  const staff = await existingStaff(db, rawEmail);
  const lender = await lenderFor(db, lenderSlug);
  const role = checkRole(rawRole, lender?.id ?? null);
  await db.transaction().execute(async (trx) => {
    await updateStaff(trx, staff.id, { role, lenderId: lender?.id ?? null });
    await endAllSessions(trx, 'staff', staff.id);
    await recordAudit(
      trx,
      {
        actorKind: grantedBy.kind,
        actorId: grantedBy.id,
        action: 'staff.role_set',
        subject: `staff:${staff.id}`,
        details: { from: { role: staff.role, lender: staff.lender_id }, to: { role, lender: lender?.slug ?? null } },
        ip: null,
      },
      nowIso(now),
    );
  });
  return { email: staff.email, role, lender: lender?.slug ?? null };
}
