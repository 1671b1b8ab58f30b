/**
 * The closed set of connector failures (DESIGN.md 3.3). Every HTTP problem becomes exactly one of these,
 * decided once in `classifyResponse`; activities map them to Temporal failures in `toApplicationFailure`.
 */
export type ConnectorErrorKind = 'rate-limited' | 'unavailable' | 'auth' | 'validation' | 'not-found' | 'conflict';

export interface ConnectorErrorInit {
  status?: number;
  code?: string;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export abstract class ConnectorError extends Error {
  abstract readonly kind: ConnectorErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, init: ConnectorErrorInit = {}) {
    super(message, { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
  }
}

export class RateLimitedError extends ConnectorError {
  readonly kind = 'rate-limited';
  /** How long the provider asked us to wait; undefined when it did not say. */
  readonly retryAfterMs?: number;
  /** True when waiting will not help today (e.g. HubSpot's DAILY policy). */
  readonly exhausted: boolean;
  constructor(message: string, init: ConnectorErrorInit & { exhausted?: boolean } = {}) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
    this.exhausted = init.exhausted ?? false;
  }
}
export class UnavailableError extends ConnectorError {
  readonly kind = 'unavailable';
}
export class AuthError extends ConnectorError {
  readonly kind = 'auth';
}
export class ValidationError extends ConnectorError {
  readonly kind = 'validation';
}
export class NotFoundError extends ConnectorError {
  readonly kind = 'not-found';
}
export class ConflictError extends ConnectorError {
  readonly kind = 'conflict';
}

export function isConnectorError(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError;
}
