import type { Kysely } from 'kysely';
import { DomainError, ValidationError } from '../core/errors.ts';
import type { LenderProfile } from '../core/lender.ts';
import type { Database } from '../db/schema.ts';
import type { Translate } from '../i18n/messages.ts';
import {
  applySettingsChange,
  isSettingsGroup,
  previewSettingsChange,
  type SettingsActor,
  type SettingsGroup,
  type SettingsPreview,
} from '../services/lender-settings.ts';
import {
  changeValues,
  compactLayout,
  type FormLayout,
  type FormValues,
  lenderValues,
  readForm,
  withFormValues,
} from './settings-form.ts';
import { problemTexts } from './settings-labels.ts';

/**
 * What the settings page does with a post: preview (the form → the CLI's checks → a diff to
 * confirm), edit (back from the diff to the form, values kept), confirm (applied only if the lender
 * still gives the same diff). The page renders what this returns.
 */

export interface SettingsFormView {
  kind: 'form';
  status: number;
  values: FormValues;
  /** Problem texts by input name, all in `group`. */
  errors: Record<string, string>;
  group?: SettingsGroup;
  notice?: 'settings.unchanged' | 'settings.already' | 'settings.confirm.damaged';
}

export type SettingsView =
  | { kind: 'redirect'; location: string }
  | SettingsFormView
  | { kind: 'confirm'; status: number; preview: SettingsPreview; stale: boolean };

/** The change carried by a confirm form, as JSON; anything else is a damaged form. */
const MAX_CHANGE_CHARS = 200_000;
function carriedChange(data: FormData): unknown {
  const raw = data.get('change');
  if (typeof raw !== 'string' || raw.length > MAX_CHANGE_CHARS) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function settingsForm(lender: LenderProfile): SettingsFormView {
  return { kind: 'form', status: 200, values: lenderValues(lender), errors: {} };
}

export async function handleSettingsPost(
  db: Kysely<Database>,
  lender: LenderProfile,
  data: FormData,
  actor: SettingsActor,
  t: Translate,
  now = new Date(),
): Promise<SettingsView> {
  const group = data.get('group');
  const current = lenderValues(lender);
  if (!isSettingsGroup(group)) return { ...settingsForm(lender), status: 400, notice: 'settings.confirm.damaged' };
  const refused = (failure: unknown, values: FormValues, layout: FormLayout): SettingsView => {
    if (!(failure instanceof DomainError)) throw failure;
    const problems =
      failure instanceof ValidationError
        ? failure.problems
        : [{ field: failure.field ?? 'body', message: failure.message }];
    return {
      kind: 'form',
      status: failure.status,
      values: withFormValues(current, group, values),
      errors: problemTexts(t, group, layout, problems),
      group,
    };
  };
  const step = data.get('step');

  if (step === 'confirm' || step === 'edit') {
    const change = carriedChange(data);
    if (change === undefined)
      return { ...settingsForm(lender), status: 400, group, notice: 'settings.confirm.damaged' };
    const values = changeValues(group, change);
    if (step === 'edit')
      return { kind: 'form', status: 200, values: withFormValues(current, group, values), errors: {}, group };
    const basis = data.get('basis');
    try {
      const result = await applySettingsChange(
        db,
        lender.slug,
        group,
        change,
        typeof basis === 'string' ? basis : '',
        actor,
        now,
      );
      if (result.outcome === 'applied')
        return { kind: 'redirect', location: `/staff/lenders/${lender.slug}/settings?saved=${group}` };
      if (result.outcome === 'stale') return { kind: 'confirm', status: 409, preview: result.preview, stale: true };
      return { ...settingsForm(lender), group, notice: 'settings.already' };
    } catch (failure) {
      return refused(failure, values, compactLayout(group, change));
    }
  }

  const read = readForm(group, data);
  if (read.problems.length > 0)
    return {
      kind: 'form',
      status: 400,
      values: withFormValues(current, group, read.values),
      errors: problemTexts(t, group, read.layout, [], read.problems),
      group,
    };
  try {
    const preview = await previewSettingsChange(db, lender.slug, group, read.change);
    if (preview.diff.length > 0) return { kind: 'confirm', status: 200, preview, stale: false };
    return {
      kind: 'form',
      status: 200,
      values: withFormValues(current, group, read.values),
      errors: {},
      group,
      notice: 'settings.unchanged',
    };
  } catch (failure) {
    return refused(failure, read.values, read.layout);
  }
}
