import type { Kysely } from 'kysely';
import { DomainError, ValidationError } from '../core/errors.ts';
import type { Database } from '../db/schema.ts';
import type { Translate } from '../i18n/messages.ts';
import { createLender, type ProfileActor } from '../services/lenders.ts';
import type { FormValues } from './settings-form.ts';
import { readForm } from './settings-form.ts';
import { problemTexts } from './settings-labels.ts';

/**
 * The operator's new-lender form: the whole public profile as `lender create` takes it, checked by
 * the same use case (createLender), audited with the operator who did it. The caller has already
 * checked that the account may create lenders.
 */

export type CreateLenderView =
  | { kind: 'redirect'; location: string }
  | { kind: 'form'; status: number; values: FormValues; errors: Record<string, string> };

export async function handleCreateLender(
  db: Kysely<Database>,
  data: FormData,
  actor: ProfileActor,
  t: Translate,
  now = new Date(),
): Promise<CreateLenderView> {
  const read = readForm('create', data);
  if (read.problems.length > 0)
    return {
      kind: 'form',
      status: 400,
      values: read.values,
      errors: problemTexts(t, 'create', read.layout, [], read.problems),
    };
  try {
    const created = await createLender(db, read.change, now, actor);
    return { kind: 'redirect', location: `/staff/lenders?created=${created.slug}` };
  } catch (failure) {
    if (!(failure instanceof DomainError)) throw failure;
    const problems =
      failure instanceof ValidationError
        ? failure.problems
        : [{ field: failure.field ?? 'slug', message: failure.message }];
    return {
      kind: 'form',
      status: failure.status,
      values: read.values,
      errors: problemTexts(t, 'create', read.layout, problems),
    };
  }
}
