import type { ModuleRecords } from '../../connectors/capabilities.js';
import { type RateBudget, RateGovernor } from '../../connectors/rate-governor.js';
import { type FolderCandidate, matchFolder, timestamp, uploadName } from '../../domain/workdrive-transfer.js';

/** Where the sequential loop reads and writes: org A's CRM through our connector, WorkDrive by plain HTTP. */
export interface LoopTarget {
  /** Org A's records and attachments (the project's connector, inside the connection's budget). */
  records: ModuleRecords;
  /** Org B's records: the one of the same name gets the folder's URL and id, as the script writes them. */
  destination: ModuleRecords;
  module: string;
  nameField: string;
  checkboxField: string;
  fields: { workdriveUrl: string; workdriveFolderId: string; recordUpdatedFrom: string };
  /** WorkDrive's server root, org B's Zoho Accounts and its client credentials. */
  workdrive: string;
  accounts: string;
  credentials: { clientId: string; clientSecret: string; refreshToken: string };
  teamFolderId: string;
  /** WorkDrive's budget, as the crm-sync connection has it. */
  budget: RateBudget;
}

type WdItem = FolderCandidate & { permalink: string | null };
interface WdList {
  data: Array<{ id: string; attributes: { name: string; modified_time_in_millisecond?: number; permalink?: string } }>;
}
const API = '/workdrive/api/v1';
const PAGE = 200;

/** WorkDrive as a script calls it: fetch with a Zoho-oauthtoken, one budget for every call, bodies whole. */
class PlainWorkdrive {
  private token?: string;
  private readonly governor: RateGovernor;

  constructor(private readonly t: LoopTarget) {
    this.governor = new RateGovernor(t.budget);
  }

  private async mint(): Promise<string> {
    const { clientId, clientSecret, refreshToken } = this.t.credentials;
    const q = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      client_secret: clientSecret,
      refresh_token: refreshToken,
    });
    const body = (await (await fetch(`${this.t.accounts}/oauth/v2/token?${q}`, { method: 'POST' })).json()) as {
      access_token?: string;
    };
    if (!body.access_token) throw new Error(`WorkDrive token refused: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** One call; an expired token is minted again once. */
  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    for (let attempt = 0; ; attempt += 1) {
      const token = (this.token ??= await this.mint());
      const res = await this.governor.run(() =>
        fetch(`${this.t.workdrive}${API}${path}`, { ...init, headers: { authorization: `Zoho-oauthtoken ${token}` } }),
      );
      if (res.ok || res.status !== 401 || attempt > 0) {
        if (!res.ok) throw new Error(`WorkDrive ${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
        return res;
      }
      await res.body?.cancel();
      this.token = undefined;
    }
  }

  /** Every child of a folder (`folders`: subfolders only), page by page until a short page. */
  async list(folderId: string, kind: 'files' | 'folders'): Promise<WdItem[]> {
    const items: WdItem[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = (await (
        await this.call(`/files/${folderId}/${kind}?page%5Blimit%5D=${PAGE}&page%5Boffset%5D=${offset}`)
      ).json()) as WdList;
      items.push(
        ...page.data.map((d) => ({
          id: d.id,
          name: d.attributes.name,
          modifiedMs: d.attributes.modified_time_in_millisecond ?? null,
          permalink: d.attributes.permalink ?? null,
        })),
      );
      if (page.data.length < PAGE) return items;
    }
  }

  /** A multipart upload built in memory around the whole file. */
  async upload(folderId: string, name: string, bytes: ArrayBuffer): Promise<void> {
    const form = new FormData();
    form.set('content', new Blob([bytes]), name);
    form.set('parent_id', folderId);
    form.set('filename', encodeURIComponent(name));
    form.set('override-name-exist', 'false');
    await (await this.call('/upload', { method: 'POST', body: form })).arrayBuffer();
  }
}

/**
 * The existing script's approach: the records with the checkbox false, then one record after another, each
 * attachment downloaded whole into memory and uploaded whole, one at a time; no Temporal, no streaming. Like the
 * script it writes the folder's URL and id to org B's record of the same name and ticks the checkbox when a file
 * went up. Folders are matched and clashing names stamped by the transfer's own rules, so both put the same files
 * in the same places.
 */
export async function sequentialTransfer(t: LoopTarget): Promise<{ records: number; files: number; bytes: number }> {
  const wd = new PlainWorkdrive(t);
  const stamp = timestamp(new Date(), 'UTC');
  const folders = await wd.list(t.teamFolderId, 'folders');
  const todo: Array<{ id: string; name: string }> = [];
  for (let page: number | null = 1; page !== null;) {
    const res = await t.records.findRecords(t.module, { [t.checkboxField]: false }, [t.nameField], page);
    for (const r of res.records) {
      const name = r.fields[t.nameField];
      if (typeof name === 'string' && name.trim()) todo.push({ id: r.id, name });
    }
    page = res.nextPage;
  }
  let [records, files, bytes] = [0, 0, 0];
  for (const record of todo) {
    const folder = matchFolder(record.name, folders);
    if (!folder) continue;
    const [target] = (await t.destination.findRecords(t.module, { [t.nameField]: record.name }, [t.nameField], 1))
      .records;
    if (target)
      await t.destination.updateRecord(t.module, target.id, {
        [t.fields.workdriveUrl]: folder.permalink,
        [t.fields.workdriveFolderId]: folder.id,
        [t.fields.recordUpdatedFrom]: record.id,
      });
    const taken = new Set((await wd.list(folder.id, 'files')).map((f) => f.name.toLowerCase()));
    let uploaded = 0;
    for (const att of await t.records.attachments(t.module, record.id)) {
      const data = await (await t.records.openAttachment(t.module, record.id, att.id)).arrayBuffer();
      const name = uploadName(att.fileName, taken, stamp);
      await wd.upload(folder.id, name, data);
      taken.add(name.toLowerCase());
      uploaded += 1;
      files += 1;
      bytes += data.byteLength;
    }
    if (uploaded > 0) await t.records.updateRecord(t.module, record.id, { [t.checkboxField]: true });
    records += 1;
  }
  return { records, files, bytes };
}
