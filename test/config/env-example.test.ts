import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvSchema } from '../../config/env.js';
import { SimulatorEnvSchema } from '../../simulators/config.js';

const documented = new Set(
  readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
    .filter((name): name is string => !!name),
);

describe('.env.example', () => {
  it('documents every variable the app and the simulators read', () => {
    const read = [...Object.keys(EnvSchema.shape), ...Object.keys(SimulatorEnvSchema.shape), 'TEMPORAL_CLI_PATH'];
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('shows the simulator defaults the simulators actually use', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const sim = SimulatorEnvSchema.parse({});
    for (const key of [
      'HUBSPOT_SIM_TOKEN',
      'ZOHO_SIM_CLIENT_ID',
      'ZOHO_SIM_CLIENT_SECRET',
      'ZOHO_SIM_REFRESH_TOKEN',
      'SIM_HUBSPOT_PORT',
      'SIM_SEED',
    ] as const) {
      expect(text).toContain(`${key}=${sim[key]}`);
    }
  });
});
