import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm test`: vitest with its usual output, then the plain `N passed, N failed` line CI reads.
 * Extra arguments go to vitest (e.g. `npm test -- test/api`).
 */
const report = '.vitest-report.json';
rmSync(report, { force: true });
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const child = spawn(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
const code: number = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
let summary = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTotalTests: 0 };
try {
  summary = JSON.parse(readFileSync(report, 'utf8')) as typeof summary;
} catch {
  console.error('vitest wrote no report: the run failed before any test executed');
}
const skipped = summary.numPendingTests ? `, ${summary.numPendingTests} skipped` : '';
console.log(`${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped}`);
process.exit(code !== 0 ? code : summary.numTotalTests === 0 ? 1 : 0);
