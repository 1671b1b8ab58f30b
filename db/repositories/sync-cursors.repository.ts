import type { EntityManager } from '@mikro-orm/postgresql';
import { SyncCursor } from '../entities/index.js';

export class SyncCursorsRepository {
  constructor(private readonly em: EntityManager) {}

  async get(connectionId: string, stream: string): Promise<string | null> {
    return (await this.em.findOne(SyncCursor, { connectionId, stream }))?.value ?? null;
  }

  async set(connectionId: string, stream: string, value: string): Promise<void> {
    await this.em.upsert(
      SyncCursor,
      { connectionId, stream, value, updatedAt: new Date() },
      { onConflictFields: ['connectionId', 'stream'] },
    );
  }
}
