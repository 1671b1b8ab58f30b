import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { FaultInjector, registerAdmin } from '../common/faults.js';
import { registerWorkDriveAdmin } from './wd-admin.js';
import { installAuth, type VerifyToken } from './wd-auth.js';
import type { WdBlobs } from './wd-blobs.js';
import { counters, type WdContext } from './wd-context.js';
import { registerDownload } from './wd-download.js';
import { faultBody, wdError } from './wd-errors.js';
import { registerFileReads } from './wd-files.js';
import { registerSearch } from './wd-search.js';
import type { WdStore } from './wd-store.js';
import { registerTeams } from './wd-teams.js';
import { registerUpload } from './wd-upload.js';
import { registerFileWrites } from './wd-writes.js';

export interface WorkDriveOptions {
  store: WdStore;
  blobs: WdBlobs;
  verifyToken: VerifyToken;
  /** This server's origin, for the links in answers. */
  baseUrl: () => string;
  /** Largest upload content (WorkDrive: 250 MB); lower it in tests. */
  uploadLimitBytes: number;
  faults?: FaultInjector;
}

/**
 * Zoho WorkDrive API v1 under `/workdrive/api/v1` and its download host under `/v1/workdrive/download`
 * (crm-apis.md 3), JSON:API shaped, with its quirks: display-string times, paging without totals, downloads on
 * another host and scope, a foreign upload parent answered 401.
 */
export function buildWorkDriveSimulator(opts: WorkDriveOptions): FastifyInstance {
  // JSON bodies are small; uploads stream past this limit through their own parser.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const faults = opts.faults ?? new FaultInjector();
  const stats = counters();
  const ctx: WdContext = {
    store: opts.store,
    blobs: opts.blobs,
    base: opts.baseUrl,
    stats,
    uploadLimitBytes: opts.uploadLimitBytes,
  };
  // JSON:API writes are labelled application/vnd.api+json (crm-apis.md 3); plain JSON is accepted too (ours).
  app.addContentTypeParser(
    'application/vnd.api+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  // The upload route reads the stream itself (wd-multipart.ts), so a large file is never held whole.
  app.addContentTypeParser('multipart/form-data', (_req, payload, done) => done(null, payload));
  faults.install(app, faultBody);
  registerAdmin(app, faults, {
    stats: () => ({ ...stats }),
    reset: () => Object.assign(stats, counters()),
  });
  installAuth(app, { verifyToken: opts.verifyToken, orgId: () => opts.store.identity.orgId, stats });
  app.setNotFoundHandler((_req, reply) => wdError(reply, 404, 'F000', 'Invalid URL'));
  // (ours) framework-level failures in WorkDrive's error shape; the ids are undocumented, so F000 throughout.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    // A client that hangs up mid-upload is not a simulator failure.
    if (status >= 500 && !req.raw.destroyed) console.error(`zoho-workdrive: ${err.stack ?? err.message}`);
    return wdError(reply, status >= 500 ? 500 : status, 'F000', status >= 500 ? undefined : err.message);
  });

  registerTeams(app, ctx);
  registerFileReads(app, ctx);
  registerFileWrites(app, ctx);
  registerSearch(app, ctx);
  registerUpload(app, ctx);
  registerDownload(app, ctx);
  registerWorkDriveAdmin(app, ctx);
  return app;
}
