import { Rng } from '../common/rng.js';
import type { SiChangeOrder, SiProject, SiStore } from './si-store.js';

export interface SiSeedOptions {
  seed: number;
  projects: number;
}

const BASE = Date.UTC(2026, 4, 1);
const CLIENTS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises'];
const KINDS = ['Home theatre', 'Boardroom AV', 'Surveillance', 'Campus network', 'Lobby video wall', 'Smart lighting'];
const PROGRESS = ['Lead', 'Proposal', 'Contract', 'Installation', 'Completed'];
const REPS = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Radia Perlman'];
const PRODUCTS: Array<[string, string, number]> = [
  ['Sony', 'VPL-XW5000ES', 5999],
  ['Crestron', 'CP4N', 1890],
  ['Axis', 'P3265-LVE', 799],
  ['Ubiquiti', 'U6-Pro', 159],
  ['Lutron', 'RR-MAIN-REP-WH', 650],
];
const CO_NAMES = ['Extra speakers', 'Second display', 'Move rack', 'Add cameras', 'Upgrade switch'];
const CO_STATUS = ['Pending', 'Accepted', 'Rejected'];

/** A GUID from the seeded generator (version 4 layout), so the same seed gives the same ids. */
function guid(rng: Rng): string {
  const digit = (i: number) => (i === 12 ? 4 : i === 16 ? 8 + rng.int(0, 3) : rng.int(0, 15)).toString(16);
  const s = Array.from({ length: 32 }, (_, i) => digit(i)).join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * Deterministic SI database: `projects` projects the SI user published (default 6), every second one approved with
 * 1–2 change orders; every third already acknowledged by the integration; project 5 archived, project 6 deleted.
 */
export function seedDtoolsSi(store: SiStore, opts: SiSeedOptions): void {
  const rng = new Rng(opts.seed ^ 0xd7001);
  let t = BASE;
  const tick = () => (t += rng.int(60, 3_600) * 1000);
  for (let i = 0; i < opts.projects; i++) {
    const client = rng.pick(CLIENTS);
    const created = tick();
    const items = Array.from({ length: rng.int(1, 3) }, (_, n) => {
      const [manufacturer, model, unitPrice] = rng.pick(PRODUCTS);
      return {
        id: `item-${i + 1}-${n + 1}`,
        siItemId: guid(rng),
        typeId: 1,
        manufacturer,
        model,
        quantity: rng.int(1, 6),
        unitCost: Math.round(unitPrice * 0.6),
        unitPrice,
      };
    });
    const price = items.reduce((s, it) => s + it.quantity * it.unitPrice, 0);
    const p: SiProject = {
      id: guid(rng),
      number: store.nextNumber(),
      changeOrders: [],
      createdOn: created,
      updatedOn: created,
      archived: i === 4,
      deleted: i === 5,
      published: null,
      fields: {
        client,
        name: `${rng.pick(KINDS)} – ${client}`,
        progress: rng.pick(PROGRESS),
        salesRep: rng.pick(REPS),
        currencyCode: 'USD',
        price,
        cost: items.reduce((s, it) => s + it.quantity * it.unitCost, 0),
        budget: Math.round(price * 1.1),
        approved: i % 2 === 0,
        startDate: new Date(created).toISOString(),
        customField1: `Region ${rng.int(1, 4)}`,
        items,
      },
    };
    store.projects.set(p.id, p);
    store.siPublish(p, tick(), guid(rng));
    if (i % 3 === 2) p.published!.importedOn = p.published!.at + 60_000;
    const changeOrders = i % 2 === 0 ? rng.int(1, 2) : 0;
    for (let c = 0; c < changeOrders; c++) p.changeOrders.push(changeOrder(store, rng, p, c, tick()));
  }
}

function changeOrder(store: SiStore, rng: Rng, p: SiProject, n: number, at: number): SiChangeOrder {
  const coStatus = rng.pick(CO_STATUS);
  const co: SiChangeOrder = {
    coId: store.nextCoId(),
    coNumber: String(n + 1),
    integrationChangeOrderId: null,
    coName: rng.pick(CO_NAMES),
    coStatus,
    coType: rng.bool() ? 'External' : 'Internal',
    coNotes: `Requested by ${p.fields.client as string}`,
    price: rng.int(2, 40) * 100,
    createdOn: at,
    acceptedOn: coStatus === 'Accepted' ? at : null,
    rejectedOn: coStatus === 'Rejected' ? at : null,
    custom: {},
    published: null,
  };
  store.siPublish(co, at, guid(rng));
  return co;
}
