import { createHash } from 'node:crypto';
import { Rng, hash32 } from './rng.js';

/** File types the seeded CRMs hold, with magic bytes so content sniffers see real-looking files. */
export const FILE_TYPES = {
  pdf: { mime: 'application/pdf', head: Buffer.from('%PDF-1.4\n'), tail: Buffer.from('\n%%EOF\n') },
  docx: {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    head: Buffer.from([0x50, 0x4b, 0x03, 0x04]),
    tail: Buffer.alloc(0),
  },
  xlsx: {
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    head: Buffer.from([0x50, 0x4b, 0x03, 0x04]),
    tail: Buffer.alloc(0),
  },
  png: {
    mime: 'image/png',
    head: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    tail: Buffer.alloc(0),
  },
  jpg: { mime: 'image/jpeg', head: Buffer.from([0xff, 0xd8, 0xff, 0xe0]), tail: Buffer.from([0xff, 0xd9]) },
  txt: { mime: 'text/plain', head: Buffer.alloc(0), tail: Buffer.alloc(0) },
  csv: { mime: 'text/csv', head: Buffer.from('date,item,amount\n'), tail: Buffer.alloc(0) },
} as const;
export type FileExt = keyof typeof FILE_TYPES;

/** Naming conventions seen in real CRMs: spaces, versions, dates, camera names, snake case. */
const NAMES: Record<FileExt, string[]> = {
  pdf: ['Proposal v2', 'Signed Contract', 'quote_2024-03-18', 'Site Survey (final)', 'INVOICE-10023'],
  docx: ['Statement of Work', 'meeting-notes_kickoff', 'Scope DRAFT v3'],
  xlsx: ['Budget 2024', 'bill_of_materials', 'Pricing Sheet Q3'],
  png: ['floor-plan', 'Screenshot 2024-05-02 at 10.14.33', 'rack_diagram'],
  jpg: ['IMG_2045', 'site photo 001', 'DSC00412'],
  txt: ['readme', 'access codes (redacted)', 'call_log'],
  csv: ['export_contacts', 'line-items'],
};

export function fileName(rng: Rng, ext: FileExt): string {
  return `${rng.pick(NAMES[ext])}.${ext}`;
}

/** The bytes of a seeded file, derived from its key so they are the same on every run and need no storage. */
export function fileBytes(key: string, ext: FileExt, size: number): Buffer {
  const { head, tail } = FILE_TYPES[ext];
  const out = Buffer.alloc(Math.max(size, head.length + tail.length));
  head.copy(out, 0);
  const rng = new Rng(hash32(key));
  const text = ext === 'txt' || ext === 'csv';
  const end = out.length - tail.length;
  // Seeded files are generated on every download (the simulator's hot path): a 4 KiB pseudo-random block is
  // drawn once and tiled, each tile stamped with the file key and its offset so no two files or tiles are alike.
  const block = Buffer.alloc(4096);
  for (let i = 0; i < block.length; i++) {
    const r = Math.floor(rng.next() * 256);
    block[i] = text ? (i % 64 === 63 ? 10 : 97 + (r % 26)) : r;
  }
  for (let offset = head.length; offset < end; offset += block.length) {
    const n = Math.min(block.length, end - offset);
    block.copy(out, offset, 0, n);
    const stamp = Buffer.from(`${key}@${offset}`);
    stamp.copy(out, offset, 0, Math.min(stamp.length, n));
  }
  tail.copy(out, out.length - tail.length);
  return out;
}

export function md5(buf: Buffer): string {
  return createHash('md5').update(buf).digest('hex');
}
