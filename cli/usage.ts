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

Leads (two-way sync with Zoho CRM)
  leads pull [--connection ID] [--full] [--dry-run] [--no-wait] [--json]
                                           pull leads changed in Zoho (all with --full); --dry-run only reports
  leads push [--id ID | --dry-run] [--connection ID] [--no-wait] [--json]
                                           push pending leads (--id: this lead now, retrying an errored one)
  leads conflicts [--connection ID] [--json]
                                           open field conflicts (manual policy)
  leads resolve ID FIELD --take local|crm|value [--value V]
                                           settle a conflict; a value other than Zoho's is pushed
  (--connection may be left out when there is one zoho-crm connection)

Deal → project (Zoho deals and D-Tools SI)
  si push --deal ID [--job ID] [--dry-run] [--no-wait] [--json]
                                           send a deal to SI (an SI request); waits until SI imported it
  si pull [--project ID,...] [--job ID] [--dry-run] [--no-wait] [--json]
                                           bring SI projects' changes and change orders to their deals
                                           (without --project: whatever SI users published since the last poll)
  si requests [--status received|running|done|failed] [--deal ID] [--job ID] [--json]
  si replay REQUEST_ID [--no-wait] [--json]
                                           run an SI request again (safe: same project, only changed fields)
  (--job may be left out when there is one deal-to-project job)

WorkDrive transfer (org A CRM attachments → org B WorkDrive folders)
  transfer workdrive [--job ID] [--dry-run] [--record-id ID | --limit N] [--no-wait] [--json]
                                           records whose checkbox is false (--record-id: just that one; --limit:
                                           the first N); a line per record as it ends, a table at the end; the
                                           lines also go to logs/migration_YYYYMMDD.log (LOG_DIR)
                                           exit 0 when every record succeeded, 1 when any failed or was skipped
  (--job may be left out when there is one workdrive-transfer job)

CRM extract (accounts, contacts, deals into Postgres; deal aggregates; exports)
  extract (--connection ID | --all) [--domains accounts,contacts,deals] [--full]
          [--out DIR] [--format json,csv,ndjson] [--bom] [--no-export] [--json]
                                           run the extract (incremental; --full re-reads all and removes what the
                                           CRM no longer has), then write DIR/<domain>.<format> (default exports/,
                                           json and csv) streamed from Postgres; rejected records: GET /extract/rejects
  records update --domain deals|contacts|accounts --key FIELD --value V --set FIELD=VALUE [--set …]
                 [--connection ID] [--dry-run] [--yes] [--json]
                                           write new values of the matching records to the CRM (100 per call) and
                                           to our tables (only what the CRM accepted); values are cast by the
                                           field's type; --key id (or deal_id…) matches the CRM id; toolkit form:
                                           --key-to-update FIELD --update-value V; several matches need --yes;
                                           exit 1 when nothing matches or the CRM refused a record

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
