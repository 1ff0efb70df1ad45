import type { z } from 'zod';
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
