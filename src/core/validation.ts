import { z } from 'zod';
import { type InputProblem, ValidationError } from './errors.ts';

/**
 * Runs a zod schema at an input boundary. The first problem becomes a ValidationError whose
 * `field` is the path of the offending value ("instalments[0].dueDate") and whose message
 * starts with it, so a client always learns which field to fix.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, prefix));
  const first = problems[0];
  if (!first) throw new ValidationError(prefix || 'body', 'invalid input');
  // The others ride along for forms that show every problem at once; an API answers with the first.
  throw new ValidationError(first.field, first.message, 'invalid_request', problems);
}

function describeIssue(issue: z.core.$ZodIssue, prefix: string): InputProblem {
  if (issue.code === 'unrecognized_keys') {
    const path = formatPath([...issue.path, issue.keys[0] ?? ''], prefix);
    return { field: path, message: `${path}: unknown field (allowed fields are listed in the API reference)` };
  }
  const path = formatPath(issue.path, prefix) || 'body';
  return { field: path, message: `${path}: ${issue.message}` };
}

function formatPath(path: readonly PropertyKey[], prefix: string): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/**
 * Every field a form got wrong (path → the schema's message), for pages that show all problems
 * at once (GOV.UK error summary); empty when the value is valid.
 */
export function fieldProblems<S extends z.ZodType>(schema: S, value: unknown): Record<string, string> {
  const result = schema.safeParse(value);
  const problems: Record<string, string> = {};
  if (result.success) return problems;
  for (const issue of result.error.issues) {
    const path = formatPath(issue.path, '') || 'body';
    problems[path] ??= issue.message;
  }
  return problems;
}

/**
 * Characters no field of ours holds: C0 controls but tab, line feed and carriage return, DEL,
 * the C1 controls, and halves of a surrogate pair without their other half. PostgreSQL cannot
 * store U+0000 in text at all, and none of them has a use in a name, a note or a message; a lone
 * surrogate is not text (it has no UTF-8 form).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\p{Cs}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\p{Cs}/gu;

export const CONTROL_CHARACTER_MESSAGE = 'must not contain control characters (such as U+0000)';

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

/** The text without them, for inputs better kept than refused (a form, an SMS a borrower sent). */
export function stripControlCharacters(value: string): string {
  return hasControlCharacters(value) ? value.replace(CONTROL_CHARACTERS, '') : value;
}

/**
 * A string field of an input: refused, naming the field, when it holds a control character.
 * Chain the field's own rules after it (`text().trim().min(1).max(100)`), so every text field
 * of every boundary says the same thing about them.
 */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine((value) => !hasControlCharacters(value), CONTROL_CHARACTER_MESSAGE);
}

/**
 * Any parsed JSON (a request body, a CLI's stdin): refused at the first string, key or value,
 * that holds a control character, with its path. Run before the body's own schema, so a field
 * that schema reads as plain `z.string()` is covered too.
 */
export const cleanJson = z.unknown().check((ctx) => {
  if (jsonDepthExceeds(ctx.value)) {
    ctx.issues.push({ code: 'custom', message: NESTED_TOO_DEEP_MESSAGE, input: ctx.value });
    return;
  }
  const found = firstControlCharacter(ctx.value, []);
  if (found) ctx.issues.push({ code: 'custom', message: CONTROL_CHARACTER_MESSAGE, path: found, input: ctx.value });
});

/**
 * Where a request's own text holds a control character: 'path' (its decoded path), the name of
 * the first query parameter holding one, or null. No link of ours holds one.
 */
export function controlCharacterInUrl(url: URL): string | null {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // not percent-encoding any route reads as text: left to the routes
  }
  if (hasControlCharacters(path)) return 'path';
  for (const [name, value] of url.searchParams) {
    if (hasControlCharacters(name) || hasControlCharacters(value)) return stripControlCharacters(name) || 'query';
  }
  return null;
}

/** Every document we take is a few levels deep; a deeper one is refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;
export const NESTED_TOO_DEEP_MESSAGE = `nested more than ${MAX_JSON_DEPTH} levels deep`;

/**
 * Whether a parsed JSON value nests deeper than `max` arrays and objects. Iterative: a 64 KB
 * body can nest ten thousand levels, which a recursive walk (or a schema's) would overflow the
 * stack on — a 500 instead of a 400.
 */
export function jsonDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

function firstControlCharacter(value: unknown, path: PropertyKey[]): PropertyKey[] | null {
  if (typeof value === 'string') return hasControlCharacters(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstControlCharacter(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (hasControlCharacters(key)) return [...path, key];
      const found = firstControlCharacter(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
