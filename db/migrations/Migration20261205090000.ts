import { Migration } from '@mikro-orm/migrations';

/** WorkDrive transfer: the per-attachment ledger that makes uploads exactly-once (named to sort after the earlier ones). */
export class Migration20261205090000 extends Migration {
  override name = 'Migration20261205090000';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "workdrive_transfers" ("job_id" varchar(63) not null, "record_id" varchar(64) not null, "attachment_id" varchar(64) not null, "file_name" varchar(255) not null, "size" bigint not null, "folder_id" varchar(64) not null, "final_name" varchar(255) not null, "resource_id" varchar(64) null, "state" varchar(16) not null, "error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("job_id", "record_id", "attachment_id"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "workdrive_transfers" cascade;`);
  }
}
