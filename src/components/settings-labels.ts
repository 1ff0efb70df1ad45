import type { InputProblem } from '../core/errors.ts';
import { settingsZh } from '../i18n/catalogues/settings.ts';
import type { MessageKey, Translate } from '../i18n/messages.ts';
import { type FormLayout, type FormProblem, placeProblem, type SettingsForm } from './settings-form.ts';

/**
 * What people read for a setting: its label wherever it appears (form, error, diff, history), and a
 * problem's text, which names the field it is about (GOV.UK: the same words in the summary and
 * beside the field).
 */

function known(key: string): key is MessageKey {
  return Object.hasOwn(settingsZh, key);
}

/** `money.graceDays` → 宽限天数; `hotlines.1.hours` → 客服电话 2 的服务时间; an unknown path as itself. */
export function fieldLabel(t: Translate, name: string): string {
  const row = /^(hotlines|repaymentChannels)\.(\d+)\.(\w+)$/.exec(name);
  if (row) {
    const n = Number(row[2]) + 1;
    if (row[1] === 'hotlines')
      return t(row[3] === 'hours' ? 'settings.field.hotline.hours' : 'settings.field.hotline.number', { n });
    const part = `settings.field.channel.${row[3]}`;
    return `${t('settings.field.channel', { n })} · ${known(part) ? t(part) : row[3]}`;
  }
  const key = `settings.field.${name}`;
  return known(key) ? t(key) : name;
}

/** Each input's problem text (the first one found for it), by input name. */
export function problemTexts(
  t: Translate,
  form: SettingsForm,
  layout: FormLayout,
  problems: readonly InputProblem[],
  formProblems: readonly FormProblem[] = [],
): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const { name, key } of formProblems) {
    texts[name] ??= t('settings.error.problem', { label: fieldLabel(t, name), detail: t(key) });
  }
  for (const problem of problems) {
    const place = placeProblem(form, problem, layout);
    const label = fieldLabel(t, place.name);
    texts[place.name] ??= t('settings.error.problem', {
      label: place.line === undefined ? label : t('settings.error.line', { label, line: place.line }),
      detail: place.detail,
    });
  }
  return texts;
}
