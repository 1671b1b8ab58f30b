import { CAPABILITY_PURPOSE, type CapabilityName, providersWith } from './providers.js';

/**
 * Errors about connections, raised wherever a connection is looked up (services, activities, the worker's
 * registry). One class each: the API maps them to 404/400, the CLI to exit code 2, activities to non-retryable
 * failures (activities/failures.ts).
 */
export class UnknownConnectionError extends Error {
  readonly code = 'UNKNOWN_CONNECTION';
  constructor(readonly connectionId: string) {
    super(`connection "${connectionId}" does not exist`);
    this.name = 'UnknownConnectionError';
  }
}

export class WrongProviderError extends Error {
  readonly code = 'WRONG_PROVIDER';
  constructor(
    readonly connectionId: string,
    readonly provider: string,
    readonly capability: CapabilityName,
  ) {
    const allowed = providersWith(capability);
    super(
      `connection "${connectionId}" is ${provider}; ${CAPABILITY_PURPOSE[capability]} works with ${allowed.length ? `${allowed.join(' or ')} only` : 'no provider yet'}`,
    );
    this.name = 'WrongProviderError';
  }
}

/** Checks that a connection row exists and its provider has the capability; returns it narrowed. */
export function requireCapable<T extends { id: string; provider: string }>(
  connectionId: string,
  row: T | null | undefined,
  capability?: CapabilityName,
): T {
  if (!row) throw new UnknownConnectionError(connectionId);
  if (capability && !providersWith(capability).includes(row.provider as never))
    throw new WrongProviderError(connectionId, row.provider, capability);
  return row;
}
