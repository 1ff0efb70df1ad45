import type { APIRoute } from 'astro';
import { endSession } from '../../auth/sessions.ts';
import { clientIp, methodNotAllowed } from '../../server/api.ts';
import { database } from '../../server/context.ts';
import { recordStaffSignOut } from '../../services/staff-workbench.ts';

/** Signs out: the session row is deleted, so the cookie is worthless even if it was copied. */
export const POST: APIRoute = async (context) => {
  const db = await database();
  if (context.locals.staff) await recordStaffSignOut(db, context.locals.staff, clientIp(context));
  await endSession(db, 'staff', context.cookies);
  return context.redirect('/staff/sign-in?signed-out', 303);
};

export const ALL: APIRoute = () => methodNotAllowed('POST');
