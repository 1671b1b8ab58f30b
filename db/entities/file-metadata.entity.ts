import { defineEntity, p } from '@mikro-orm/postgresql';

/** One CRM file attached to a deal: metadata always, content (by sha256 in the content store) when downloaded. */
export const FileMetadataSchema = defineEntity({
  name: 'FileMetadata',
  tableName: 'file_metadata',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    connectionId: p.string().length(63),
    provider: p.string().length(32),
    externalFileId: p.string().length(64),
    dealExternalId: p.string().length(64),
    name: p.string().length(500),
    extension: p.string().length(32).nullable(),
    mimeType: p.string().length(255).nullable(),
    size: p.bigint('number').nullable(),
    /** Hex MD5 the CRM declares for the content (HubSpot `fileMd5`); downloads are checked against it and size. */
    md5: p.string().length(32).nullable(),
    crmCreatedAt: p.datetime().nullable(),
    crmModifiedAt: p.datetime().nullable(),
    sourceUrl: p.text().nullable(),
    /** Private files need a signed URL (HubSpot) or an authenticated call (Zoho) to download. */
    access: p.string().length(32).nullable(),
    contentSha256: p.string().length(64).nullable(),
    contentStoredAt: p.datetime().nullable(),
    duplicateOfId: p.bigint('number').nullable(),
    lastSeenRunId: p.string().length(64).nullable(),
    firstSeenAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['connectionId', 'externalFileId'], name: 'file_metadata_connection_file_unique' }],
  indexes: [
    { properties: ['connectionId', 'dealExternalId'] },
    { properties: ['extension'] },
    { properties: ['mimeType'] },
    { properties: ['size'] },
    { properties: ['crmCreatedAt'] },
    { properties: ['crmModifiedAt'] },
    { properties: ['contentSha256'] },
    { properties: ['duplicateOfId'] },
    { properties: ['provider'] },
    // Case-insensitive substring search on names (GET /files?q=); pg_trgm is created by the migration.
    {
      name: 'file_metadata_name_trgm_index',
      expression:
        'create index "file_metadata_name_trgm_index" on "file_metadata" using gin (lower("name") gin_trgm_ops)',
    },
  ],
});
export class FileMetadata extends FileMetadataSchema.class {}
FileMetadataSchema.setClass(FileMetadata);
