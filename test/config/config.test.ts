import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS, missingSecrets, parseConnections, resolveSecrets } from '../../config/connections.js';
import { ConfigError, parseEnv } from '../../config/env.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('environment', () => {
  it('fills documented defaults', () => {
    const env = parseEnv({ TOKEN_ENCRYPTION_KEY: KEY });
    expect(env).toMatchObject({ PORT: 3000, TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TASK_QUEUE: 'crm-sync', API_KEYS: [] });
  });

  it('lists every problem in one error', () => {
    const err = (() => { try { parseEnv({ PORT: 'abc', DATABASE_URL: 'mysql://x/y', TEMPORAL_ADDRESS: 'nope', TOKEN_ENCRYPTION_KEY: 'short', API_KEYS: 'tiny' }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TOKEN_ENCRYPTION_KEY', 'API_KEYS']) expect(text).toContain(name);
  });

  it('splits API_KEYS on commas', () => {
    expect(parseEnv({ TOKEN_ENCRYPTION_KEY: KEY, API_KEYS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' }).API_KEYS).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
  });

  it('the API exits with code 2 and one message naming every bad variable', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      cwd: root, env: { PATH: process.env.PATH ?? '', PORT: '99999', TOKEN_ENCRYPTION_KEY: 'nope' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('TOKEN_ENCRYPTION_KEY');
  });
});

describe('connections file', () => {
  const good = {
    connections: [
      { id: 'hs', provider: 'hubspot', credentials: { accessToken: { env: 'HS_TOKEN' } } },
      { id: 'zo', provider: 'zoho-crm', region: 'ca', credentials: { clientId: { env: 'A' }, clientSecret: { env: 'B' }, refreshToken: { env: 'C' } } },
    ],
  };

  it('accepts secret references and fills provider defaults', () => {
    const [hs, zo] = parseConnections(good);
    expect(hs).toMatchObject({ baseUrls: { api: 'https://api.hubapi.com' } });
    expect(zo).toMatchObject({ region: 'ca' });
    expect(DEFAULT_BUDGETS.hubspot.maxRequests).toBe(190);
  });

  it('rejects a literal secret where a reference belongs, duplicate ids and unknown keys', () => {
    const bad = { connections: [
      { id: 'hs', provider: 'hubspot', credentials: { accessToken: 'pat-literal-secret' } },
      { id: 'hs', provider: 'hubspot', credentials: { accessToken: { env: 'X' } }, extra: true },
    ] };
    const err = (() => { try { parseConnections(bad); } catch (e) { return e as ConfigError; } })();
    const text = err!.problems.join('\n');
    expect(text).toContain('connections.0.credentials.accessToken');
    expect(text).toContain('duplicate connection id "hs"');
    expect(text).toContain('extra');
    expect(text).not.toContain('pat-literal-secret');
  });

  it('resolves secrets from the environment and names the missing ones', () => {
    const [, zo] = parseConnections(good);
    expect(missingSecrets(zo!, { A: '1' })).toEqual(['B', 'C']);
    expect(() => resolveSecrets(zo!, { A: '1' })).toThrow(/B is not set/);
    expect(resolveSecrets(zo!, { A: '1', B: '2', C: '3' })).toEqual({ clientId: '1', clientSecret: '2', refreshToken: '3' });
  });
});
