import type { FastifyInstance } from 'fastify';
import type { SimulatorEnv } from './config.js';
import { seedDtoolsSi } from './dtools-si/si-seed.js';
import { parseSiSnapshot } from './dtools-si/si-snapshot.js';
import type { SiQueue } from './dtools-si/si-queue.js';
import type { SiStore } from './dtools-si/si-store.js';
import { type HubSpotStore, parseHubSpotSnapshot, seedHubSpot } from './hubspot/hubspot-store.js';
import type { SimulatorName, StatefulSimulator } from './state.js';
import { seedZohoCrm } from './zoho/crm-seed.js';
import { seedZohoCrmOrgB, transferFolderCount, type TransferSeedOptions } from './zoho/crm-seed-transfer.js';
import { parseZohoCrmSnapshot } from './zoho/crm-snapshot.js';
import type { ZohoCrmStore } from './zoho/crm-store.js';
import { parseZohoAuthSnapshot, type ZohoAuthRegistry } from './zoho/zoho-auth.js';
import { seedWorkDrive } from './zoho-workdrive/wd-seed.js';
import { parseWdSnapshot } from './zoho-workdrive/wd-snapshot.js';
import type { WdStore } from './zoho-workdrive/wd-store.js';

interface ZohoOrgParts {
  store: ZohoCrmStore;
  auth: ZohoAuthRegistry;
}

interface Parts {
  env: SimulatorEnv;
  apps: {
    hubspot: FastifyInstance;
    zohoAccounts: FastifyInstance;
    zohoCrm: FastifyInstance;
    zohoBAccounts: FastifyInstance;
    zohoBCrm: FastifyInstance;
    dtoolsSi: FastifyInstance;
    workdrive: FastifyInstance;
  };
  hubspot: HubSpotStore;
  zoho: ZohoOrgParts;
  zohoB: ZohoOrgParts;
  dtoolsSi: { store: SiStore; queue: SiQueue };
  workdrive: WdStore;
}

/** `12 leads, 1 deal` from `[['leads', 12], ['deals', 1]]`, leaving out what there is none of. */
function counts(entries: Array<[string, number]>): string {
  const one = (plural: string) => (plural.endsWith('ies') ? `${plural.slice(0, -3)}y` : plural.slice(0, -1));
  return (
    entries
      .filter(([, n]) => n > 0)
      .map(([what, n]) => `${n} ${n === 1 ? one(what) : what}`)
      .join(', ') || 'empty'
  );
}

const ZOHO_CRM_READS = /^\/crm\/v8\/coql(\?|$)/;

/** SIM_SCALE_TRANSFER_*: the WorkDrive transfer's seed in org A, org B and WorkDrive; all unset = the default seed. */
function transferSeed(env: SimulatorEnv): TransferSeedOptions {
  return {
    records: env.SIM_SCALE_TRANSFER_RECORDS,
    filesPerRecord: env.SIM_SCALE_TRANSFER_FILES_PER_RECORD,
    minBytes: env.SIM_SCALE_TRANSFER_MIN_BYTES,
    maxBytes: env.SIM_SCALE_TRANSFER_MAX_BYTES,
    largeFileBytes: env.SIM_SCALE_TRANSFER_LARGE_FILE_BYTES,
  };
}

/** The transfer settings as seed settings (unset = null, as a state saved before they existed reads them). */
function transferSettings(env: SimulatorEnv) {
  return {
    SIM_SCALE_TRANSFER_RECORDS: env.SIM_SCALE_TRANSFER_RECORDS ?? null,
    SIM_SCALE_TRANSFER_FILES_PER_RECORD: env.SIM_SCALE_TRANSFER_FILES_PER_RECORD ?? null,
    SIM_SCALE_TRANSFER_MIN_BYTES: env.SIM_SCALE_TRANSFER_MIN_BYTES ?? null,
    SIM_SCALE_TRANSFER_MAX_BYTES: env.SIM_SCALE_TRANSFER_MAX_BYTES ?? null,
    SIM_SCALE_TRANSFER_LARGE_FILE_BYTES: env.SIM_SCALE_TRANSFER_LARGE_FILE_BYTES ?? null,
  };
}

/** Zoho Accounts of one org: its tokens are saved, nothing is seeded. */
function zohoAccounts(name: SimulatorName, app: FastifyInstance, auth: ZohoAuthRegistry): StatefulSimulator {
  return {
    name,
    app,
    seedSettings: null,
    snapshot: () => auth.toSnapshot(),
    restore: (s) => auth.restore(parseZohoAuthSnapshot(s)),
    reseed: () => auth.reset(),
    summary: () => counts([['live tokens', auth.liveTokens()]]).replace('empty', 'no live tokens'),
  };
}

/** How each simulator's data is saved, restored, seeded and described (see state.ts). */
export function statefulSimulators({
  env,
  apps,
  hubspot,
  zoho,
  zohoB,
  dtoolsSi,
  workdrive,
}: Parts): StatefulSimulator[] {
  const si = dtoolsSi.store;
  const zohoSummary = (store: ZohoCrmStore) =>
    counts([
      ...[...store.records].map(([m, rows]): [string, number] => [m.toLowerCase(), rows.size]),
      ['attachments', store.attachments.size],
    ]);
  return [
    {
      name: 'hubspot',
      app: apps.hubspot,
      seedSettings: {
        SIM_SEED: env.SIM_SEED,
        SIM_SCALE_HUBSPOT_DEALS: env.SIM_SCALE_HUBSPOT_DEALS,
        SIM_HUBSPOT_FILES_PER_DEAL: env.SIM_HUBSPOT_FILES_PER_DEAL ?? null,
      },
      snapshot: () => hubspot.toSnapshot(),
      restore: (s) => hubspot.restore(parseHubSpotSnapshot(s)),
      reseed: () => {
        hubspot.clear();
        seedHubSpot(hubspot, {
          seed: env.SIM_SEED,
          deals: env.SIM_SCALE_HUBSPOT_DEALS,
          filesPerDeal: env.SIM_HUBSPOT_FILES_PER_DEAL,
        });
      },
      summary: () =>
        counts([
          ...[...hubspot.objects].map(([type, m]): [string, number] => [type, m.size]),
          ['files', hubspot.files.size],
        ]),
      reads: /^\/crm\/v(3\/objects\/[^/?]+\/(search|batch\/read)|4\/associations\/[^/?]+\/[^/?]+\/batch\/read)(\?|$)/,
    },
    zohoAccounts('zoho-accounts', apps.zohoAccounts, zoho.auth),
    {
      name: 'zoho-crm',
      app: apps.zohoCrm,
      seedSettings: {
        SIM_SEED: env.SIM_SEED,
        SIM_SCALE_LEADS: env.SIM_SCALE_LEADS,
        SIM_SCALE_DEALS: env.SIM_SCALE_DEALS,
        ...transferSettings(env),
      },
      snapshot: () => zoho.store.toSnapshot(),
      restore: (s) => zoho.store.restore(parseZohoCrmSnapshot(s)),
      reseed: () => {
        zoho.store.clear();
        seedZohoCrm(zoho.store, {
          seed: env.SIM_SEED,
          leads: env.SIM_SCALE_LEADS,
          deals: env.SIM_SCALE_DEALS,
          transfer: transferSeed(env),
        });
      },
      summary: () => zohoSummary(zoho.store),
      reads: ZOHO_CRM_READS,
    },
    zohoAccounts('zoho-b-accounts', apps.zohoBAccounts, zohoB.auth),
    {
      name: 'zoho-b-crm',
      app: apps.zohoBCrm,
      seedSettings: { SIM_SEED: env.SIM_SEED, ...transferSettings(env) },
      snapshot: () => zohoB.store.toSnapshot(),
      restore: (s) => zohoB.store.restore(parseZohoCrmSnapshot(s)),
      reseed: () => {
        zohoB.store.clear();
        seedZohoCrmOrgB(zohoB.store, env.SIM_SEED, transferSeed(env));
      },
      summary: () => zohoSummary(zohoB.store),
      reads: ZOHO_CRM_READS,
    },
    {
      name: 'dtools-si',
      app: apps.dtoolsSi,
      seedSettings: { SIM_SEED: env.SIM_SEED, SIM_DTOOLS_SI_PROJECTS: env.SIM_DTOOLS_SI_PROJECTS },
      snapshot: () => si.toSnapshot(),
      restore: (s) => {
        si.restore(parseSiSnapshot(s));
        dtoolsSi.queue.reschedule();
      },
      reseed: () => {
        si.clear();
        seedDtoolsSi(si, { seed: env.SIM_SEED, projects: env.SIM_DTOOLS_SI_PROJECTS });
        dtoolsSi.queue.reschedule();
      },
      summary: () =>
        counts([
          ['projects', si.projects.size],
          ['change orders', [...si.projects.values()].reduce((n, p) => n + p.changeOrders.length, 0)],
          ['queued messages', [...si.messages.values()].filter((m) => m.state === 'queued').length],
        ]),
      // The SI user imports queued publishes on a timer, outside any request.
      onChange: (listener) => dtoolsSi.queue.onChange(listener),
    },
    {
      name: 'zoho-workdrive',
      app: apps.workdrive,
      // SIM_ZOHO_WORKDRIVE_TEAM_FOLDER_ID is text, which seed settings cannot hold: a changed id is not noticed.
      seedSettings: {
        SIM_SEED: env.SIM_SEED,
        SIM_ZOHO_WORKDRIVE_FOLDERS: env.SIM_ZOHO_WORKDRIVE_FOLDERS,
        SIM_SCALE_TRANSFER_RECORDS: env.SIM_SCALE_TRANSFER_RECORDS ?? null,
        SIM_SCALE_TRANSFER_LARGE_FILE_BYTES: env.SIM_SCALE_TRANSFER_LARGE_FILE_BYTES ?? null,
      },
      snapshot: () => workdrive.toSnapshot(),
      restore: (s) => workdrive.restore(parseWdSnapshot(s)),
      reseed: () => {
        workdrive.clear();
        seedWorkDrive(workdrive, {
          seed: env.SIM_SEED,
          teamFolderId: env.SIM_ZOHO_WORKDRIVE_TEAM_FOLDER_ID,
          // Every scaled transfer contact has its folder.
          folders: transferFolderCount(transferSeed(env), env.SIM_ZOHO_WORKDRIVE_FOLDERS),
        });
      },
      summary: () => {
        const nodes = [...workdrive.nodes.values()].filter((n) => !workdrive.inTrash(n));
        return counts([
          ['folders', nodes.filter((n) => n.kind === 'folder').length],
          ['files', nodes.filter((n) => n.kind === 'file').length],
        ]);
      },
    },
  ];
}
