import { Migration } from '@mikro-orm/migrations';

/** The MD5 a CRM declares for a file's content (HubSpot `fileMd5`): downloads are verified against it. */
export class Migration20261203080000 extends Migration {
  override name = 'Migration20261203080000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "file_metadata" add column "md5" varchar(32) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "file_metadata" drop column "md5";`);
  }
}
