import { Migration } from '@mikro-orm/migrations';

/** WorkDrive transfer runs: the records a run takes and how each ended, and the folders it matched them to. */
export class Migration20261207090000 extends Migration {
  override name = 'Migration20261207090000';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "workdrive_transfer_folders" ("run_id" varchar(64) not null, "folder_id" varchar(64) not null, "name" text not null, "name_lower" text not null, "modified_ms" bigint null, "permalink" text null, primary key ("run_id", "folder_id"));`,
    );
    this.addSql(
      `create index "workdrive_transfer_folders_run_id_name_lower_index" on "workdrive_transfer_folders" ("run_id", "name_lower");`,
    );

    this.addSql(
      `create table "workdrive_transfer_records" ("run_id" varchar(64) not null, "record_id" varchar(64) not null, "job_id" varchar(63) not null, "seq" int not null, "name" text null, "state" varchar(16) not null, "folder_id" varchar(64) null, "folder_name" text null, "folder_url" text null, "destination" varchar(16) null, "checkbox_set" boolean not null default false, "files" jsonb null, "reason" text null, "updated_at" timestamptz not null, primary key ("run_id", "record_id"));`,
    );
    this.addSql(
      `create index "workdrive_transfer_records_run_id_seq_index" on "workdrive_transfer_records" ("run_id", "seq");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "workdrive_transfer_folders" cascade;`);
    this.addSql(`drop table if exists "workdrive_transfer_records" cascade;`);
  }
}
