import { Migration } from '@mikro-orm/migrations';

/**
 * The code of a lead's last error, so ownership clashes can be listed with the conflicts. Leads already in `error`
 * for a clash get their code from the two messages the sync wrote before this column existed.
 */
export class Migration20261206090000 extends Migration {
  override name = 'Migration20261206090000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "leads" add "last_error_code" varchar(64) null;`);
    this.addSql(
      `update "leads" set "last_error_code" = 'ZOHO_ID_TAKEN' where "sync_state" = 'error' and "last_error" like 'Zoho lead % is already linked to local lead %';`,
    );
    this.addSql(
      `update "leads" set "last_error_code" = 'DUPLICATE_EMAIL' where "sync_state" = 'error' and "last_error_code" is null and "last_error" like 'Zoho lead % has the email %';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "leads" drop column "last_error_code";`);
  }
}
