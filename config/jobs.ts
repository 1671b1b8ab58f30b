import { z } from 'zod';

/**
 * Jobs join connections: a deal-to-project job links one CRM connection (deals) with one D-Tools SI connection
 * (projects) and says which fields flow which way; a WorkDrive transfer joins two orgs' CRMs and a WorkDrive. They live in the connections file next to the connections and
 * are checked, with them, when the file is applied.
 */
const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63');
const SecretRef = z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable') });
/** A CRM field's API name, or a lookup's part (`Account_Name.name`, `Owner.name`). */
const CrmField = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]{0,99}(\.(name|id|email))?$/,
    'a field API name, optionally .name, .id or .email of a lookup',
  );
const WritableCrmField = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'a field API name');

/** SI project fields a deal can fill when it is published (crm-apis.md 5, `Project`). */
export const SI_PROJECT_INPUTS = [
  'name',
  'client',
  'clientNumber',
  'clientPONumber',
  'progress',
  'budget',
  'price',
  'salesRep',
  'projectManager',
  'startDate',
  'endDate',
  'closeDate',
  'scopeOfWork',
  'notes',
  'currencyCode',
] as const;
const SiInput = z.union([
  z.enum(SI_PROJECT_INPUTS),
  z.string().regex(/^customField([1-9]|[1-6][0-9]|7[0-5])$/, 'customField1..75'),
]);

/** What SI reports back and a deal field can take: project values, the queue state, and the time of the sync. */
export const SI_PROJECT_OUTPUTS = [
  'id',
  'number',
  'name',
  'progress',
  'price',
  'budget',
  'startDate',
  'endDate',
  'closeDate',
  'state',
  'syncedAt',
] as const;
const SiOutput = z.enum(SI_PROJECT_OUTPUTS);

export const DEFAULT_TO_PROJECT: Record<string, string> = {
  name: 'Deal_Name',
  client: 'Account_Name.name',
  budget: 'Amount',
  closeDate: 'Closing_Date',
  salesRep: 'Owner.name',
};
export const DEFAULT_TO_DEAL: Record<string, (typeof SI_PROJECT_OUTPUTS)[number]> = {
  SI_Project_ID: 'id',
  SI_Project_Number: 'number',
  SI_Status: 'state',
  SI_Progress: 'progress',
  SI_Last_Sync: 'syncedAt',
};

export const DealToProjectJobSchema = z.strictObject({
  id: Id,
  kind: z.literal('deal-to-project'),
  /** The CRM connection whose deals become projects. */
  crm: Id,
  /** The D-Tools SI connection the projects are published to. */
  si: Id,
  /** SI project field ← deal field. `name` and `client` are required by SI, so a deal without them is refused. */
  toProject: z
    .record(SiInput, CrmField)
    .default(DEFAULT_TO_PROJECT)
    .refine((m) => m.name !== undefined && m.client !== undefined, 'must map both name and client (SI requires them)'),
  /** Deal field ← SI value, written back after publishing and on every project update. */
  toDeal: z
    .record(WritableCrmField, SiOutput)
    .default(DEFAULT_TO_DEAL)
    .refine(
      (m) => Object.values(m).includes('id'),
      'must write the SI project id to a deal field (links survive a lost database)',
    ),
  /** A project SI has not imported after this long fails its request with that reason. */
  importTimeoutMinutes: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 60)
    .default(24 * 60),
  /** Lets a Zoho workflow rule call the webhook endpoints without an API key (`?token=` or `X-Webhook-Token`). */
  webhookToken: SecretRef.optional(),
});
export type DealToProjectJob = z.output<typeof DealToProjectJobSchema>;

/** The field API names the existing transfer script reads from its environment, with its defaults. */
export const DEFAULT_TRANSFER_FIELDS = {
  checkbox: 'Transfer_Complete',
  recordName: 'Name',
  workdriveUrl: 'WorkDrive_URL',
  workdriveFolderId: 'WorkDrive_Folder_ID',
  recordUpdatedFrom: 'Record_Updated_From',
} as const;

const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. Europe/Berlin');

/**
 * A WorkDrive transfer: records of one org's CRM module whose checkbox is unticked are matched by name to folders
 * of another org's WorkDrive team folder, and their attachments are copied there; the other org's record of the
 * same name gets the folder's URL and id.
 */
export const WorkdriveTransferJobSchema = z.strictObject({
  id: Id,
  kind: z.literal('workdrive-transfer'),
  /** Org A's CRM: the records, their attachments and the checkbox. */
  source: Id,
  /** Org B's CRM: the record of the same name that gets the folder's URL and id. */
  destinationCrm: Id,
  /** Org B's WorkDrive. */
  workdrive: Id,
  /** The team folder whose subfolders are named after the records. */
  teamFolderId: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'a WorkDrive resource id'),
  module: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'a CRM module API name')
    .default('Contacts'),
  fields: z
    .strictObject({
      checkbox: WritableCrmField.default(DEFAULT_TRANSFER_FIELDS.checkbox),
      recordName: WritableCrmField.default(DEFAULT_TRANSFER_FIELDS.recordName),
      workdriveUrl: WritableCrmField.default(DEFAULT_TRANSFER_FIELDS.workdriveUrl),
      workdriveFolderId: WritableCrmField.default(DEFAULT_TRANSFER_FIELDS.workdriveFolderId),
      recordUpdatedFrom: WritableCrmField.default(DEFAULT_TRANSFER_FIELDS.recordUpdatedFrom),
    })
    .default(DEFAULT_TRANSFER_FIELDS),
  /** Records transferred at once (each a child workflow). */
  parallelRecords: z.number().int().min(1).max(20).default(4),
  /** The daily schedule (created paused) runs at `dailyAt` in this zone. */
  timeZone: TimeZone.default('UTC'),
  dailyAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour')
    .default('02:00'),
});
export type WorkdriveTransferJob = z.output<typeof WorkdriveTransferJobSchema>;

export const JobSchema = z.discriminatedUnion('kind', [DealToProjectJobSchema, WorkdriveTransferJobSchema]);
export type JobConfig = z.output<typeof JobSchema>;
