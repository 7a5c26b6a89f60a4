/**
 * The few errors a service may throw. The HTTP layer turns each into application/problem+json
 * in one place (http/problems.ts); no route assembles error text itself.
 */
export interface FieldProblem {
  /** Where the problem is, as a path: "body.dueAt", "query.status". */
  field: string;
  /** The rule that was broken: "required", "invalid_type", "too_small", "conflict"... */
  rule: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: number | string) {
    super(404, 'Not found', `${what} ${id} does not exist`);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, problems: FieldProblem[] = []) {
    super(409, 'Conflict', message, problems);
  }
}

export class Forbidden extends DomainError {
  constructor(message: string) {
    super(403, 'Forbidden', message);
  }
}

export class Unauthorized extends DomainError {
  constructor(message = 'Sign in or send an API token (Authorization: Bearer ...)') {
    super(401, 'Unauthorized', message);
  }
}

export class Invalid extends DomainError {
  constructor(field: string, rule: string, message: string) {
    super(422, 'Invalid request', message, [{ field, rule, message }]);
  }
}

/** Too many attempts (sign-in throttling); the answer carries Retry-After. */
export class TooManyRequests extends DomainError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(429, 'Too many requests', message);
  }
}

/** What an error looks like to API clients (application/problem+json, RFC 9457). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** The request's id, as in the x-request-id header and the log lines: quote it when reporting a problem. */
  requestId?: string;
  errors?: FieldProblem[];
}
