import { Migration } from '@mikro-orm/migrations';

export class Migration20261122015945 extends Migration {
  override name = 'Migration20261122015945';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "crm_connections" ("id" varchar(63) not null, "provider" varchar(32) not null, "region" varchar(16) null, "base_urls" jsonb not null, "credential_refs" jsonb not null, "budget" jsonb not null, "options" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "oauth_tokens" ("connection_id" varchar(63) not null, "access_token_enc" text not null, "api_domain" varchar(255) not null, "expires_at" timestamptz not null, "refreshed_at" timestamptz not null, "refresh_count" int not null default 0, primary key ("connection_id"));`,
    );

    this.addSql(
      `create table "sync_events" ("id" bigserial primary key, "run_id" varchar(64) not null, "workflow_id" varchar(255) not null, "connection_id" varchar(63) null, "level" varchar(8) not null, "code" varchar(64) not null, "message" text not null, "details" jsonb null, "occurred_at" timestamptz not null);`,
    );
    this.addSql(`create index "sync_events_run_id_index" on "sync_events" ("run_id");`);

    this.addSql(
      `create table "sync_runs" ("id" bigserial primary key, "workflow_id" varchar(255) not null, "run_id" varchar(64) not null, "kind" varchar(64) not null, "connection_id" varchar(63) null, "status" varchar(16) not null, "counts" jsonb not null, "result" jsonb null, "error" text null, "started_at" timestamptz not null, "finished_at" timestamptz null);`,
    );
    this.addSql(`create index "sync_runs_workflow_id_index" on "sync_runs" ("workflow_id");`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_run_id_unique" unique ("run_id");`);
    this.addSql(`create index "sync_runs_connection_id_index" on "sync_runs" ("connection_id");`);
    this.addSql(`create index "sync_runs_kind_status_index" on "sync_runs" ("kind", "status");`);
    this.addSql(`create index "sync_runs_started_at_index" on "sync_runs" ("started_at");`);
  }
}
