import type { CrmNote, CrmRecord, DealRecords, RecordWriteResult } from '../capabilities.js';
import { ZOHO_PAGE_LIMIT, type ZohoCrmClient } from './zoho-crm.client.js';
import { recordWriteResult, type ZohoWriteResult } from './zoho-crm.mapper.js';

/** Zoho Deals as records of fields, with their notes (crm-apis.md 2.3, 2.4). */
export class ZohoDeals implements DealRecords {
  constructor(private readonly client: ZohoCrmClient) {}

  async readDeal(id: string, fields: string[]): Promise<CrmRecord | null> {
    // Lookup parts (`Account_Name.name`) are read as their field; `Modified_Time` always.
    const apiNames = [...new Set([...fields.map((f) => f.split('.')[0]!), 'Modified_Time'])];
    const { records } = await this.client.listRecords('Deals', { ids: [id], fields: apiNames, perPage: 1 });
    const record = records.find((r) => r.id === id);
    if (!record) return null;
    const { id: _id, ...rest } = record;
    return { id, fields: rest, modifiedAt: typeof record.Modified_Time === 'string' ? record.Modified_Time : null };
  }

  async updateDeal(id: string, fields: Record<string, unknown>): Promise<RecordWriteResult> {
    const [result] = await this.client.updateRecords('Deals', [{ id, ...fields }]);
    return writeResult(result);
  }

  async listNotes(dealId: string): Promise<CrmNote[]> {
    const notes: CrmNote[] = [];
    for (let page = 1; ; page += 1) {
      const res = await this.client.listNotes('Deals', dealId, { page, perPage: ZOHO_PAGE_LIMIT });
      for (const n of res.records)
        notes.push({
          id: n.id,
          title: typeof n.Note_Title === 'string' ? n.Note_Title : null,
          content: typeof n.Note_Content === 'string' ? n.Note_Content : null,
        });
      if (!res.info?.more_records) return notes;
    }
  }

  async addNote(dealId: string, note: { title: string; content: string }): Promise<RecordWriteResult> {
    return writeResult(await this.client.addNote('Deals', dealId, note));
  }
}

const MISSING: RecordWriteResult = {
  ok: false,
  code: 'MISSING_RESULT',
  message: 'Zoho returned no result for this record',
};
const writeResult = (res: ZohoWriteResult | undefined): RecordWriteResult => recordWriteResult(res) ?? MISSING;
