import { type FileExt, fileName } from '../common/files.js';
import { Rng } from '../common/rng.js';
import type { ZohoCrmStore } from './crm-store.js';

export interface ZohoSeedOptions { seed: number; leads?: number; deals?: number }

const BASE = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises'];
const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Radia', 'Dennis', 'Frances'];
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Turing', 'Liskov', 'Thompson', 'Perlman', 'Ritchie', 'Allen'];
const STAGES = ['Qualification', 'Needs Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];
const LEAD_STATUS = ['New', 'Contacted', 'Qualified', 'Lost Lead'];
const EXTS: FileExt[] = ['pdf', 'docx', 'xlsx', 'png', 'jpg', 'txt', 'csv'];

/** Deterministic org: accounts, contacts, 5 deals with 1–5 attachments each (more with `deals`), and leads. */
export function seedZohoCrm(store: ZohoCrmStore, opts: ZohoSeedOptions): void {
  const rng = new Rng(opts.seed);
  const at = () => BASE - rng.int(1, 90) * DAY + rng.int(0, DAY / 1000) * 1000;
  const accounts = COMPANIES.map((name) => store.create('Accounts', {
    Account_Name: name, Phone: `+1 555 01${rng.int(10, 99)}`, Website: `https://${name.toLowerCase().replace(/\W+/g, '')}.example`,
  }, at()));
  for (let i = 0; i < 12; i++) {
    const acc = accounts[i % accounts.length]!;
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    store.create('Contacts', {
      First_Name: first, Last_Name: last, Email: `${first}.${last}${i}@${String(acc.Website).slice(8)}`.toLowerCase(),
      Account_Name: { name: acc.Account_Name, id: acc.id },
    }, at());
  }
  const dealCount = Math.max(5, opts.deals ?? 5);
  for (let i = 0; i < dealCount; i++) {
    const acc = rng.pick(accounts);
    const deal = store.create('Deals', {
      Deal_Name: `${acc.Account_Name} – ${rng.pick(['AV refresh', 'Security upgrade', 'Network rollout', 'Home theatre', 'Conference rooms'])} #${i + 1}`,
      Stage: rng.pick(STAGES), Amount: rng.int(20, 900) * 100, Closing_Date: new Date(BASE + rng.int(1, 120) * DAY).toISOString().slice(0, 10),
      Account_Name: { name: acc.Account_Name, id: acc.id }, Pipeline: 'Standard', Probability: rng.int(1, 9) * 10,
    }, at());
    const files = i < 5 ? rng.int(1, 5) : rng.int(0, 2);
    for (let f = 0; f < files; f++) {
      const ext = rng.pick(EXTS);
      const id = store.nextId();
      const created = deal._created + rng.int(1, 20) * DAY;
      store.attachments.set(id, {
        id, parentModule: 'Deals', parentId: deal.id, fileName: fileName(rng, ext), ext,
        size: rng.int(10, 800) * 1024, createdAt: created, modifiedAt: created, contentKey: `zoho:${opts.seed}:${id}`,
      });
    }
  }
  for (let i = 0; i < (opts.leads ?? 25); i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    store.create('Leads', {
      First_Name: first, Last_Name: `${last}${i >= 100 ? ` ${i}` : ''}`, Email: `${first}.${last}.${i}@leads.example`.toLowerCase(),
      Phone: `+1 555 ${String(1000 + (i % 9000))}`, Company: rng.pick(COMPANIES), Lead_Status: rng.pick(LEAD_STATUS),
      Lead_Source: rng.pick(['Web', 'Trade Show', 'Referral', 'Cold Call']), Converted__s: false,
    }, at());
  }
}
