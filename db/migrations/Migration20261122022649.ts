import { Migration } from '@mikro-orm/migrations';

export class Migration20261122022649 extends Migration {
  override name = 'Migration20261122022649';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "deals" ("id" bigserial primary key, "connection_id" varchar(63) not null, "provider" varchar(32) not null, "external_id" varchar(64) not null, "name" varchar(500) null, "stage" varchar(128) null, "amount" double precision null, "crm_modified_at" timestamptz null, "last_seen_run_id" varchar(64) null, "first_seen_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null);`,
    );
    this.addSql(
      `alter table "deals" add constraint "deals_connection_external_unique" unique ("connection_id", "external_id");`,
    );

    this.addSql(
      `create table "file_metadata" ("id" bigserial primary key, "connection_id" varchar(63) not null, "provider" varchar(32) not null, "external_file_id" varchar(64) not null, "deal_external_id" varchar(64) not null, "name" varchar(500) not null, "extension" varchar(32) null, "mime_type" varchar(255) null, "size" bigint null, "crm_created_at" timestamptz null, "crm_modified_at" timestamptz null, "source_url" text null, "access" varchar(32) null, "content_sha256" varchar(64) null, "content_stored_at" timestamptz null, "duplicate_of_id" bigint null, "last_seen_run_id" varchar(64) null, "first_seen_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null);`,
    );
    this.addSql(
      `create index "file_metadata_connection_id_deal_external_id_index" on "file_metadata" ("connection_id", "deal_external_id");`,
    );
    this.addSql(`create index "file_metadata_extension_index" on "file_metadata" ("extension");`);
    this.addSql(`create index "file_metadata_mime_type_index" on "file_metadata" ("mime_type");`);
    this.addSql(`create index "file_metadata_size_index" on "file_metadata" ("size");`);
    this.addSql(`create index "file_metadata_crm_created_at_index" on "file_metadata" ("crm_created_at");`);
    this.addSql(`create index "file_metadata_crm_modified_at_index" on "file_metadata" ("crm_modified_at");`);
    this.addSql(`create index "file_metadata_content_sha256_index" on "file_metadata" ("content_sha256");`);
    this.addSql(`create index "file_metadata_duplicate_of_id_index" on "file_metadata" ("duplicate_of_id");`);
    this.addSql(`create index "file_metadata_provider_index" on "file_metadata" ("provider");`);
    this.addSql(
      `alter table "file_metadata" add constraint "file_metadata_connection_file_unique" unique ("connection_id", "external_file_id");`,
    );

    // Case-insensitive substring search on file names (GET /files?q=) needs a trigram index.
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(
      `create index "file_metadata_name_trgm_index" on "file_metadata" using gin (lower("name") gin_trgm_ops);`,
    );

    this.addSql(
      `create table "sync_cursors" ("connection_id" varchar(63) not null, "stream" varchar(64) not null, "value" varchar(255) not null, "updated_at" timestamptz not null, primary key ("connection_id", "stream"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "deals" cascade;`);
    this.addSql(`drop table if exists "file_metadata" cascade;`);
    this.addSql(`drop table if exists "sync_cursors" cascade;`);
  }
}
