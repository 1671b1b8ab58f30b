import { FREE_PORTS, simulatorDefaults, type SimulatorEnv } from '../../simulators/config.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';

/** Simulators on free ports with the documented defaults, overridable per test file. */
export function startTestSimulators(
  overrides: Partial<Record<keyof SimulatorEnv, string | number>> = {},
): Promise<RunningSimulators> {
  return startSimulators(simulatorDefaults({ ...FREE_PORTS, ...overrides }));
}

export async function adminPost(baseUrl: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** An access token of org B (the WorkDrive's org), minted at org B's Zoho Accounts simulator. */
export async function orgBToken(s: RunningSimulators): Promise<string> {
  const sim = simulatorDefaults();
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: sim.ZOHO_SIM_B_CLIENT_ID,
    client_secret: sim.ZOHO_SIM_B_CLIENT_SECRET,
    refresh_token: sim.ZOHO_SIM_B_REFRESH_TOKEN,
  });
  const res = await fetch(`${s.urls.zohoBAccounts}/oauth/v2/token`, { method: 'POST', body: form });
  return ((await res.json()) as { access_token: string }).access_token;
}
