import type { CleanValue, ExtractDomain, RawRecord } from '../../domain/extract-fields.js';
import type { ExtractPosition } from '../../domain/sync-positions.js';
import type { ExtractSource, RecordWriteResult } from '../capabilities.js';
import { ValidationError } from '../errors.js';
import { HUBSPOT_BATCH_LIMIT, HUBSPOT_LIST_LIMIT, HUBSPOT_SEARCH_CAP, type HubSpotClient } from './hubspot.client.js';
import { modifiedPage, type ModifiedPagesOptions, type ModifiedPosition } from './hubspot.modified-pages.js';
import type { HubSpotObject } from './hubspot.schemas.js';

const TYPES: Record<ExtractDomain, string> = { accounts: 'companies', contacts: 'contacts', deals: 'deals' };

/**
 * ⚠ Contacts keep their modification time in `lastmodifieddate`; companies and deals in `hs_lastmodifieddate`
 * (HubSpot's search guide lists them among each object's default properties).
 */
const MODIFIED: Record<ExtractDomain, string> = {
  accounts: 'hs_lastmodifieddate',
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/**
 * The extract's fields by HubSpot property. A company's region is read from its country; a contact's source is
 * HubSpot's original source; a deal's account is its (first) associated company, read in one batch per page.
 */
const PROPERTIES: Record<ExtractDomain, Record<string, string>> = {
  accounts: { name: 'name', industry: 'industry', value: 'annualrevenue', region: 'country' },
  contacts: {
    firstName: 'firstname',
    lastName: 'lastname',
    email: 'email',
    jobTitle: 'jobtitle',
    leadSource: 'hs_analytics_source',
    lastContactAt: 'notes_last_contacted',
  },
  deals: {
    name: 'dealname',
    size: 'amount',
    probability: 'hs_deal_stage_probability',
    stage: 'dealstage',
    createdAt: 'createdate',
  },
};

/** The default pipeline's stage id written for each extract stage. */
const STAGE_SPELLING: Record<string, string> = {
  Prospecting: 'qualifiedtobuy',
  Negotiation: 'contractsent',
  'Closed-Won': 'closedwon',
  'Closed-Lost': 'closedlost',
};

/** HubSpot's companies, contacts and deals for the extract: the list when reading all, search windows when not. */
export class HubSpotExtract implements ExtractSource {
  readonly batchSize = HUBSPOT_BATCH_LIMIT;

  constructor(
    private readonly client: HubSpotClient,
    private readonly searchCap = HUBSPOT_SEARCH_CAP,
  ) {}

  start(_domain: ExtractDomain, since: string | null): ExtractPosition {
    return since === null ? { kind: 'hs-list' } : { kind: 'hs-search', since: Date.parse(since), offset: 0 };
  }

  async page(domain: ExtractDomain, position: ExtractPosition) {
    if (position.kind === 'zoho-keyset') throw new Error('a Zoho position is not a HubSpot position');
    const { objects, next } = await modifiedPage(this.client, this.pages(domain), position as ModifiedPosition);
    const companies =
      domain === 'deals'
        ? await this.client.batchReadAssociations(
            'deals',
            'companies',
            objects.map((o) => o.id),
          )
        : undefined;
    return { records: objects.map((o) => this.rawRecord(domain, o, companies?.get(o.id)?.[0] ?? null)), next };
  }

  /**
   * HubSpot has no "archived since" query: the archived list is read whole (`archived=true`) and filtered on
   * `archivedAt`.
   */
  async deletedPage(domain: ExtractDomain, since: string, token: string | null) {
    const page = await this.client.listObjects(TYPES[domain], {
      after: token ?? undefined,
      limit: HUBSPOT_LIST_LIMIT,
      properties: ['hs_object_id'],
      archived: true,
    });
    const from = Date.parse(since);
    // Only objects that say they are archived: a live one here would be withdrawn by mistake.
    const deleted = page.results
      .filter((o) => o.archived === true)
      .map((o) => ({ id: o.id, deletedAt: Date.parse(String(o.archivedAt ?? o.updatedAt)) }))
      .filter((d) => !(d.deletedAt < from));
    return { deleted, next: page.nextAfter ?? null };
  }

  async updateRecords(
    domain: ExtractDomain,
    updates: Array<{ id: string; values: Record<string, CleanValue> }>,
  ): Promise<Array<RecordWriteResult | undefined>> {
    if (updates.length === 0) return [];
    if (updates.some((u) => 'accountId' in u.values))
      throw new ValidationError("a deal's company is an association in HubSpot; the extract does not write it", {
        code: 'UNSUPPORTED_FIELD',
      });
    const res = await this.client.batchUpdate(
      TYPES[domain],
      updates.map((u) => ({ id: u.id, properties: toHubSpot(domain, u.values) })),
    );
    const updated = new Map(res.updated.map((o) => [o.id, o]));
    return updates.map((u): RecordWriteResult | undefined => {
      const ok = updated.get(u.id);
      if (ok) return { ok: true, id: u.id, modifiedTime: ok.properties[MODIFIED[domain]] ?? ok.updatedAt };
      const err = res.errors.find((e) => e.ids.includes(u.id));
      return err ? { ok: false, code: err.category, message: err.message } : undefined;
    });
  }

  private pages(domain: ExtractDomain): ModifiedPagesOptions {
    return {
      type: TYPES[domain],
      modifiedProperty: MODIFIED[domain],
      properties: [...Object.values(PROPERTIES[domain]), MODIFIED[domain]],
      pageSize: HUBSPOT_LIST_LIMIT,
      searchCap: this.searchCap,
    };
  }

  private rawRecord(domain: ExtractDomain, o: HubSpotObject, companyId: string | null): RawRecord {
    const values: RawRecord['values'] = {};
    for (const [field, property] of Object.entries(PROPERTIES[domain])) values[field] = o.properties[property] ?? null;
    // HubSpot's stage probability is a fraction (0.6); the extract's is a percentage.
    if (domain === 'deals') {
      const p = values.probability === null ? NaN : Number(values.probability);
      if (Number.isFinite(p)) values.probability = Math.round(p * 10_000) / 100;
      values.accountId = companyId;
    }
    return { id: o.id, modifiedAt: Date.parse(o.properties[MODIFIED[domain]] ?? o.updatedAt), values };
  }
}

function toHubSpot(domain: ExtractDomain, values: Record<string, CleanValue>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(values)) {
    const property = PROPERTIES[domain][field];
    if (!property) throw new ValidationError(`HubSpot ${domain} have no property for "${field}"`);
    if (value === null) out[property] = '';
    else if (field === 'stage') out[property] = STAGE_SPELLING[String(value)] ?? String(value);
    else if (field === 'probability') out[property] = String(Number(value) / 100);
    else out[property] = String(value);
  }
  return out;
}
