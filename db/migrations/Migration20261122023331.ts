import { Migration } from '@mikro-orm/migrations';

export class Migration20261122023331 extends Migration {
  override name = 'Migration20261122023331';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "dry_run_seen" ("run_id" varchar(64) not null, "external_file_id" varchar(64) not null, primary key ("run_id", "external_file_id"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "dry_run_seen" cascade;`);
  }
}
