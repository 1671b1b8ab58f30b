import { createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { initOrm } from '../../db/mikro-orm.config.js';
import { ExtractService } from '../../services/extract.service.js';

/** The bench's exporter: one domain of one connection streamed to a CSV file; prints `RESULT {rows, ms, bytes}`. */
const orm = await initOrm(process.env.DATABASE_URL!, { poolMax: 2 });
try {
  const path = join(mkdtempSync(join(tmpdir(), 'bench-export-')), 'deals.csv');
  let rows = 0;
  const t0 = performance.now();
  const chunks = new ExtractService(() => orm.em.fork()).export('deals', 'csv', {
    connectionId: process.env.EXPORT_CONNECTION,
    onRows: (n) => {
      rows += n;
    },
  });
  await pipeline(Readable.from(chunks), createWriteStream(path));
  console.log(`RESULT ${JSON.stringify({ rows, ms: performance.now() - t0, bytes: statSync(path).size })}`);
} finally {
  await orm.close();
}
