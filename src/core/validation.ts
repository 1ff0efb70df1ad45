import type { z } from 'zod';
import { ValidationError } from './errors.ts';

/**
 * Runs a zod schema at an input boundary. The first problem becomes a ValidationError whose
 * `field` is the path of the offending value ("instalments[0].dueDate") and whose message
 * starts with it, so a client always learns which field to fix.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ValidationError(prefix || 'body', 'invalid input');
  let path = formatPath(issue.path, prefix);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    path = formatPath([...issue.path, key], prefix);
    throw new ValidationError(path, `${path}: unknown field (allowed fields are listed in the API reference)`);
  }
  throw new ValidationError(path || 'body', `${path || 'body'}: ${issue.message}`);
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
