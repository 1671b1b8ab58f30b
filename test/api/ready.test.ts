import { MikroORM } from '@mikro-orm/postgresql';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { ormConfig } from '../../db/mikro-orm.config.js';
import { ContentStore } from '../../storage/content-store.js';

describe('GET /ready', () => {
  it('answers 503 naming the database when Postgres cannot be reached, without the driver message', async () => {
    const orm = new MikroORM(ormConfig('postgres://crm_ready_user@127.0.0.1:1/nowhere'));
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const app = await buildApp({
      orm,
      apiKeys: ['k'.repeat(16)],
      content: new ContentStore('/nonexistent'),
      temporal: { client: new Client({ connection }), namespace: 'default', taskQueue: 'q', uiUrl: 'http://x' },
    });
    try {
      const res = await app.inject({ url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        status: 'not_ready',
        checks: { database: { ok: false, error: 'unreachable' }, temporal: { ok: true } },
      });
      for (const secret of ['127.0.0.1', 'crm_ready_user', 'nowhere', 'ECONNREFUSED'])
        expect(res.body).not.toContain(secret);
    } finally {
      await app.close();
      await connection.close();
      await orm.close().catch(() => undefined);
    }
  });
});
