import type { InputProblem } from '../core/errors.ts';
import { type LenderProfile, REPAYMENT_CHANNEL_KINDS } from '../core/lender.ts';
import { profileFieldsOf } from '../core/lender-profile.ts';
import type { SettingsGroup } from '../services/lender-settings.ts';

/**
 * The console's settings forms as plain HTML fields, and back. Each input is named by the path of
 * the setting it edits as the CLI names it (`money.graceDays`, `hotlines.0.number`), so a problem
 * the CLI's checks report (`hotlines[0].number: …`) lands beside the input it is about. What a
 * form cannot even express as a value (letters in a whole number) is refused here, by name, before
 * the CLI's checks see it; everything else is for those checks to judge.
 */

export type SettingsForm = SettingsGroup | 'create';
export type FormValues = Record<string, string>;

/** A problem found while reading the form: the input and the catalogue's words for it. */
export interface FormProblem {
  name: string;
  key: 'settings.error.wholeNumber' | 'settings.error.amount' | 'settings.error.terms';
}

type Kind = 'text' | 'lines' | 'int' | 'trimmed' | 'bool' | 'yuan' | 'terms';

const PROFILE: Array<[string, Kind]> = [
  ['name', 'text'],
  ['nameEn', 'text'],
  ['smsSignature', 'text'],
  ['domains', 'lines'],
  ['shortLinkDomain', 'text'],
];
const WIDGET: Array<[string, Kind]> = [['widgetOrigins', 'lines']];

/** Every plain input of each form, in the order the form shows them. */
export const FORM_INPUTS: Record<SettingsForm, Array<[name: string, kind: Kind]>> = {
  profile: PROFILE,
  widget: WIDGET,
  money: [
    ['money.graceDays', 'int'],
    ['money.penaltyDailyRate', 'trimmed'],
    ['money.penaltyAnnualCap', 'trimmed'],
    ['money.timeZone', 'trimmed'],
  ],
  reminders: [
    ['reminders.contactWindow.start', 'trimmed'],
    ['reminders.contactWindow.end', 'trimmed'],
    ['reminders.dailyCap', 'int'],
    ['reminders.weeklyCap', 'int'],
    ['reminders.firmFromDay', 'int'],
    ['reminders.finalFromDay', 'int'],
    ['reminders.repeatLate.episodes', 'int'],
    ['reminders.repeatLate.graceDays', 'int'],
    ['reminders.paydayLeadDays', 'int'],
    ['reminders.linkExpiryDays', 'int'],
    ['reminders.unreachableAfterFailures', 'int'],
    ['reminders.allowOptOut', 'bool'],
  ],
  relief: [
    ['relief.extension.enabled', 'bool'],
    ['relief.extension.maxDays', 'int'],
    ['relief.extension.feeRate', 'trimmed'],
    ['relief.extension.maxPerLoan', 'int'],
    ['relief.extension.maxDaysOverdue', 'int'],
    ['relief.plan.enabled', 'bool'],
    ['relief.plan.terms', 'terms'],
    ['relief.plan.monthlyRate', 'trimmed'],
    ['relief.plan.minBalance', 'yuan'],
    ['relief.plan.maxDaysOverdue', 'int'],
  ],
  create: [['slug', 'text'], ...PROFILE, ...WIDGET],
};

/** Repeated rows (one per hotline or channel) and the inputs of each row. */
export const ROW_LISTS = {
  hotlines: { fields: ['number', 'hours'], max: 10 },
  repaymentChannels: { fields: ['kind', 'label', 'labelEn', 'detail', 'detailEn'], max: 20 },
} as const;
export type RowList = keyof typeof ROW_LISTS;

function rowListsOf(form: SettingsForm): RowList[] {
  return form === 'profile' || form === 'create' ? ['hotlines', 'repaymentChannels'] : [];
}

/** The id of an input named by a path: `money.graceDays` → `money-graceDays`. */
export function inputId(name: string): string {
  return name.replaceAll('.', '-');
}

// Values → change -------------------------------------------------------------------------------

/** How the change's list items and rows map back to the form's lines and rows (blank ones are left out). */
export interface FormLayout {
  /** For each list item of a textarea, its line (1-based). */
  lines: Record<string, number[]>;
  /** For each row of a row list in the change, the form row it came from. */
  rows: Partial<Record<RowList, number[]>>;
}

export interface ReadForm {
  values: FormValues;
  change: Record<string, unknown>;
  problems: FormProblem[];
  layout: FormLayout;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) as string] = value;
}

function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

const WHOLE_NUMBER = /^-?\d{1,9}$/;
const YUAN = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

/** Full-width digits and colons (a Chinese keyboard's) read as the ASCII a rule expects. */
const folded = (value: string) => value.normalize('NFKC').trim();

/** The values a form was posted with, and the change they ask for. */
export function readForm(form: SettingsForm, data: FormData): ReadForm {
  const values: FormValues = {};
  const change: Record<string, unknown> = {};
  const problems: FormProblem[] = [];
  const layout: FormLayout = { lines: {}, rows: {} };
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === 'string' ? value : '';
  };
  for (const [name, kind] of FORM_INPUTS[form]) {
    const raw = text(name);
    values[name] = kind === 'bool' ? (raw === '' ? '' : 'on') : raw;
    switch (kind) {
      case 'text':
        setPath(change, name, raw);
        break;
      case 'trimmed':
        setPath(change, name, folded(raw));
        break;
      case 'bool':
        setPath(change, name, raw !== '');
        break;
      case 'lines': {
        const lines = raw.split(/\r\n|\r|\n/);
        const kept = lines.flatMap((line, i) => (line.trim() === '' ? [] : [[line, i + 1] as const]));
        layout.lines[name] = kept.map(([, number]) => number);
        setPath(
          change,
          name,
          kept.map(([line]) => line),
        );
        break;
      }
      case 'int': {
        const value = folded(raw);
        if (WHOLE_NUMBER.test(value)) setPath(change, name, Number(value));
        else problems.push({ name, key: 'settings.error.wholeNumber' });
        break;
      }
      case 'yuan': {
        const match = YUAN.exec(folded(raw));
        if (match) setPath(change, name, Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')));
        else problems.push({ name, key: 'settings.error.amount' });
        break;
      }
      case 'terms': {
        const parts = folded(raw)
          .split(/[,，、;；\s]+/)
          .filter((p) => p !== '');
        if (parts.every((p) => /^\d{1,3}$/.test(p))) setPath(change, name, parts.map(Number));
        else problems.push({ name, key: 'settings.error.terms' });
        break;
      }
    }
  }
  for (const list of rowListsOf(form)) {
    const { fields } = ROW_LISTS[list];
    const indexes = new Set<number>();
    for (const key of data.keys()) {
      const match = new RegExp(`^${list}\\.(\\d{1,2})\\.`).exec(key);
      if (match) indexes.add(Number(match[1]));
    }
    const rows: Array<Record<string, string>> = [];
    const from: number[] = [];
    for (const index of [...indexes].sort((a, b) => a - b)) {
      const row: Record<string, string> = {};
      for (const field of fields) {
        row[field] = text(`${list}.${index}.${field}`);
        values[`${list}.${index}.${field}`] = row[field];
      }
      // A row whose text is all blank is no entry (the kind of a blank channel row is only its default).
      if (fields.every((field) => field === 'kind' || (row[field] ?? '').trim() === '')) continue;
      rows.push(row);
      from.push(index);
    }
    layout.rows[list] = from;
    change[list] =
      list === 'hotlines'
        ? rows.map((row) => ({ number: row.number, hours: row.hours }))
        : rows.map(({ detailEn, ...row }) => ((detailEn ?? '').trim() === '' ? row : { ...row, detailEn }));
  }
  return { values, change, problems, layout };
}

// Settings → values -----------------------------------------------------------------------------

function valueText(kind: Kind, value: unknown): string | undefined {
  switch (kind) {
    case 'bool':
      return value === true ? 'on' : value === false ? '' : undefined;
    case 'lines':
      return Array.isArray(value) ? value.map(String).join('\n') : undefined;
    case 'terms':
      return Array.isArray(value) ? value.map(String).join(', ') : undefined;
    case 'yuan':
      return Number.isSafeInteger(value) ? ((value as number) / 100).toFixed(2) : undefined;
    default:
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }
}

/** The form values of a settings-shaped object (the lender's, or a change): what it holds, nothing else. */
function valuesOf(form: SettingsForm, source: unknown): FormValues {
  const values: FormValues = {};
  for (const [name, kind] of FORM_INPUTS[form]) {
    const text = valueText(kind, getPath(source, name));
    if (text !== undefined) values[name] = text;
  }
  for (const list of rowListsOf(form)) {
    const items = getPath(source, list);
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, i) => {
      for (const field of ROW_LISTS[list].fields) {
        const value = typeof item === 'string' && field === 'number' ? item : getPath(item, field);
        values[`${list}.${i}.${field}`] = typeof value === 'string' ? value : '';
      }
    });
  }
  return values;
}

/** Every form's values as the lender has them now. */
export function lenderValues(lender: LenderProfile): FormValues {
  const source = {
    ...profileFieldsOf(lender),
    money: lender.policy,
    reminders: lender.reminders,
    relief: lender.relief,
  };
  return Object.assign(
    {},
    ...(['profile', 'widget', 'money', 'reminders', 'relief'] as const).map((form) => valuesOf(form, source)),
  ) as FormValues;
}

/** `base` with one form's values replaced by `values` (its rows too: a removed row stays removed). */
export function withFormValues(base: FormValues, form: SettingsForm, values: FormValues): FormValues {
  const names = new Set(FORM_INPUTS[form].map(([name]) => name));
  const lists = rowListsOf(form);
  const kept = Object.entries(base).filter(
    ([name]) => !names.has(name) && !lists.some((list) => name.startsWith(`${list}.`)),
  );
  return { ...Object.fromEntries(kept), ...values };
}

/** The values of a change as asked (to edit it again after the diff). */
export function changeValues(form: SettingsForm, change: unknown): FormValues {
  return valuesOf(form, change);
}

/** How many rows of a list to show: every row given, then one blank row to add another (up to the maximum). */
export function rowCount(values: FormValues, list: RowList): number {
  let last = -1;
  for (const [name, value] of Object.entries(values)) {
    const match = new RegExp(`^${list}\\.(\\d+)\\.(\\w+)$`).exec(name);
    if (match && match[2] !== 'kind' && value.trim() !== '') last = Math.max(last, Number(match[1]));
  }
  return Math.min(last + 2, ROW_LISTS[list].max);
}

export const CHANNEL_KINDS = REPAYMENT_CHANNEL_KINDS;

// Problems → inputs -----------------------------------------------------------------------------

/** Where a problem the checks reported belongs: the input, and the line of a textarea. */
export interface ProblemPlace {
  name: string;
  line?: number;
  /** The checks' own words, without the path they start with. */
  detail: string;
}

function inputNames(form: SettingsForm, layout: FormLayout): string[] {
  const names = FORM_INPUTS[form].map(([name]) => name);
  for (const list of rowListsOf(form)) {
    const rows = layout.rows[list] ?? [];
    for (const row of rows.length > 0 ? rows : [0])
      for (const field of ROW_LISTS[list].fields) names.push(`${list}.${row}.${field}`);
  }
  return names;
}

/** The input a problem at `field` (`hotlines[1].number`, `reminders.contactWindow`) is about. */
export function placeProblem(form: SettingsForm, problem: InputProblem, layout: FormLayout): ProblemPlace {
  const detail = problem.message.startsWith(`${problem.field}: `)
    ? problem.message.slice(problem.field.length + 2)
    : problem.message;
  const parts = problem.field.replace(/\[(\d+)\]/g, '.$1').split('.');
  const [head = '', index, ...rest] = parts;
  const names = inputNames(form, layout);
  if (head in layout.lines) {
    const i = Number(index);
    return {
      name: head,
      ...(Number.isInteger(i) ? { line: layout.lines[head]?.[i] ?? i + 1 } : {}),
      detail,
    };
  }
  if (head in ROW_LISTS) {
    const list = head as RowList;
    const i = Number(index);
    const row = Number.isInteger(i) ? (layout.rows[list]?.[i] ?? i) : (layout.rows[list]?.[0] ?? 0);
    const field = ROW_LISTS[list].fields.find((f) => f === rest[0]) ?? (list === 'hotlines' ? 'number' : 'label');
    return { name: `${list}.${row}.${field}`, detail };
  }
  for (let length = parts.length; length > 0; length--) {
    const path = parts.slice(0, length).join('.');
    const name = names.find((n) => n === path) ?? names.find((n) => n.startsWith(`${path}.`));
    if (name) return { name, detail };
  }
  return { name: names[0] ?? 'body', detail };
}

/** The layout of a change that came back from a confirm form: no blank rows or lines to skip. */
export function compactLayout(form: SettingsForm, change: unknown): FormLayout {
  const layout: FormLayout = { lines: {}, rows: {} };
  for (const [name, kind] of FORM_INPUTS[form]) {
    if (kind !== 'lines') continue;
    const items = getPath(change, name);
    layout.lines[name] = Array.isArray(items) ? items.map((_, i) => i + 1) : [];
  }
  for (const list of rowListsOf(form)) {
    const items = getPath(change, list);
    layout.rows[list] = Array.isArray(items) ? items.map((_, i) => i) : [];
  }
  return layout;
}
