/** A cursor the API did not hand out (wrong kind, tampered, or for another sort): answered with a 400. */
export class InvalidCursorError extends Error {}

/** Opaque keyset cursor for lists paged by id: the kind keeps one list's cursor from being used on another. */
export function encodeIdCursor(kind: string, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

export function decodeIdCursor(kind: string, cursor: string): number {
  const m = new RegExp(`^${kind}:(\\d+)$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError('cursor is not one this API returned');
  return Number(m[1]);
}
