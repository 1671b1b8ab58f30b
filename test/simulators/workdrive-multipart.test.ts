import { describe, expect, it } from 'vitest';
import { MultipartError, readParts } from '../../simulators/zoho-workdrive/wd-multipart.js';

const BOUNDARY = '----sim-boundary-42';

function body(parts: Array<{ name: string; value: Buffer | string; filename?: string }>): Buffer {
  const pieces = parts.flatMap((p) => [
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"` +
        `${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n`,
    ),
    Buffer.from(p.value),
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([Buffer.from('preamble\r\n'), ...pieces, Buffer.from(`--${BOUNDARY}--\r\nepilogue`)]);
}

async function parse(chunks: Buffer[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await readParts(
    (async function* () {
      yield* chunks;
    })(),
    BOUNDARY,
    (head) => {
      const got: Buffer[] = [];
      return { data: (c) => void got.push(Buffer.from(c)), end: () => void out.set(head.name, Buffer.concat(got)) };
    },
  );
  return out;
}

describe('WorkDrive upload parser', () => {
  // Content that holds CRLFs and a near-boundary, so a split inside the delimiter is exercised.
  const content = Buffer.concat([Buffer.from(`x\r\n--${BOUNDARY.slice(0, -1)}y\r\n`), Buffer.alloc(300, 7)]);
  const whole = body([
    { name: 'content', value: content, filename: 'a.bin' },
    { name: 'filename', value: 'a%20b.pdf' },
  ]);

  it('reads the same parts however the body is split into chunks', async () => {
    for (const size of [1, 2, 3, 5, 17, 64, whole.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < whole.length; i += size) chunks.push(whole.subarray(i, i + size));
      const parts = await parse(chunks);
      expect(parts.get('content')!.equals(content), `chunks of ${size}`).toBe(true);
      expect(parts.get('filename')!.toString()).toBe('a%20b.pdf');
    }
  });

  it('refuses a body cut before its closing boundary', async () => {
    await expect(parse([whole.subarray(0, whole.length - 20)])).rejects.toBeInstanceOf(MultipartError);
  });
});
