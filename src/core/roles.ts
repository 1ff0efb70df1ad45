import { z } from 'zod';

/**
 * What a staff account may do. An `agent` works the scam-check workbench and the review queue
 * (one lender's, or every lender's when the account belongs to none); a `lender_admin` also runs
 * the console of the one lender the account belongs to; an `operator` runs every lender's console
 * and creates lenders. Each role can do what the one before it can.
 */
export const STAFF_ROLES = ['agent', 'lender_admin', 'operator'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const staffRoleSchema = z.enum(STAFF_ROLES, { error: 'must be agent, lender_admin or operator' });

export interface RoleHolder {
  role: string;
  /** The lender the account belongs to; null: the service's own staff. */
  lenderId: string | null;
}

/** Whether the account may open a lender's console at all (some lender's). */
export function canUseConsole(staff: RoleHolder): boolean {
  return staff.role === 'operator' || (staff.role === 'lender_admin' && staff.lenderId !== null);
}

/** Whether the account may run this lender's console: an operator any, a lender admin only its own. */
export function canManageLender(staff: RoleHolder, lenderId: string): boolean {
  if (staff.role === 'operator') return true;
  return staff.role === 'lender_admin' && staff.lenderId === lenderId;
}

/** Creating lenders and granting roles is the operator's alone. */
export function canCreateLenders(staff: RoleHolder): boolean {
  return staff.role === 'operator';
}

/**
 * The problem with a role for an account of this lender (or none), or null: a lender admin
 * belongs to one lender; an operator to none (it works for every lender).
 */
export function roleProblem(role: StaffRole, lenderId: string | null): string | null {
  if (role === 'lender_admin' && lenderId === null) return 'a lender_admin belongs to one lender: give --lender';
  if (role === 'operator' && lenderId !== null) return 'an operator works for every lender: leave out --lender';
  return null;
}
