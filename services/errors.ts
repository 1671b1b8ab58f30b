/** Domain errors the API maps to status codes and the CLI to exit codes. */
export class NotFound extends Error {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} "${id}" not found`);
    this.name = 'NotFound';
  }
}

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

/** Values that break a field's rules where no schema could check them (the rule depends on another parameter). */
export class InvalidFields extends BadRequest {
  constructor(readonly fields: Array<{ field: string; message: string }>) {
    super(fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
    this.name = 'InvalidFields';
  }
}

export class Conflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Conflict';
  }
}
