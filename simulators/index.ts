import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FaultInjector, type FaultRule } from './common/faults.js';
import type { SimulatorEnv } from './config.js';
import { buildDtoolsSiSimulator } from './dtools-si/si.app.js';
import { SiQueue } from './dtools-si/si-queue.js';
import { SiStore } from './dtools-si/si-store.js';
import { buildHubSpotSimulator } from './hubspot/hubspot.app.js';
import { HubSpotStore } from './hubspot/hubspot-store.js';
import { attachState, type StateReport } from './state.js';
import { statefulSimulators } from './stateful.js';
import { buildZohoAccountsSimulator } from './zoho/accounts.app.js';
import { buildZohoCrmSimulator } from './zoho/crm.app.js';
import { ZohoCrmStore } from './zoho/crm-store.js';
import { ZohoAuthRegistry } from './zoho/zoho-auth.js';
import { buildWorkDriveSimulator } from './zoho-workdrive/workdrive.app.js';
import { WdBlobs } from './zoho-workdrive/wd-blobs.js';
import { WORKDRIVE_SEED_ORG_ID } from './zoho-workdrive/wd-seed.js';
import { WdStore } from './zoho-workdrive/wd-store.js';

export interface RunningSimulators {
  /**
   * `dtoolsSi` is the server root; the API is under `${dtoolsSi}/si`. `workdrive` is the server root too: the API
   * is under `${workdrive}/workdrive/api/v1`, downloads under `${workdrive}/v1/workdrive/download`.
   */
  urls: {
    hubspot: string;
    zohoAccounts: string;
    zohoCrm: string;
    zohoBAccounts: string;
    zohoBCrm: string;
    dtoolsSi: string;
    workdrive: string;
  };
  hubspot: { store: HubSpotStore; faults: FaultInjector };
  zoho: ZohoOrg;
  /** Zoho org B, another data centre with its own credentials and tokens: the WorkDrive transfer's target. */
  zohoB: ZohoOrg;
  dtoolsSi: { store: SiStore; queue: SiQueue; faults: FaultInjector };
  workdrive: { store: WdStore; faults: FaultInjector };
  /** What was loaded from or seeded into `opts.stateDir`. */
  state: StateReport;
  /** Stops the servers, then saves any unsaved change. */
  close(): Promise<void>;
}

export interface ZohoOrg {
  store: ZohoCrmStore;
  auth: ZohoAuthRegistry;
  crmFaults: FaultInjector;
  accountsFaults: FaultInjector;
}

export interface SimulatorOptions {
  /** Where each simulator keeps its data across restarts; without it, data lives in memory and every start is a fresh seed. */
  stateDir?: string;
  /** Ignore saved data and start from the seed; it is overwritten once the servers listen (`--reset`). */
  reset?: boolean;
}

/** Builds, loads or seeds, and starts every simulator; port 0 picks free ports (tests). */
export async function startSimulators(env: SimulatorEnv, opts: SimulatorOptions = {}): Promise<RunningSimulators> {
  const urls = {
    hubspot: '',
    zohoAccounts: '',
    zohoCrm: '',
    zohoBAccounts: '',
    zohoBCrm: '',
    dtoolsSi: '',
    workdrive: '',
  };
  const hubspotStore = new HubSpotStore();
  const hubspotFaults = new FaultInjector();
  env.SIM_FAULTS.hubspot.forEach((r) => hubspotFaults.add(r));
  const zoho = zohoOrg(env, {
    clientId: env.ZOHO_SIM_CLIENT_ID,
    clientSecret: env.ZOHO_SIM_CLIENT_SECRET,
    refreshToken: env.ZOHO_SIM_REFRESH_TOKEN,
    crmFaults: env.SIM_FAULTS.zohoCrm,
    accountsFaults: env.SIM_FAULTS.zohoAccounts,
  });
  // Another data centre: its own ids, credentials and tokens (a token of one org is refused by the other).
  const zohoB = zohoOrg(env, {
    clientId: env.ZOHO_SIM_B_CLIENT_ID,
    clientSecret: env.ZOHO_SIM_B_CLIENT_SECRET,
    refreshToken: env.ZOHO_SIM_B_REFRESH_TOKEN,
    crmFaults: env.SIM_FAULTS.zohoBCrm,
    accountsFaults: env.SIM_FAULTS.zohoBAccounts,
    idPrefix: '61908800000',
  });
  const siStore = new SiStore();
  const siQueue = new SiQueue(siStore, env.SIM_DTOOLS_SI_IMPORT_DELAY_MS);
  const siFaults = new FaultInjector();
  env.SIM_FAULTS.dtoolsSi.forEach((r) => siFaults.add(r));
  const wdStore = new WdStore();
  const wdFaults = new FaultInjector();
  env.SIM_FAULTS.workdrive.forEach((r) => wdFaults.add(r));
  const apps: Array<[FastifyInstance, number, keyof typeof urls]> = [
    [
      buildHubSpotSimulator({
        store: hubspotStore,
        token: env.HUBSPOT_SIM_TOKEN,
        faults: hubspotFaults,
        baseUrl: () => urls.hubspot,
        searchCap: env.SIM_HUBSPOT_SEARCH_CAP,
        limits: {
          per10s: env.SIM_HUBSPOT_PER_10S,
          daily: env.SIM_HUBSPOT_DAILY,
          searchPerSecond: env.SIM_HUBSPOT_SEARCH_PER_SECOND,
        },
      }),
      env.SIM_HUBSPOT_PORT,
      'hubspot',
    ],
    [zohoAccountsApp(zoho, () => urls.zohoCrm), env.SIM_ZOHO_ACCOUNTS_PORT, 'zohoAccounts'],
    [zohoCrmApp(env, zoho), env.SIM_ZOHO_CRM_PORT, 'zohoCrm'],
    [zohoAccountsApp(zohoB, () => urls.zohoBCrm), env.SIM_ZOHO_B_ACCOUNTS_PORT, 'zohoBAccounts'],
    [zohoCrmApp(env, zohoB), env.SIM_ZOHO_B_CRM_PORT, 'zohoBCrm'],
    [
      buildDtoolsSiSimulator({ store: siStore, queue: siQueue, apiKey: env.DTOOLS_SIM_API_KEY, faults: siFaults }),
      env.SIM_DTOOLS_SI_PORT,
      'dtoolsSi',
    ],
    [
      buildWorkDriveSimulator({
        store: wdStore,
        // Uploaded bytes next to the saved state, so they survive restarts with it.
        blobs: new WdBlobs(opts.stateDir ? join(opts.stateDir, 'zoho-workdrive-files') : undefined),
        // WorkDrive belongs to org B (the transfer's target): its tokens are of the org WorkDrive is seeded with;
        // they carry no scopes, so every route is allowed. Org A's tokens are refused like unknown ones.
        verifyToken: (token) => (zohoB.auth.isValid(token) ? { org: WORKDRIVE_SEED_ORG_ID } : null),
        baseUrl: () => urls.workdrive,
        uploadLimitBytes: env.SIM_ZOHO_WORKDRIVE_UPLOAD_LIMIT_BYTES,
        faults: wdFaults,
      }),
      env.SIM_ZOHO_WORKDRIVE_PORT,
      'workdrive',
    ],
  ];
  const stateful = statefulSimulators({
    env,
    apps: Object.fromEntries(apps.map(([a, , name]) => [name, a])) as Record<keyof typeof urls, FastifyInstance>,
    hubspot: hubspotStore,
    zoho: { store: zoho.store, auth: zoho.auth },
    zohoB: { store: zohoB.store, auth: zohoB.auth },
    dtoolsSi: { store: siStore, queue: siQueue },
    workdrive: wdStore,
  });
  const state = await attachState(stateful, opts.stateDir, { reset: opts.reset });
  const started: FastifyInstance[] = [];
  try {
    for (const [app, port, name] of apps) {
      await app.listen({ host: env.SIM_HOST, port });
      started.push(app);
      urls[name] = `http://${env.SIM_HOST}:${(app.server.address() as AddressInfo).port}`;
    }
    // Only once the ports are ours (a second instance must not overwrite the first's data), and before anyone is
    // told the simulators are ready, so a crash right after start still finds the seed.
    await state.saveSeeded();
  } catch (err) {
    await Promise.all(started.map((a) => a.close()));
    throw err;
  }
  return {
    urls,
    hubspot: { store: hubspotStore, faults: hubspotFaults },
    zoho,
    zohoB,
    dtoolsSi: { store: siStore, queue: siQueue, faults: siFaults },
    workdrive: { store: wdStore, faults: wdFaults },
    state: state.report,
    close: async () => {
      await Promise.all(apps.map(([a]) => a.close()));
      await state.close();
    },
  };
}

/** One Zoho org's stores and fault injectors; both orgs share the limits and settings of SIM_ZOHO_*. */
function zohoOrg(
  env: SimulatorEnv,
  o: {
    clientId: string;
    clientSecret: string;
    refreshToken: string;
    crmFaults: FaultRule[];
    accountsFaults: FaultRule[];
    idPrefix?: string;
  },
): ZohoOrg {
  const org: ZohoOrg = {
    store: new ZohoCrmStore(env.SIM_ZOHO_TZ_OFFSET_MINUTES, undefined, undefined, o.idPrefix),
    auth: new ZohoAuthRegistry({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      refreshToken: o.refreshToken,
      tokenTtlSec: env.SIM_ZOHO_TOKEN_TTL_SEC,
      mintLimit: env.SIM_ZOHO_MINTS_PER_10_MIN,
      mintWindowMs: 600_000,
      errorStatus: env.SIM_ZOHO_TOKEN_ERROR_STATUS,
    }),
    crmFaults: new FaultInjector(),
    accountsFaults: new FaultInjector(),
  };
  o.crmFaults.forEach((r) => org.crmFaults.add(r));
  o.accountsFaults.forEach((r) => org.accountsFaults.add(r));
  return org;
}

/** Accounts hands out the org's tokens and names its CRM as `api_domain`. */
const zohoAccountsApp = (org: ZohoOrg, apiDomain: () => string) =>
  buildZohoAccountsSimulator({ auth: org.auth, faults: org.accountsFaults, apiDomain });

const zohoCrmApp = (env: SimulatorEnv, org: ZohoOrg) =>
  buildZohoCrmSimulator({
    store: org.store,
    auth: org.auth,
    faults: org.crmFaults,
    limits: {
      concurrency: env.SIM_ZOHO_CONCURRENCY,
      dailyCredits: env.SIM_ZOHO_DAILY_CREDITS,
      latencyMs: env.SIM_ZOHO_LATENCY_MS,
    },
  });
