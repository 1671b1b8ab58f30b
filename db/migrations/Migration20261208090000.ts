import { Migration } from '@mikro-orm/migrations';

/**
 * The CRM extract: accounts and contacts, the extract's columns on deals, its rejects, the deal aggregates and the
 * periods waiting for their recompute.
 */
export class Migration20261208090000 extends Migration {
  override name = 'Migration20261208090000';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "deal_aggregations" ("connection_id" varchar(63) not null, "account_external_id" varchar(64) not null, "type" varchar(8) not null, "period_start" date not null, "total_size" double precision not null, "deal_count" int not null, "updated_at" timestamptz not null, primary key ("connection_id", "account_external_id", "type", "period_start"));`,
    );
    this.addSql(
      `create index "deal_aggregations_connection_id_type_period_start_index" on "deal_aggregations" ("connection_id", "type", "period_start");`,
    );

    this.addSql(
      `create table "deal_aggregation_dirty" ("connection_id" varchar(63) not null, "account_external_id" varchar(64) not null, "at" timestamptz not null, primary key ("connection_id", "account_external_id", "at"));`,
    );

    this.addSql(
      `create table "accounts" ("id" bigserial primary key, "connection_id" varchar(63) not null, "external_id" varchar(64) not null, "name" text not null, "industry" text null, "value" double precision null, "region" varchar(32) null, "crm_modified_at" timestamptz not null, "last_seen_run_id" varchar(64) null, "first_seen_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null);`,
    );
    this.addSql(`create index "accounts_connection_id_region_index" on "accounts" ("connection_id", "region");`);
    this.addSql(
      `alter table "accounts" add constraint "accounts_connection_external_unique" unique ("connection_id", "external_id");`,
    );

    this.addSql(
      `create table "contacts" ("id" bigserial primary key, "connection_id" varchar(63) not null, "external_id" varchar(64) not null, "first_name" text null, "last_name" text not null, "email" text not null, "job_title" text null, "lead_source" varchar(32) null, "last_contact_at" timestamptz null, "crm_modified_at" timestamptz not null, "last_seen_run_id" varchar(64) null, "first_seen_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null);`,
    );
    this.addSql(
      `create index "contacts_connection_id_lead_source_index" on "contacts" ("connection_id", "lead_source");`,
    );
    this.addSql(
      `alter table "contacts" add constraint "contacts_connection_external_unique" unique ("connection_id", "external_id");`,
    );

    this.addSql(
      `create table "extract_rejects" ("connection_id" varchar(63) not null, "domain" varchar(16) not null, "external_id" varchar(64) not null, "code" varchar(32) not null, "field" varchar(64) not null, "message" text not null, "value" text null, "crm_modified_at" timestamptz not null, "run_id" varchar(64) not null, "seen_at" timestamptz not null, primary key ("connection_id", "domain", "external_id"));`,
    );

    this.addSql(
      `alter table "deals" add "normalized_stage" varchar(32) null, add "probability" double precision null, add "account_external_id" varchar(64) null, add "crm_created_at" timestamptz null, add "extracted_at" timestamptz null, add "extract_modified_at" timestamptz null, add "extract_run_id" varchar(64) null;`,
    );
    this.addSql(
      `create index "deals_connection_id_account_external_id_crm_created_at_index" on "deals" ("connection_id", "account_external_id", "crm_created_at");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "deal_aggregations" cascade;`);
    this.addSql(`drop table if exists "deal_aggregation_dirty" cascade;`);
    this.addSql(`drop table if exists "accounts" cascade;`);
    this.addSql(`drop table if exists "contacts" cascade;`);
    this.addSql(`drop table if exists "extract_rejects" cascade;`);

    this.addSql(`drop index "deals_connection_id_account_external_id_crm_created_at_index";`);
    this.addSql(
      `alter table "deals" drop column "normalized_stage", drop column "probability", drop column "account_external_id", drop column "crm_created_at", drop column "extracted_at", drop column "extract_modified_at", drop column "extract_run_id";`,
    );
  }
}
