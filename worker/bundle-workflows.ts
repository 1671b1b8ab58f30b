import { bundleWorkflowCode } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../workflows/index.${ext}`, import.meta.url));

/**
 * Bundles the workflow code in a short-lived child process and returns the bundle's path. Webpack needs a few
 * hundred MB while it runs; in a child, that memory goes back to the system instead of staying in the worker.
 */
export async function bundleInChildProcess(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'crm-sync-bundle-')), 'workflows.js');
  const args =
    ext === 'ts' ? ['--import', 'tsx', fileURLToPath(import.meta.url), out] : [fileURLToPath(import.meta.url), out];
  await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  const noop = () => undefined;
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop },
  });
  writeFileSync(process.argv[2], bundle.code);
}
