import { newId } from '../ids.ts';
import type { Db } from './lenders.ts';

export async function findStaffByEmail(db: Db, email: string) {
  return db.selectFrom('staff_users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findActiveStaffById(db: Db, id: string) {
  return db
    .selectFrom('staff_users')
    .select(['id', 'email', 'lender_id', 'role'])
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
}

/** An active account's password hash (what its sessions are bound to), or undefined. */
export async function findActivePasswordHash(db: Db, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('staff_users')
    .select('password_hash')
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row?.password_hash;
}

export async function updateStaff(
  db: Db,
  id: string,
  values: { passwordHash?: string; disabledAt?: string | null; role?: string; lenderId?: string | null },
): Promise<void> {
  await db
    .updateTable('staff_users')
    .set({
      ...(values.passwordHash === undefined ? {} : { password_hash: values.passwordHash }),
      ...(values.disabledAt === undefined ? {} : { disabled_at: values.disabledAt }),
      ...(values.role === undefined ? {} : { role: values.role }),
      ...(values.lenderId === undefined ? {} : { lender_id: values.lenderId }),
    })
    .where('id', '=', id)
    .execute();
}

export async function insertStaff(
  db: Db,
  staff: { email: string; passwordHash: string; role: string; lenderId: string | null },
  at: string,
): Promise<string> {
  const id = newId();
  await db
    .insertInto('staff_users')
    .values({
      id,
      email: staff.email,
      password_hash: staff.passwordHash,
      display_name: null,
      lender_id: staff.lenderId,
      role: staff.role,
      created_at: at,
      disabled_at: null,
    })
    .execute();
  return id;
}
