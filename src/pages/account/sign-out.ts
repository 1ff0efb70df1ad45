import type { APIRoute } from 'astro';
import { endSession } from '../../auth/sessions.ts';
import { maskPhone } from '../../core/phone.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { clientIp, methodNotAllowed } from '../../server/api.ts';
import { database } from '../../server/context.ts';

/** Signs out: the session row is deleted, so a copied cookie is worthless afterwards. */
export const POST: APIRoute = async (context) => {
  const db = await database();
  const borrower = context.locals.borrower;
  if (borrower) {
    await recordAudit(
      db,
      {
        actorKind: 'borrower',
        actorId: maskPhone(borrower.phone),
        action: 'borrower.sign_out',
        subject: null,
        details: {},
        ip: clientIp(context),
      },
      new Date().toISOString(),
    );
  }
  await endSession(db, 'borrower', context.cookies);
  return context.redirect('/account/sign-in?signed-out', 303);
};

export const ALL: APIRoute = () => methodNotAllowed('POST');
