import { loadDotEnv } from '../config/env.js';
import { SimulatorEnvSchema } from './config.js';
import { startSimulators } from './index.js';
import { stopWhenSupervisorExits } from '../scripts/supervision.js';

/** `npm run simulators`: HubSpot, Zoho Accounts and Zoho CRM on local ports, seeded and deterministic. */
loadDotEnv();
const parsed = SimulatorEnvSchema.safeParse(process.env);
if (!parsed.success) {
  console.error(`Invalid simulator configuration:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  process.exit(2);
}
const sims = await startSimulators(parsed.data);
console.log(`simulators ready: hubspot ${sims.urls.hubspot}  zoho-accounts ${sims.urls.zohoAccounts}  zoho-crm ${sims.urls.zohoCrm}/crm/v8`);
const stop = async () => { await sims.close(); process.exit(0); };
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
stopWhenSupervisorExits(() => void stop());
