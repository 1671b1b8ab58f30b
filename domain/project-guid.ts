import { createHash } from 'node:crypto';

/** Namespace of our project GUIDs (a random UUID fixed once; changing it would orphan every published project). */
const NAMESPACE = '6f1c7c62-54a4-4b5e-9d51-2f0e3b7a9c11';

/**
 * The SI project GUID of a deal, derived (UUID v5, RFC 9562) from the job and the deal id: a publish retried after
 * a lost answer, a replayed request or a rebuilt database all name the same project, so SI updates it instead of
 * creating a second one.
 */
export function projectGuid(jobId: string, dealId: string): string {
  const ns = Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(`${jobId}:${dealId}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
