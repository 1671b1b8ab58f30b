import { parseArgs } from 'node:util';
import { loadDotEnv } from '../config/env.js';
import { StateFileError } from './common/state-file.js';
import { SimulatorEnvSchema, stateDirOf } from './config.js';
import { startSimulators } from './index.js';
import { describeState } from './state.js';
import { stopWhenSupervisorExits } from '../scripts/supervision.js';

const USAGE = `usage: npm run simulators [-- --reset | --in-memory]
  HubSpot, Zoho Accounts, Zoho CRM, Zoho WorkDrive and D-Tools SI on local ports. Their data is kept in SIM_STATE_DIR
  (default <DATA_DIR>/simulators) and reloaded on start; the seed (SIM_SEED, SIM_SCALE_*, SIM_DTOOLS_SI_PROJECTS)
  applies only when there is no saved data.
  --reset      discard the saved data and start from the seed (while running: POST /__admin/reset-state on each simulator)
  --in-memory  keep nothing: a fresh seed, nothing read or written`;

/** `npm run simulators`: HubSpot, Zoho Accounts, Zoho CRM, Zoho WorkDrive and D-Tools SI on local ports, seeded, kept across restarts. */
let flags: { reset?: boolean; 'in-memory'?: boolean; help?: boolean };
try {
  flags = parseArgs({
    options: { reset: { type: 'boolean' }, 'in-memory': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
loadDotEnv();
const parsed = SimulatorEnvSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(
    `Invalid simulator configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`,
  );
  process.exit(2);
}
const stateDir = flags['in-memory'] ? undefined : stateDirOf(parsed.data);
let sims;
try {
  // --reset overwrites the saved data only once the ports are ours: with the stack running it fails and keeps it.
  sims = await startSimulators(parsed.data, { stateDir, reset: flags.reset });
} catch (err) {
  if (err instanceof StateFileError) {
    console.error(`simulators: ${err.message}`);
    process.exit(2);
  }
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
  console.error(`simulators: ${(err as Error).message} — already running (npm start?); saved data left as it is`);
  process.exit(1);
}
for (const line of describeState(sims.state, parsed.data.SIM_SEED)) console.log(line);
console.log(
  `simulators ready: hubspot ${sims.urls.hubspot}  zoho-accounts ${sims.urls.zohoAccounts}  zoho-crm ${sims.urls.zohoCrm}/crm/v8` +
    `  zoho-b-accounts ${sims.urls.zohoBAccounts}  zoho-b-crm ${sims.urls.zohoBCrm}/crm/v8` +
    `  dtools-si ${sims.urls.dtoolsSi}/si  zoho-workdrive ${sims.urls.workdrive}/workdrive/api/v1`,
);
const stop = async () => {
  try {
    await sims.close();
  } catch (err) {
    console.error(`simulators: could not save state on exit: ${(err as Error).message}`);
    process.exit(1);
  }
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
stopWhenSupervisorExits(() => void stop());
