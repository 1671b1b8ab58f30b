import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Zoho from '@zohocrm/typescript-sdk-8.0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileBytes } from '../../simulators/common/files.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { simSecrets } from '../helpers/connections.js';
import { startTestSimulators } from '../helpers/simulators.js';

/**
 * The official Zoho CRM TypeScript SDK, unmodified, against the Zoho simulators: it checks the simulators
 * independently of our own connector (DESIGN.md §7). Its data centre is an `Environment` built by the SDK's own
 * `DataCenter.setEnvironment(apiUrl, accountsTokenUrl, fileUploadUrl)`; it writes tokens and field metadata under a
 * temporary directory.
 */
let sims: RunningSimulators;
let dir: string;
const { Record: R } = Zoho;

async function initSdk(refreshToken = simSecrets.ZOHO_SIM_REFRESH_TOKEN!): Promise<void> {
  const environment = Zoho.DataCenter.setEnvironment(
    sims.urls.zohoCrm,
    `${sims.urls.zohoAccounts}/oauth/v2/token`,
    sims.urls.zohoCrm,
  );
  const token = new Zoho.OAuthBuilder()
    .clientId(simSecrets.ZOHO_SIM_CLIENT_ID!)
    .clientSecret(simSecrets.ZOHO_SIM_CLIENT_SECRET!)
    .refreshToken(refreshToken)
    .build();
  // ⚠ The SDK joins resourcePath and "resources/" without a separator when caching related lists: keep the slash.
  await (
    await new Zoho.InitializeBuilder()
  )
    .environment(environment)
    .token(token)
    .store(new Zoho.FileStore(join(dir, 'tokens.csv')))
    .resourcePath(`${dir}/`)
    .initialize();
}

const stats = async () =>
  (await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as { writeCalls: number; noteCreates: number };
const dealIds = () => [...sims.zoho.store.records.get('Deals')!.keys()];
const params = async (entries: Array<[Zoho.Param<string>, string]>) => {
  const map = new Zoho.ParameterMap();
  for (const [p, v] of entries) await map.add(p, v);
  return map;
};
function dealBody(fields: Record<string, unknown>, id?: string) {
  const rec = new R.Record();
  if (id) rec.setId(BigInt(id));
  for (const [k, v] of Object.entries(fields)) rec.addKeyValue(k, v);
  const body = new R.BodyWrapper();
  body.setData([rec]);
  return body;
}
/** The one per-record result of a write, as the SDK parsed it. */
function firstResult(res: Zoho.APIResponse<unknown>) {
  const wrapper = res.getObject();
  if (!(wrapper instanceof R.ActionWrapper))
    throw new Error(`expected an ActionWrapper, got status ${res.getStatusCode()}`);
  return wrapper.getData()[0];
}

beforeAll(async () => {
  sims = await startTestSimulators();
  dir = await mkdtemp(join(tmpdir(), 'zoho-sdk-'));
  await initSdk();
});
afterAll(async () => {
  await sims?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('official @zohocrm/typescript-sdk-8.0 against the Zoho simulators', () => {
  it('starts with a refresh-token grant, reads the current user and org, and keeps the token in its file', async () => {
    expect(sims.zoho.auth.mintCount).toBe(1);
    const token = (await Zoho.Initializer.getInitializer()).getToken() as Zoho.OAuthToken;
    expect(sims.zoho.auth.isValid(token.getAccessToken() ?? '')).toBe(true);
    expect(token.getUserSignature()?.getName()).toBe('admin@sim.example:60025737457');
    expect(await readFile(join(dir, 'tokens.csv'), 'utf8')).toContain(token.getAccessToken() ?? 'no token');
  });

  it('lists deals with their fields in the SDK types, after reading the field metadata it asked for', async () => {
    const fields = 'Deal_Name,Stage,Amount,Closing_Date,Account_Name,Owner,SI_Project_ID,SI_Last_Sync';
    const res = await new R.RecordOperations('Deals').getRecords(await params([[R.GetRecordsParam.FIELDS, fields]]));
    const wrapper = res.getObject();
    if (!(wrapper instanceof R.ResponseWrapper)) throw new Error(`status ${res.getStatusCode()}`);
    const deals = wrapper.getData();
    expect(deals.map((d) => String(d.getId())).sort()).toEqual(dealIds().sort());
    for (const deal of deals) {
      const stored = sims.zoho.store.records.get('Deals')!.get(String(deal.getId()))!;
      expect((deal.getKeyValue('Stage') as Zoho.Choice<string>).getValue()).toBe(stored.Stage);
      expect(deal.getKeyValue('Amount')).toBe(stored.Amount);
      expect(deal.getKeyValue('Closing_Date')).toBeInstanceOf(Date);
      expect((deal.getKeyValue('Owner') as { getEmail(): string }).getEmail()).toBe(
        (stored.Owner as { email: string }).email,
      );
      const account = deal.getKeyValue('Account_Name') as InstanceType<typeof R.Record> | null;
      expect(account === null ? null : String(account.getId())).toBe(
        (stored.Account_Name as { id: string } | null)?.id ?? null,
      );
      expect(deal.getKeyValue('SI_Last_Sync')).toBeNull();
    }
    const [cache] = await readdir(join(dir, 'resources'));
    const meta = JSON.parse(await readFile(join(dir, 'resources', cache!), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    expect(meta.deals?.SI_Last_Sync).toMatchObject({ name: 'SI_Last_Sync', type: 'DateTime' });
    expect(meta.deals?.Account_Name).toMatchObject({ lookup: true, module: 'Accounts' });
  });

  it('reads the module list the SDK refreshes its field cache from', async () => {
    const res = (await new Zoho.Modules.ModulesOperations().getModules()).getObject();
    if (!(res instanceof Zoho.Modules.ResponseWrapper)) throw new Error('modules failed');
    const deals = res.getModules().find((m) => m.getAPIName() === 'Deals');
    expect(deals?.getAPISupported()).toBe(true);
    expect(deals?.getGeneratedType().getValue()).toBe('default');
  });

  it('creates, updates (one and many) and upserts a deal; the simulator stores what the SDK sent', async () => {
    const ops = new R.RecordOperations('Deals');
    const account = [...sims.zoho.store.records.get('Accounts')!.values()][2]!;
    const accountRef = new R.Record();
    accountRef.setId(BigInt(account.id));
    const before = (await stats()).writeCalls;
    const created = firstResult(
      await ops.createRecords(
        dealBody({
          Deal_Name: 'SDK contract deal',
          Stage: new Zoho.Choice('Qualification'),
          Amount: 4200.5,
          Closing_Date: new Date(Date.UTC(2026, 8, 30)),
          Account_Name: accountRef,
        }),
      ),
    );
    if (!(created instanceof R.SuccessResponse)) throw new Error('create failed');
    const id = String(created.getDetails().get('id'));
    const projectId = 'b0a2c1de-1111-4222-8333-944445555666';
    const synced = new Date(Date.UTC(2026, 9, 1, 8, 0, 0));
    expect(
      firstResult(await ops.updateRecord(BigInt(id), dealBody({ SI_Project_ID: projectId, SI_Last_Sync: synced }))),
    ).toBeInstanceOf(R.SuccessResponse);
    expect(firstResult(await ops.updateRecords(dealBody({ SI_Status: 'Active' }, id)))).toBeInstanceOf(
      R.SuccessResponse,
    );
    const upsertBody = dealBody({ Deal_Name: 'SDK contract deal', SI_Progress: 'Installing' });
    upsertBody.setDuplicateCheckFields(['Deal_Name']);
    const upserted = firstResult(await ops.upsertRecords(upsertBody));
    if (!(upserted instanceof R.SuccessResponse)) throw new Error('upsert failed');
    expect(String(upserted.getDetails().get('id'))).toBe(id);

    expect(sims.zoho.store.records.get('Deals')!.get(id)).toMatchObject({
      Deal_Name: 'SDK contract deal',
      Stage: 'Qualification',
      Amount: 4200.5,
      Closing_Date: '2026-09-30',
      Account_Name: { name: account.Account_Name, id: account.id },
      SI_Project_ID: projectId,
      SI_Status: 'Active',
      SI_Progress: 'Installing',
      SI_Last_Sync: sims.zoho.store.formatTime(synced.getTime()),
    });
    expect((await stats()).writeCalls - before).toBe(4);
  });

  it("gets a per-record INVALID_DATA as the SDK's APIException for a lookup to no account", async () => {
    const missing = new R.Record();
    missing.setId(1n);
    const result = firstResult(
      await new R.RecordOperations('Deals').createRecords(
        dealBody({
          Deal_Name: 'No such account',
          Stage: new Zoho.Choice('Qualification'),
          Account_Name: missing,
        }),
      ),
    );
    if (!(result instanceof R.APIException)) throw new Error('expected an APIException');
    expect(result.getCode().getValue()).toBe('INVALID_DATA');
    expect(result.getDetails().get('api_name')).toBe('Account_Name');
  });

  it('reads one deal, deletes it and finds it among the deleted records', async () => {
    const ops = new R.RecordOperations('Deals');
    const id = dealIds()[4]!;
    const one = (await ops.getRecord(BigInt(id), await params([[R.GetRecordParam.FIELDS, 'Deal_Name']]))).getObject();
    if (!(one instanceof R.ResponseWrapper)) throw new Error('get failed');
    expect(one.getData()[0]!.getKeyValue('Deal_Name')).toBe(sims.zoho.store.records.get('Deals')!.get(id)!.Deal_Name);
    expect(firstResult(await ops.deleteRecord(BigInt(id)))).toBeInstanceOf(R.SuccessResponse);
    const deleted = (await ops.getDeletedRecords(new Zoho.ParameterMap())).getObject();
    if (!(deleted instanceof R.DeletedRecordsWrapper)) throw new Error('deleted records failed');
    const entry = deleted.getData().find((d) => String(d.getId()) === id);
    expect(entry?.getDeletedTime()).toBeInstanceOf(Date);
    expect(entry?.getType()).toBe('recycle');
  });

  it("adds a note to a deal with the v8 Parent_Id, then lists the deal's notes newest first", async () => {
    const dealId = dealIds()[0]!;
    const note = new Zoho.Notes.Note();
    note.setNoteTitle('Change order CO-7');
    note.setNoteContent('Two more cameras in the lobby.');
    const parent = new Zoho.Notes.ParentId();
    const module = new Zoho.Modules.MinifiedModule();
    module.setAPIName('Deals');
    parent.setModule(module);
    parent.setId(BigInt(dealId));
    note.setParentId(parent);
    const body = new Zoho.Notes.BodyWrapper();
    body.setData([note]);
    const created = (await new Zoho.Notes.NotesOperations().createNotes(body)).getObject();
    if (!(created instanceof Zoho.Notes.ActionWrapper)) throw new Error('note create failed');
    expect(created.getData()[0]).toBeInstanceOf(Zoho.Notes.SuccessResponse);
    expect((await stats()).noteCreates).toBe(1);

    const fields = await params([
      [Zoho.RelatedRecords.GetRelatedRecordsParam.FIELDS, 'Note_Title,Note_Content,Parent_Id'],
    ]);
    const listed = (
      await new Zoho.RelatedRecords.RelatedRecordsOperations('Notes', 'Deals').getRelatedRecords(BigInt(dealId), fields)
    ).getObject();
    if (!(listed instanceof Zoho.RelatedRecords.ResponseWrapper)) throw new Error('notes list failed');
    const [newest] = listed.getData();
    expect(newest?.getKeyValue('Note_Title')).toBe('Change order CO-7');
    expect(String((newest?.getKeyValue('Parent_Id') as InstanceType<typeof R.Record>).getId())).toBe(dealId);
  });

  it("lists a deal's attachments and downloads one byte for byte", async () => {
    const dealId = dealIds()[1]!;
    const ops = new Zoho.Attachments.AttachmentsOperations();
    const listed = (await ops.getAttachments(BigInt(dealId), 'Deals', new Zoho.ParameterMap())).getObject();
    if (!(listed instanceof Zoho.Attachments.ResponseWrapper)) throw new Error('attachments list failed');
    const stored = sims.zoho.store.attachmentsOf('Deals', dealId);
    expect(
      listed
        .getData()
        .map((a) => String(a.getId()))
        .sort(),
    ).toEqual(stored.map((a) => a.id).sort());
    const first = listed.getData()[0]!;
    const att = sims.zoho.store.attachments.get(String(first.getId()))!;
    expect(first.getSize()).toBe(String(att.size));
    const file = (await ops.getAttachment(first.getId(), BigInt(dealId), 'Deals')).getObject();
    if (!(file instanceof Zoho.Attachments.FileBodyWrapper)) throw new Error('download failed');
    // The SDK hands over the raw body despite its ReadStream typing.
    const bytes = file.getFile().getStream() as unknown as Buffer;
    expect(Buffer.compare(bytes, fileBytes(att.contentKey, att.ext === 'bin' ? 'txt' : att.ext, att.size))).toBe(0);
    expect(decodeURIComponent(file.getFile().getName() ?? '')).toBe(att.fileName);
  });

  it("sees an expired token as the SDK's APIException INVALID_TOKEN, and a new start mints a fresh one", async () => {
    await fetch(`${sims.urls.zohoAccounts}/__admin/expire-tokens`, { method: 'POST' });
    // Deals: the SDK holds their field metadata already, so the list call itself meets the 401.
    const res = await new R.RecordOperations('Deals').getRecords(
      await params([[R.GetRecordsParam.FIELDS, 'Deal_Name']]),
    );
    expect(res.getStatusCode()).toBe(401);
    const error = res.getObject();
    if (!(error instanceof R.APIException)) throw new Error('expected an APIException');
    expect(error.getCode().getValue()).toBe('INVALID_TOKEN');
    await new Zoho.FileStore(join(dir, 'tokens.csv')).deleteTokens();
    await initSdk();
    expect(sims.zoho.auth.mintCount).toBe(2);
  });
});
