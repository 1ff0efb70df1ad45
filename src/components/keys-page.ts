import type { Kysely } from 'kysely';
import type { KeyActor } from '../auth/api-keys.ts';
import { ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import type { Database } from '../db/schema.ts';
import type { Translate } from '../i18n/messages.ts';
import { createLenderKey, revokeLenderKey } from '../services/lender-keys.ts';

/**
 * What the API keys page does with a post. A new key is answered in the response to the post
 * itself, not after a redirect: it exists nowhere else in clear (no cookie, no URL, no log), so
 * the page that shows it once is that response (kept out of caches by the staff pages' no-store).
 */

export type KeysView =
  | { kind: 'redirect'; location: string }
  | { kind: 'not_found' }
  /** A post that is neither form of the page. */
  | { kind: 'bad_request' }
  | {
      kind: 'page';
      status: number;
      created?: { key: string; prefix: string; label: string };
      label: string;
      error?: string;
    };

export async function handleKeysPost(
  db: Kysely<Database>,
  lender: LenderProfile,
  data: FormData,
  actor: KeyActor,
  t: Translate,
): Promise<KeysView> {
  const base = `/staff/lenders/${lender.slug}/keys`;
  const action = data.get('action');
  if (action === 'revoke') {
    const id = data.get('id');
    const outcome = await revokeLenderKey(db, lender.id, typeof id === 'string' ? id : '', actor);
    if (outcome === 'not_found') return { kind: 'not_found' };
    return { kind: 'redirect', location: `${base}?${outcome === 'revoked' ? 'revoked' : 'already'}=${id}` };
  }
  if (action !== 'create') return { kind: 'bad_request' };
  const raw = data.get('label');
  const label = typeof raw === 'string' ? raw : '';
  try {
    const created = await createLenderKey(db, lender.id, { label }, actor);
    return { kind: 'page', status: 200, created, label: '' };
  } catch (failure) {
    if (!(failure instanceof ValidationError)) throw failure;
    const detail = failure.message.replace(/^label: /, '');
    return { kind: 'page', status: 400, label, error: t('settings.error.problem', { label: t('keys.label'), detail }) };
  }
}
