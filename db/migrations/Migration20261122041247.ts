import { Migration } from '@mikro-orm/migrations';

export class Migration20261122041247 extends Migration {
  override name = 'Migration20261122041247';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "leads" ("id" bigserial primary key, "connection_id" varchar(63) not null, "first_name" varchar(255) null, "last_name" varchar(255) not null, "email" varchar(320) null, "phone" varchar(64) null, "company" varchar(255) null, "status" varchar(128) null, "source" varchar(128) null, "zoho_id" varchar(32) null, "remote_modified_at" timestamptz null, "base" jsonb null, "sync_state" text not null default 'pending', "last_error" text null, "last_synced_at" timestamptz null, "local_changed_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, "zoho_deleted_at" timestamptz null);`,
    );
    this.addSql(
      `create index "leads_unsettled_index" on "leads" ("connection_id", "sync_state", "id") where "sync_state" <> 'synced';`,
    );
    this.addSql(`create index "leads_updated_at_index" on "leads" ("updated_at");`);
    this.addSql(
      `create unique index "leads_connection_email_unique" on "leads" ("connection_id", lower("email")) where "deleted_at" is null and "email" is not null;`,
    );
    this.addSql(
      `alter table "leads" add constraint "leads_connection_zoho_unique" unique ("connection_id", "zoho_id");`,
    );

    this.addSql(
      `create table "lead_conflicts" ("id" bigserial primary key, "lead_id" bigint not null, "field" varchar(32) not null, "local_value" text null, "remote_value" text null, "base_value" text null, "remote_modified_at" timestamptz null, "detected_at" timestamptz not null, "resolved_at" timestamptz null, "resolution" varchar(16) null, "resolved_value" text null);`,
    );
    this.addSql(
      `create unique index "lead_conflicts_open_unique" on "lead_conflicts" ("lead_id", "field") where "resolved_at" is null;`,
    );

    this.addSql(
      `alter table "leads" add constraint "leads_sync_state_check" check ("sync_state" in ('synced', 'pending', 'conflict', 'error'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "lead_conflicts" cascade;`);
    this.addSql(`drop table if exists "leads" cascade;`);
  }
}
