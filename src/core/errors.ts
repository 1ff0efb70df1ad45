/**
 * The one base class of every error the product expects: bad input, a missing record, a
 * refused action. Anything else reaching a route is a bug and becomes a plain 500.
 * `status` is the HTTP status the API answers with; `field` names the offending input.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: string, message: string, options: { status?: number; field?: string } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 400;
    this.field = options.field;
  }
}

/** One thing wrong with an input: the path of the offending value and a message starting with it. */
export interface InputProblem {
  field: string;
  message: string;
}

export class ValidationError extends DomainError {
  /**
   * Every problem found in the same check, this error's own first: an API answers with the first,
   * a form shows them all at once (GOV.UK error summary).
   */
  readonly problems: readonly InputProblem[];

  constructor(field: string, message: string, code = 'invalid_request', problems?: readonly InputProblem[]) {
    super(code, message, { status: 400, field });
    this.problems = problems && problems.length > 0 ? problems : [{ field, message }];
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, message = `${what} not found`) {
    super('not_found', message, { status: 404 });
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, field?: string) {
    super(code, message, field === undefined ? { status: 409 } : { status: 409, field });
  }
}

export class UnprocessableError extends DomainError {
  constructor(code: string, message: string, field?: string) {
    super(code, message, field === undefined ? { status: 422 } : { status: 422, field });
  }
}

/** Over a rate budget: 429, with the whole seconds to wait (sent as Retry-After and in the body). */
export class RateLimitedError extends DomainError {
  readonly retryAfter: number;

  constructor(retryAfter: number, message: string) {
    super('rate_limited', message, { status: 429 });
    this.retryAfter = retryAfter;
  }
}
