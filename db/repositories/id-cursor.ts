import { isId } from '../../domain/input-rules.js';

/** A cursor the API did not hand out (wrong kind, tampered, or for another sort): answered with a 400. */
export class InvalidCursorError extends Error {}

/** Opaque keyset cursor for lists paged by id: the kind keeps one list's cursor from being used on another. */
export function encodeIdCursor(kind: string, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

/** Plain digits within a positive safe integer: `kind:99999999999999999999` would overflow the bigint compare. */
export function decodeIdCursor(kind: string, cursor: string): number {
  const m = new RegExp(`^${kind}:(\\d{1,16})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = m ? Number(m[1]) : NaN;
  if (!isId(id)) throw new InvalidCursorError('cursor is not one this API returned');
  return id;
}
