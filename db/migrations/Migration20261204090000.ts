import { Migration } from '@mikro-orm/migrations';

/** Deal-to-project: jobs from the connections file, SI and CRM-update requests, deal-project links, the change-order note ledger. */
export class Migration20261204090000 extends Migration {
  override name = 'Migration20261204090000';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "change_order_notes" ("job_id" varchar(63) not null, "project_id" varchar(36) not null, "co_number" varchar(32) not null, "deal_id" varchar(64) not null, "marker" varchar(128) not null, "note_id" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("job_id", "project_id", "co_number"));`,
    );

    this.addSql(
      `create table "crm_update_requests" ("id" bigserial primary key, "job_id" varchar(63) not null, "payload" jsonb not null, "source" varchar(16) not null, "dry_run" boolean not null default false, "status" varchar(16) not null, "workflow_id" varchar(255) null, "result" jsonb null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, "project_ids" jsonb not null);`,
    );
    this.addSql(`create index "crm_update_requests_status_id_index" on "crm_update_requests" ("status", "id");`);

    this.addSql(
      `create table "project_links" ("job_id" varchar(63) not null, "deal_id" varchar(64) not null, "project_id" varchar(36) not null, "project_number" varchar(64) null, "state" varchar(16) not null, "message_id" varchar(64) null, "published_fields" jsonb null, "snapshot" jsonb null, "snapshot_at" timestamptz null, "published_at" timestamptz null, "imported_at" timestamptz null, "updated_at" timestamptz not null, primary key ("job_id", "deal_id"));`,
    );
    this.addSql(
      `alter table "project_links" add constraint "project_links_job_id_project_id_unique" unique ("job_id", "project_id");`,
    );

    this.addSql(
      `create table "si_requests" ("id" bigserial primary key, "job_id" varchar(63) not null, "payload" jsonb not null, "source" varchar(16) not null, "dry_run" boolean not null default false, "status" varchar(16) not null, "workflow_id" varchar(255) null, "result" jsonb null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, "deal_id" varchar(64) not null);`,
    );
    this.addSql(`create index "si_requests_status_id_index" on "si_requests" ("status", "id");`);
    this.addSql(`create index "si_requests_job_id_deal_id_index" on "si_requests" ("job_id", "deal_id");`);

    this.addSql(
      `create table "sync_jobs" ("id" varchar(63) not null, "kind" varchar(32) not null, "config" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "change_order_notes" cascade;`);
    this.addSql(`drop table if exists "crm_update_requests" cascade;`);
    this.addSql(`drop table if exists "project_links" cascade;`);
    this.addSql(`drop table if exists "si_requests" cascade;`);
    this.addSql(`drop table if exists "sync_jobs" cascade;`);
  }
}
