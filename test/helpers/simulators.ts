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
