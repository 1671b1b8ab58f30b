import { Migration } from '@mikro-orm/migrations';

/** Leads in `error` leave the email index: a second Zoho lead with a taken email is kept beside ours (issue 8). */
export class Migration20261202070000 extends Migration {
  override name = 'Migration20261202070000';

  override up(): void | Promise<void> {
    this.addSql(`drop index if exists "leads_connection_email_unique";`);
    this.addSql(
      `create unique index "leads_connection_email_unique" on "leads" ("connection_id", lower("email")) where "deleted_at" is null and "email" is not null and "sync_state" <> 'error';`,
    );
    this.addSql(
      `create index "leads_error_email_index" on "leads" ("connection_id", lower("email")) where "deleted_at" is null and "email" is not null and "sync_state" = 'error';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "leads_error_email_index";`);
    this.addSql(`drop index if exists "leads_connection_email_unique";`);
    this.addSql(
      `create unique index "leads_connection_email_unique" on "leads" ("connection_id", lower("email")) where "deleted_at" is null and "email" is not null;`,
    );
  }
}
