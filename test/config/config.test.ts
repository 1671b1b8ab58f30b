import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BUDGETS,
  missingSecrets,
  parseConnections,
  parseConnectionsDocument,
  resolveSecrets,
} from '../../config/connections.js';
import { DEFAULT_TO_DEAL, DEFAULT_TO_PROJECT, DEFAULT_TRANSFER_FIELDS } from '../../config/jobs.js';
import { ConfigError, parseEnv } from '../../config/env.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('environment', () => {
  it('fills documented defaults', () => {
    const env = parseEnv({ TOKEN_ENCRYPTION_KEY: KEY });
    expect(env).toMatchObject({
      PORT: 3000,
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_TASK_QUEUE: 'crm-sync',
      API_KEYS: [],
    });
  });

  it('lists every problem in one error', () => {
    const err = (() => {
      try {
        parseEnv({
          PORT: 'abc',
          DATABASE_URL: 'mysql://x/y',
          TEMPORAL_ADDRESS: 'nope',
          TOKEN_ENCRYPTION_KEY: 'short',
          API_KEYS: 'tiny',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TOKEN_ENCRYPTION_KEY', 'API_KEYS'])
      expect(text).toContain(name);
  });

  it('splits API_KEYS on commas', () => {
    expect(parseEnv({ TOKEN_ENCRYPTION_KEY: KEY, API_KEYS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' }).API_KEYS).toEqual([
      'aaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbb',
    ]);
  });

  it('the API exits with code 2 and one message naming every bad variable', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: '99999', TOKEN_ENCRYPTION_KEY: 'nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
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
      {
        id: 'zo',
        provider: 'zoho-crm',
        region: 'ca',
        credentials: { clientId: { env: 'A' }, clientSecret: { env: 'B' }, refreshToken: { env: 'C' } },
      },
    ],
  };

  it('accepts secret references and fills provider defaults', () => {
    const [hs, zo] = parseConnections(good);
    expect(hs).toMatchObject({ baseUrls: { api: 'https://api.hubapi.com' } });
    expect(zo).toMatchObject({ region: 'ca' });
    expect(DEFAULT_BUDGETS.hubspot.maxRequests).toBe(190);
  });

  it('rejects a literal secret where a reference belongs, duplicate ids and unknown keys', () => {
    const bad = {
      connections: [
        { id: 'hs', provider: 'hubspot', credentials: { accessToken: 'pat-literal-secret' } },
        { id: 'hs', provider: 'hubspot', credentials: { accessToken: { env: 'X' } }, extra: true },
      ],
    };
    const err = (() => {
      try {
        parseConnections(bad);
      } catch (e) {
        return e as ConfigError;
      }
    })();
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
    expect(resolveSecrets(zo!, { A: '1', B: '2', C: '3' })).toEqual({
      clientId: '1',
      clientSecret: '2',
      refreshToken: '3',
    });
  });
});

describe('jobs in the connections file', () => {
  const connections = [
    {
      id: 'zo',
      provider: 'zoho-crm',
      credentials: { clientId: { env: 'A' }, clientSecret: { env: 'B' }, refreshToken: { env: 'C' } },
    },
    { id: 'hs', provider: 'hubspot', credentials: { accessToken: { env: 'HS_TOKEN' } } },
    { id: 'si', provider: 'dtools-si', credentials: { apiKey: { env: 'SI_KEY' } } },
    {
      id: 'zo-b',
      provider: 'zoho-crm',
      region: 'eu',
      credentials: { clientId: { env: 'D' }, clientSecret: { env: 'E' }, refreshToken: { env: 'F' } },
    },
    {
      id: 'wd-b',
      provider: 'zoho-workdrive',
      region: 'eu',
      credentials: { clientId: { env: 'D' }, clientSecret: { env: 'E' }, refreshToken: { env: 'F' } },
    },
  ];
  const configError = (doc: unknown) => {
    try {
      parseConnectionsDocument(doc);
    } catch (e) {
      return (e as ConfigError).problems.join('\n');
    }
    throw new Error('expected a ConfigError');
  };

  it("a WorkDrive transfer job gets the existing script's field names, Contacts, 4 records at once and 02:00 UTC", () => {
    const doc = parseConnectionsDocument({
      connections,
      jobs: [
        {
          id: 'move',
          kind: 'workdrive-transfer',
          source: 'zo',
          destinationCrm: 'zo-b',
          workdrive: 'wd-b',
          teamFolderId: 'abc123',
        },
      ],
    });
    expect(doc.jobs).toEqual([
      {
        id: 'move',
        kind: 'workdrive-transfer',
        source: 'zo',
        destinationCrm: 'zo-b',
        workdrive: 'wd-b',
        teamFolderId: 'abc123',
        module: 'Contacts',
        fields: DEFAULT_TRANSFER_FIELDS,
        parallelRecords: 4,
        timeZone: 'UTC',
        dailyAt: '02:00',
      },
    ]);
  });

  it('refuses a transfer job with unfit connections, the same org on both sides, a bad zone, time or field name', () => {
    const base = {
      id: 'move',
      kind: 'workdrive-transfer',
      source: 'zo',
      destinationCrm: 'zo-b',
      workdrive: 'wd-b',
      teamFolderId: 'abc',
    };
    const shapes = configError({
      connections,
      jobs: [
        { ...base, timeZone: 'Mars/Olympus', dailyAt: '25:00', fields: { checkbox: 'Done?' }, teamFolderId: '../x' },
      ],
    });
    expect(shapes).toContain('jobs.0.timeZone: an IANA time zone');
    expect(shapes).toContain('jobs.0.dailyAt: HH:MM');
    expect(shapes).toContain('jobs.0.fields.checkbox: a field API name');
    expect(shapes).toContain('jobs.0.teamFolderId: a WorkDrive resource id');
    const parts = configError({
      connections,
      jobs: [
        { ...base, source: 'hs', workdrive: 'zo' },
        { ...base, id: 'same', destinationCrm: 'zo', workdrive: 'nope' },
      ],
    });
    expect(parts).toContain('jobs.0.source: connection "hs" is hubspot, not zoho-crm');
    expect(parts).toContain('jobs.0.workdrive: connection "zo" is zoho-crm, which has no folders');
    expect(parts).toContain('jobs.1.workdrive: no connection "nope" in this file');
    expect(parts).toContain('jobs.1.destinationCrm: must be another org\'s connection than source "zo"');
  });

  it('a deal-to-project job gets the default field mapping and import timeout', () => {
    const doc = parseConnectionsDocument({
      connections,
      jobs: [{ id: 'zo-si', kind: 'deal-to-project', crm: 'zo', si: 'si' }],
    });
    expect(doc.jobs).toEqual([
      {
        id: 'zo-si',
        kind: 'deal-to-project',
        crm: 'zo',
        si: 'si',
        toProject: DEFAULT_TO_PROJECT,
        toDeal: DEFAULT_TO_DEAL,
        importTimeoutMinutes: 1440,
      },
    ]);
    expect(parseConnections({ connections }).map((c) => c.id)).toEqual(['zo', 'hs', 'si', 'zo-b', 'wd-b']);
  });

  it('lists every problem of its jobs: missing or unfit connections, an incomplete mapping, duplicate ids', () => {
    const jobs = [
      { id: 'a', kind: 'deal-to-project', crm: 'nope', si: 'hs' },
      {
        id: 'b',
        kind: 'deal-to-project',
        crm: 'zo',
        si: 'si',
        toProject: { name: 'Deal_Name' },
        toDeal: { SI_Project_Number: 'number' },
      },
      {
        id: 'b',
        kind: 'deal-to-project',
        crm: 'zo',
        si: 'si',
        toProject: { name: 'Deal_Name', client: 'Account_Name.name', colour: 'X' },
      },
    ];
    const err = (() => {
      try {
        parseConnectionsDocument({ connections, jobs });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.problems.join('\n');
    expect(text).toContain('jobs.1.toProject: must map both name and client');
    expect(text).toContain('jobs.1.toDeal: must write the SI project id');
    expect(text).toContain('jobs.2.toProject.colour');
    // Connection checks run once the shapes are right: a second document with only those problems.
    const err2 = (() => {
      try {
        parseConnectionsDocument({ connections, jobs: [jobs[0], { ...jobs[0], id: 'c' }, { ...jobs[0], id: 'c' }] });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    const text2 = err2!.problems.join('\n');
    expect(text2).toContain('jobs.0.crm: no connection "nope" in this file');
    expect(text2).toContain('jobs.0.si: connection "hs" is hubspot, which has no projects');
    expect(text2).toContain('jobs.2.id: duplicate job id "c"');
  });
});
