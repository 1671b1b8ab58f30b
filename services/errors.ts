/** Domain errors the API maps to status codes and the CLI to exit codes. */
export class NotFound extends Error {
  constructor(readonly resource: string, readonly id: string) {
    super(`${resource} "${id}" not found`);
    this.name = 'NotFound';
  }
}

export class BadRequest extends Error {
  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'BadRequest';
  }
}

export class Conflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Conflict';
  }
}
