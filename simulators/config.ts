import { join } from 'node:path';
import { z } from 'zod';
import { FaultRuleSchema } from './common/faults.js';

const StartupFaults = z.strictObject({
  hubspot: z.array(FaultRuleSchema).default([]),
  zohoCrm: z.array(FaultRuleSchema).default([]),
  zohoAccounts: z.array(FaultRuleSchema).default([]),
  zohoBCrm: z.array(FaultRuleSchema).default([]),
  zohoBAccounts: z.array(FaultRuleSchema).default([]),
  dtoolsSi: z.array(FaultRuleSchema).default([]),
  workdrive: z.array(FaultRuleSchema).default([]),
});

/** Simulator settings; every default is what `.env.example` documents and the default connections point at. */
export const SimulatorEnvSchema = z.object({
  SIM_HOST: z.string().default('127.0.0.1'),
  /** Where `npm run simulators` keeps the simulators' data across restarts; unset = `<DATA_DIR>/simulators`. */
  SIM_STATE_DIR: z.string().min(1).optional(),
  SIM_HUBSPOT_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SIM_ZOHO_ACCOUNTS_PORT: z.coerce.number().int().min(0).max(65535).default(4020),
  SIM_ZOHO_CRM_PORT: z.coerce.number().int().min(0).max(65535).default(4030),
  SIM_DTOOLS_SI_PORT: z.coerce.number().int().min(0).max(65535).default(4040),
  SIM_ZOHO_WORKDRIVE_PORT: z.coerce.number().int().min(0).max(65535).default(4050),
  /** Zoho org B (another data centre, the WorkDrive transfer's target): its own Accounts and CRM. */
  SIM_ZOHO_B_ACCOUNTS_PORT: z.coerce.number().int().min(0).max(65535).default(4021),
  SIM_ZOHO_B_CRM_PORT: z.coerce.number().int().min(0).max(65535).default(4031),
  SIM_SEED: z.coerce.number().int().default(42),
  SIM_SCALE_LEADS: z.coerce.number().int().min(0).default(25),
  SIM_SCALE_DEALS: z.coerce.number().int().min(0).default(5),
  SIM_SCALE_HUBSPOT_DEALS: z.coerce.number().int().min(0).default(4),
  /** Files on each deal beyond the first four; unset = 0–2 at random. */
  SIM_HUBSPOT_FILES_PER_DEAL: z.coerce.number().int().min(0).max(50).optional(),
  HUBSPOT_SIM_TOKEN: z.string().min(8).default('pat-sim-crm-sync-dev-token'),
  SIM_HUBSPOT_PER_10S: z.coerce.number().int().positive().default(190),
  SIM_HUBSPOT_DAILY: z.coerce.number().int().positive().default(650_000),
  SIM_HUBSPOT_SEARCH_PER_SECOND: z.coerce.number().int().positive().default(5),
  /** Results one search query can page through (HubSpot: 10,000); lower it to exercise window splitting. */
  SIM_HUBSPOT_SEARCH_CAP: z.coerce.number().int().min(100).default(10_000),
  ZOHO_SIM_CLIENT_ID: z.string().min(1).default('1000.SIMCLIENTCRMSYNC'),
  ZOHO_SIM_CLIENT_SECRET: z.string().min(1).default('sim-client-secret'),
  ZOHO_SIM_REFRESH_TOKEN: z.string().min(1).default('1000.sim-refresh-token'),
  /** Org B's client and refresh token: org A's are refused there, and org B's at org A. */
  ZOHO_SIM_B_CLIENT_ID: z.string().min(1).default('1000.SIMCLIENTCRMSYNCORGB'),
  ZOHO_SIM_B_CLIENT_SECRET: z.string().min(1).default('sim-client-secret-org-b'),
  ZOHO_SIM_B_REFRESH_TOKEN: z.string().min(1).default('1000.sim-refresh-token-org-b'),
  SIM_ZOHO_TOKEN_TTL_SEC: z.coerce.number().int().positive().default(3600),
  SIM_ZOHO_MINTS_PER_10_MIN: z.coerce.number().int().positive().default(10),
  SIM_ZOHO_TOKEN_ERROR_STATUS: z
    .enum(['200', '400'])
    .default('200')
    .transform((s) => Number(s) as 200 | 400),
  SIM_ZOHO_CONCURRENCY: z.coerce.number().int().positive().default(10),
  SIM_ZOHO_DAILY_CREDITS: z.coerce.number().int().positive().default(50_000),
  SIM_ZOHO_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  SIM_ZOHO_TZ_OFFSET_MINUTES: z.coerce.number().int().min(-720).max(840).default(330),
  DTOOLS_SIM_API_KEY: z.string().min(8).default('dtsi-sim-crm-sync-dev-key'),
  /** How long a publish stays queued before the simulated SI user imports it (0: right after the answer). */
  SIM_DTOOLS_SI_IMPORT_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  /** Projects the SI user has published in the seed. */
  SIM_DTOOLS_SI_PROJECTS: z.coerce.number().int().min(0).default(6),
  /** Largest upload content WorkDrive accepts (250 MB); lower it to exercise the 413. */
  SIM_ZOHO_WORKDRIVE_UPLOAD_LIMIT_BYTES: z.coerce.number().int().positive().default(262_144_000),
  /** The id of the seeded team folder `Clients`, so a connection can name it. */
  SIM_ZOHO_WORKDRIVE_TEAM_FOLDER_ID: z
    .string()
    .regex(/^[a-z0-9]{1,64}$/)
    .default('crmsyncclients00000000001'),
  /** Person folders in the seeded team folder (the first 20 are WORKDRIVE_SEED_PEOPLE). */
  SIM_ZOHO_WORKDRIVE_FOLDERS: z.coerce.number().int().min(0).default(20),
  /**
   * The WorkDrive transfer's seed, scaled for benchmarks; all unset = the default 20 people with their edge cases.
   * RECORDS: contacts in org A (checkbox false) and org B, named after the first RECORDS person folders, which
   * WorkDrive then seeds at least. FILES_PER_RECORD: attachments on each (unset: 1–4). MIN/MAX_BYTES: their sizes,
   * drawn evenly (unset: 10 KB–5 MB). LARGE_FILE_BYTES: one more contact with a single attachment of that size.
   * Attachment bytes are generated from a key on download, never stored.
   */
  SIM_SCALE_TRANSFER_RECORDS: z.coerce.number().int().min(0).optional(),
  SIM_SCALE_TRANSFER_FILES_PER_RECORD: z.coerce.number().int().min(0).max(50).optional(),
  SIM_SCALE_TRANSFER_MIN_BYTES: z.coerce.number().int().min(64).optional(),
  SIM_SCALE_TRANSFER_MAX_BYTES: z.coerce.number().int().min(64).max(1_073_741_824).optional(),
  SIM_SCALE_TRANSFER_LARGE_FILE_BYTES: z.coerce.number().int().min(64).max(1_073_741_824).optional(),
  /**
   * Faults active from start: `{ "hubspot"?, "zohoCrm"?, "zohoAccounts"?, "zohoBCrm"?, "zohoBAccounts"?,
   * "dtoolsSi"?, "workdrive"?: [rule] }`.
   */
  SIM_FAULTS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return StartupFaults.parse(JSON.parse(text));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a valid fault list: ${(err as Error).message.split('\n')[0]}` });
        return z.NEVER;
      }
    }),
});
export type SimulatorEnv = z.infer<typeof SimulatorEnvSchema>;

/** Next to the rest of the local state (DATA_DIR, as config/env.ts reads it); simulators share no code with the app. */
export function stateDirOf(env: SimulatorEnv, dataDir = process.env.DATA_DIR || '.data'): string {
  return env.SIM_STATE_DIR ?? join(dataDir, 'simulators');
}

export function simulatorDefaults(overrides: Partial<Record<keyof SimulatorEnv, string | number>> = {}): SimulatorEnv {
  return SimulatorEnvSchema.parse(Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)])));
}

/** Every simulator on a free port: for starts inside tests and benches, which must not collide with a running stack. */
export const FREE_PORTS = {
  SIM_HUBSPOT_PORT: 0,
  SIM_ZOHO_ACCOUNTS_PORT: 0,
  SIM_ZOHO_CRM_PORT: 0,
  SIM_DTOOLS_SI_PORT: 0,
  SIM_ZOHO_WORKDRIVE_PORT: 0,
  SIM_ZOHO_B_ACCOUNTS_PORT: 0,
  SIM_ZOHO_B_CRM_PORT: 0,
} as const;
