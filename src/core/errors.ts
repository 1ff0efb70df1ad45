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

export class ValidationError extends DomainError {
  constructor(field: string, message: string, code = 'invalid_request') {
    super(code, message, { status: 400, field });
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
