export const USAGE = `Usage: crm-sync <command> [options]

Connections
  connections apply [--file PATH]          upsert connections from a connections file (default: CONNECTIONS_FILE)
  connections list [--json]                list connections (never secrets)
  connections check (ID... | --all) [--no-wait] [--json]
                                           run connectionCheck workflows and wait for them

File sync
  sync files (--all | --provider hubspot|zoho | --connection ID) [--files ID,...] [--deals ID,...]
             [--full] [--download] [--dry-run] [--json]
                                           sync deal attachments; progress while it runs, a summary at the end
                                           (--files/--deals need --connection; repeat them or separate ids by commas)
  connections setup                        alias of connections apply

Syncs
  syncs list [--kind K] [--connection ID] [--status S] [--limit N] [--json]
  syncs show WORKFLOW_ID [--json]          Temporal status, progress and result of one sync
  syncs cancel WORKFLOW_ID                 request cancellation

  help                                     this text

Exit codes: 0 success; 1 some items failed; 2 bad usage or configuration.
Reads DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, TEMPORAL_UI_URL, CONNECTIONS_FILE (see .env.example).`;

/** Wrong words on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
