import { type FileExt, fileName } from '../common/files.js';
import { hash32, Rng } from '../common/rng.js';
import { DEAL_STAGES, LEAD_SOURCES, LEAD_STATUSES, moduleId, USERS, userRef } from './crm-catalogue.js';
import { seedTransferContactsA, type TransferSeedOptions } from './crm-seed-transfer.js';
import type { ZohoCrmStore } from './crm-store.js';

type Deal = ReturnType<ZohoCrmStore['create']>;

export interface ZohoSeedOptions {
  seed: number;
  leads?: number;
  deals?: number;
  /** The WorkDrive transfer's contacts (SIM_SCALE_TRANSFER_*); unset = the default 20 people. */
  transfer?: TransferSeedOptions;
}

const BASE = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises'];
const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Radia', 'Dennis', 'Frances'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Turing',
  'Liskov',
  'Thompson',
  'Perlman',
  'Ritchie',
  'Allen',
];
const EXTS: FileExt[] = ['pdf', 'docx', 'xlsx', 'png', 'jpg', 'txt', 'csv'];

const TOPICS = ['AV refresh', 'Security upgrade', 'Network rollout', 'Home theatre', 'Conference rooms'];
const NOTES = [
  ['Kick-off call', 'Walked the site with the client; rack room needs extra cooling.'],
  ['Budget', 'Client confirmed the budget; wants the proposal split into two phases.'],
  ['Follow-up', 'Send the revised quote by Friday.'],
];

/**
 * Deterministic org: accounts, contacts, 5 deals with 1–5 attachments each (more with `deals`), leads, then notes on
 * some deals. Deal owners, the deals without an account and the notes come from a second generator, and notes are
 * created last, so the ids, values and attachments seeded before them stay what they were; then the WorkDrive
 * transfer's contacts and their attachments (crm-seed-transfer.ts), last for the same reason.
 */
export function seedZohoCrm(store: ZohoCrmStore, opts: ZohoSeedOptions): void {
  const rng = new Rng(opts.seed);
  const extra = new Rng(hash32(`zoho-deals:${opts.seed}`));
  const deals: Deal[] = [];
  const at = () => BASE - rng.int(1, 90) * DAY + rng.int(0, DAY / 1000) * 1000;
  const accounts = COMPANIES.map((name) =>
    store.create(
      'Accounts',
      {
        Account_Name: name,
        Phone: `+1 555 01${rng.int(10, 99)}`,
        Website: `https://${name.toLowerCase().replace(/\W+/g, '')}.example`,
      },
      at(),
    ),
  );
  for (let i = 0; i < 12; i++) {
    const acc = accounts[i % accounts.length]!;
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    store.create(
      'Contacts',
      {
        First_Name: first,
        Last_Name: last,
        Email: `${first}.${last}${i}@${String(acc.Website).slice(8)}`.toLowerCase(),
        Account_Name: { name: acc.Account_Name, id: acc.id },
      },
      at(),
    );
  }
  const dealCount = Math.max(5, opts.deals ?? 5);
  for (let i = 0; i < dealCount; i++) {
    const acc = rng.pick(accounts);
    // Drawn in the order the generator always drew them, so a seed keeps giving the same deals.
    const topic = rng.pick(TOPICS);
    const deal = store.create(
      'Deals',
      {
        Deal_Name: `${acc.Account_Name} – ${topic} #${i + 1}`,
        Stage: rng.pick(DEAL_STAGES),
        Amount: rng.int(20, 900) * 100,
        Closing_Date: new Date(BASE + rng.int(1, 120) * DAY).toISOString().slice(0, 10),
        Account_Name: { name: acc.Account_Name, id: acc.id },
        Pipeline: 'Standard',
        Probability: rng.int(1, 9) * 10,
        Owner: userRef(extra.pick(USERS)),
        Contact_Name: null,
        SI_Project_ID: null,
        SI_Project_Number: null,
        SI_Status: null,
        SI_Progress: null,
        SI_Last_Sync: null,
      },
      at(),
    );
    // A few deals have no account, for tests of the deal→project checks that need one.
    if (i === 1 || i === 3 || (i >= 5 && extra.bool(0.15))) deal.Account_Name = null;
    deals.push(deal);
    const files = i < 5 ? rng.int(1, 5) : rng.int(0, 2);
    for (let f = 0; f < files; f++) {
      const ext = rng.pick(EXTS);
      const id = store.nextId();
      const created = deal._created + rng.int(1, 20) * DAY;
      store.attachments.set(id, {
        id,
        parentModule: 'Deals',
        parentId: deal.id,
        fileName: fileName(rng, ext),
        ext,
        size: rng.int(10, 800) * 1024,
        createdAt: created,
        modifiedAt: created,
        contentKey: `zoho:${opts.seed}:${id}`,
      });
    }
  }
  for (let i = 0; i < (opts.leads ?? 25); i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    store.create(
      'Leads',
      {
        First_Name: first,
        Last_Name: `${last}${i >= 100 ? ` ${i}` : ''}`,
        Email: `${first}.${last}.${i}@leads.example`.toLowerCase(),
        Phone: `+1 555 ${String(1000 + (i % 9000))}`,
        Company: rng.pick(COMPANIES),
        Lead_Status: rng.pick(LEAD_STATUSES),
        Lead_Source: rng.pick(LEAD_SOURCES),
        Converted__s: false,
      },
      at(),
    );
  }
  seedNotes(store, deals.slice(0, 5), extra);
  seedTransferContactsA(store, opts.seed, opts.transfer);
}

function seedNotes(store: ZohoCrmStore, deals: Deal[], rng: Rng): void {
  for (const deal of deals) {
    const count = rng.int(0, 2);
    for (let n = 0; n < count; n++) {
      const [title, content] = NOTES[(n + rng.int(0, 2)) % NOTES.length]!;
      store.create(
        'Notes',
        {
          Note_Title: title,
          Note_Content: content,
          Parent_Id: { module: { api_name: 'Deals', id: moduleId('Deals') }, name: deal.Deal_Name, id: deal.id },
        },
        deal._created + (n + 1) * DAY,
      );
    }
  }
}
