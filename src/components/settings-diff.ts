import type { Locale } from '../i18n/locale.ts';
import type { MessageKey, Translate } from '../i18n/messages.ts';
import type { SettingsDiffEntry } from '../services/lender-settings.ts';
import { fieldLabel } from './settings-labels.ts';

/**
 * A diff entry as people read it: the field's label, and each value as lines of plain text
 * (a list one item a line, a hotline with its hours, a channel with its kind, yes/no, yuan).
 */

export interface DiffRow {
  field: string;
  label: string;
  before: string[];
  after: string[];
}

function channelLine(t: Translate, locale: Locale, channel: Record<string, unknown>): string {
  const kind = `settings.channel.${String(channel.kind)}` as MessageKey;
  const parts = [channel.label, channel.labelEn, channel.detail, channel.detailEn].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return `${t(kind)}${locale === 'en' ? ': ' : '：'}${parts.join(' · ')}`;
}

function lines(t: Translate, locale: Locale, field: string, value: unknown): string[] {
  if (value === undefined || value === null) return [t('settings.none')];
  if (typeof value === 'boolean') return [t(value ? 'settings.yes' : 'settings.no')];
  if (field === 'relief.plan.minBalance' && typeof value === 'number')
    return [`¥${(value / 100).toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [t('settings.none')];
    if (field === 'relief.plan.terms') return [value.join(', ')];
    return value.map((item) => {
      if (typeof item !== 'object' || item === null) return String(item);
      const record = item as Record<string, unknown>;
      if (field !== 'hotlines') return channelLine(t, locale, record);
      if (!record.hours) return String(record.number);
      return locale === 'en' ? `${record.number} (${record.hours})` : `${record.number}（${record.hours}）`;
    });
  }
  return [String(value)];
}

export function diffRows(t: Translate, locale: Locale, diff: readonly SettingsDiffEntry[]): DiffRow[] {
  return diff.map(({ field, before, after }) => ({
    field,
    label: fieldLabel(t, field),
    before: lines(t, locale, field, before),
    after: lines(t, locale, field, after),
  }));
}
