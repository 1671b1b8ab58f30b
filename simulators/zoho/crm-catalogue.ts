import type { Module } from './crm-store.js';

/**
 * What the simulated org is made of: users, modules and their fields (API names from crm-apis.md 2.3). One table
 * serves the metadata endpoints the official SDK reads first (crm-meta.ts) and the type checks on writes
 * (crm-validate.ts), so what the SDK is told is what the simulator enforces.
 */
export type FieldType =
  | 'text'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'website'
  | 'picklist'
  | 'currency'
  | 'integer'
  | 'double'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'lookup'
  | 'ownerlookup';

export interface FieldDef {
  api: string;
  label: string;
  type: FieldType;
  /** Lookup target; `se_module`: the parent of a note or attachment, any module (as the SDK's utility.js reads it). */
  lookup?: Module | 'se_module';
  values?: readonly string[];
  custom?: boolean;
  readOnly?: boolean;
}

export interface SimUser {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  role: string;
  profile: string;
}

/** The first user is the one the API token belongs to (`/users?type=CurrentUser`). */
export const USERS: readonly SimUser[] = [
  {
    id: '5725767000000411001',
    first_name: 'Sim',
    last_name: 'Admin',
    email: 'admin@sim.example',
    role: 'CEO',
    profile: 'Administrator',
  },
  {
    id: '5725767000100411002',
    first_name: 'Riley',
    last_name: 'Sales',
    email: 'riley.sales@sim.example',
    role: 'Manager',
    profile: 'Standard',
  },
  {
    id: '5725767000100411003',
    first_name: 'Jordan',
    last_name: 'Rep',
    email: 'jordan.rep@sim.example',
    role: 'Manager',
    profile: 'Standard',
  },
];
/** `{ name, id, email }`: how records show their Owner (crm-apis.md 2.3). */
export const userRef = (u: SimUser) => ({ name: `${u.first_name} ${u.last_name}`, id: u.id, email: u.email });
export const API_USER = userRef(USERS[0]!);

export const DEAL_STAGES = [
  'Qualification',
  'Needs Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];
export const LEAD_STATUSES = ['New', 'Contacted', 'Qualified', 'Lost Lead'];
export const LEAD_SOURCES = ['Web', 'Trade Show', 'Referral', 'Cold Call'];

const text = (api: string, label: string): FieldDef => ({ api, label, type: 'text' });
const system: FieldDef[] = [
  { api: 'Created_Time', label: 'Created Time', type: 'datetime', readOnly: true },
  { api: 'Modified_Time', label: 'Modified Time', type: 'datetime', readOnly: true },
  { api: 'Created_By', label: 'Created By', type: 'ownerlookup', readOnly: true },
  { api: 'Modified_By', label: 'Modified By', type: 'ownerlookup', readOnly: true },
];
const owner = (label: string): FieldDef => ({ api: 'Owner', label, type: 'ownerlookup' });

/** Metadata modules: the record modules plus Attachments, which the SDK may look up as a related list. */
export type MetaModule = Module | 'Attachments';

export const FIELDS: Record<MetaModule, FieldDef[]> = {
  Leads: [
    owner('Lead Owner'),
    text('First_Name', 'First Name'),
    text('Last_Name', 'Last Name'),
    { api: 'Email', label: 'Email', type: 'email' },
    { api: 'Phone', label: 'Phone', type: 'phone' },
    { api: 'Mobile', label: 'Mobile', type: 'phone' },
    text('Company', 'Company'),
    { api: 'Lead_Status', label: 'Lead Status', type: 'picklist', values: LEAD_STATUSES },
    { api: 'Lead_Source', label: 'Lead Source', type: 'picklist', values: LEAD_SOURCES },
    { api: 'Converted__s', label: 'Converted', type: 'boolean', readOnly: true },
    ...system,
  ],
  Deals: [
    owner('Deal Owner'),
    text('Deal_Name', 'Deal Name'),
    { api: 'Account_Name', label: 'Account Name', type: 'lookup', lookup: 'Accounts' },
    { api: 'Contact_Name', label: 'Contact Name', type: 'lookup', lookup: 'Contacts' },
    { api: 'Stage', label: 'Stage', type: 'picklist', values: DEAL_STAGES },
    { api: 'Amount', label: 'Amount', type: 'currency' },
    { api: 'Closing_Date', label: 'Closing Date', type: 'date' },
    { api: 'Pipeline', label: 'Pipeline', type: 'picklist', values: ['Standard'] },
    { api: 'Probability', label: 'Probability (%)', type: 'integer' },
    // Custom fields of the deal→project flow (our design): SI's project id, number, status and progress.
    { ...text('SI_Project_ID', 'SI Project ID'), custom: true },
    { ...text('SI_Project_Number', 'SI Project Number'), custom: true },
    { ...text('SI_Status', 'SI Status'), custom: true },
    { ...text('SI_Progress', 'SI Progress'), custom: true },
    { api: 'SI_Last_Sync', label: 'SI Last Sync', type: 'datetime', custom: true },
    ...system,
  ],
  Accounts: [
    owner('Account Owner'),
    text('Account_Name', 'Account Name'),
    { api: 'Phone', label: 'Phone', type: 'phone' },
    { api: 'Website', label: 'Website', type: 'website' },
    text('Billing_Street', 'Billing Street'),
    text('Billing_City', 'Billing City'),
    text('Billing_Code', 'Billing Code'),
    ...system,
  ],
  Contacts: [
    owner('Contact Owner'),
    text('First_Name', 'First Name'),
    text('Last_Name', 'Last Name'),
    { api: 'Email', label: 'Email', type: 'email' },
    { api: 'Phone', label: 'Phone', type: 'phone' },
    { api: 'Account_Name', label: 'Account Name', type: 'lookup', lookup: 'Accounts' },
    ...system,
    // Custom fields of the WorkDrive transfer (issue 11), after the system ones so earlier field ids stay put. One
    // catalogue serves both simulated orgs: org A's contacts carry Name and Transfer_Complete, org B's the rest.
    { ...text('Name', 'Name'), custom: true },
    { api: 'Transfer_Complete', label: 'Transfer Complete', type: 'boolean', custom: true },
    { ...text('WorkDrive_URL', 'WorkDrive URL'), custom: true },
    { ...text('WorkDrive_Folder_ID', 'WorkDrive Folder ID'), custom: true },
    { ...text('Record_Updated_From', 'Record Updated From'), custom: true },
  ],
  Notes: [
    owner('Note Owner'),
    text('Note_Title', 'Note Title'),
    { api: 'Note_Content', label: 'Note Content', type: 'textarea' },
    { api: 'Parent_Id', label: 'Parent ID', type: 'lookup', lookup: 'se_module' },
    ...system,
  ],
  Attachments: [
    owner('Attachment Owner'),
    text('File_Name', 'File Name'),
    text('Size', 'Size'),
    { api: 'Parent_Id', label: 'Parent ID', type: 'lookup', lookup: 'se_module' },
    ...system,
  ],
};

export const META_MODULES = Object.keys(FIELDS) as MetaModule[];
export const isMetaModule = (name: string | undefined): name is MetaModule =>
  name !== undefined && Object.hasOwn(FIELDS, name);

export const fieldOf = (module: MetaModule, api: string): FieldDef | undefined =>
  FIELDS[module].find((f) => f.api === api);

/**
 * Metadata ids: 19 digits like record ids, but under a prefix record ids never reach (theirs is `57257670000…`).
 * `kind` 1 = module, 2 = field, 3 = related list, 4 = picklist value.
 */
export function metaId(kind: number, a: number, b = 0): string {
  return `57257670001${kind}${String(a).padStart(2, '0')}${String(b).padStart(5, '0')}`;
}
export const moduleId = (m: MetaModule) => metaId(1, META_MODULES.indexOf(m) + 1);
