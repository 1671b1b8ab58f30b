import { describe, expect, it } from 'vitest';
import type { ExtractDomain, RawRecord } from '../../domain/extract-fields.js';
import {
  castValue,
  cleanBatch,
  cleanRecord,
  DEFAULT_EXTRACT_RULES,
  enumKey,
  ExtractOptionsSchema,
  extractRules,
} from '../../domain/extract-rules.js';

const rules = extractRules(undefined);
const rec = (id: string, values: RawRecord['values'], modifiedAt = 1000): RawRecord => ({ id, modifiedAt, values });

describe('enumKey', () => {
  it.each([
    ['Closed Won', 'closedwon'],
    ['closed-won', 'closedwon'],
    ['CLOSEDWON', 'closedwon'],
    ['Negotiation/Review', 'negotiationreview'],
    ['  Web Download ', 'webdownload'],
  ])('%s → %s', (spelling, key) => expect(enumKey(spelling)).toBe(key));
});

describe('castValue: enums through the default tables', () => {
  it.each([
    ['deals', 'stage', 'closed won', 'Closed-Won'],
    ['deals', 'stage', 'Closed Won', 'Closed-Won'],
    ['deals', 'stage', 'closedwon', 'Closed-Won'],
    ['deals', 'stage', 'Closed-Lost', 'Closed-Lost'],
    ['deals', 'stage', 'Qualification', 'Prospecting'],
    ['deals', 'stage', 'appointmentscheduled', 'Prospecting'],
    ['deals', 'stage', 'Negotiation/Review', 'Negotiation'],
    ['deals', 'stage', 'contractsent', 'Negotiation'],
    ['accounts', 'region', 'USA', 'North America'],
    ['accounts', 'region', 'united states', 'North America'],
    ['accounts', 'region', 'Deutschland', 'Europe'],
    ['accounts', 'region', 'Japan', 'Asia'],
    ['accounts', 'region', 'europe', 'Europe'],
    ['accounts', 'region', 'Nowhere', null],
    ['contacts', 'leadSource', 'Web Download', 'Website'],
    ['contacts', 'leadSource', 'ORGANIC_SEARCH', 'Website'],
    ['contacts', 'leadSource', 'External Referral', 'Referral'],
    ['contacts', 'leadSource', 'REFERRALS', 'Referral'],
    ['contacts', 'leadSource', 'EMAIL_MARKETING', 'Email Campaign'],
    ['contacts', 'leadSource', 'Trade Show', null],
  ] as const)('%s.%s %j → %j', (domain, field, raw, value) => {
    expect(castValue(domain, field, raw, rules)).toEqual({ ok: true, value });
  });

  it('rejects a stage nobody mapped, naming the setting that would map it', () => {
    const out = castValue('deals', 'stage', 'Needs Budget', rules);
    expect(out).toMatchObject({ ok: false, reason: { code: 'UNKNOWN_ENUM', field: 'stage', value: 'Needs Budget' } });
    expect(!out.ok && out.reason.message).toContain('extract.enums["deals.stage"]');
  });
});

describe('castValue: types', () => {
  it.each([
    ['deals', 'size', '24456', 24456],
    ['deals', 'size', 24456.5, 24456.5],
    ['deals', 'size', '1,250.75', 1250.75],
    ['deals', 'probability', 60, 60],
    ['deals', 'createdAt', '2026-05-10T14:32:11+05:30', '2026-05-10T09:02:11.000Z'],
    ['deals', 'createdAt', '2024-09-11T13:27:39.356Z', '2024-09-11T13:27:39.356Z'],
    ['contacts', 'email', ' Ada@Example.COM ', 'ada@example.com'],
    ['deals', 'name', '  Acme  ', 'Acme'],
    ['deals', 'size', '', null],
    ['deals', 'size', null, null],
  ] as const)('%s.%s %j → %j', (domain, field, raw, value) => {
    expect(castValue(domain, field, raw, rules)).toEqual({ ok: true, value });
  });

  it.each([
    ['deals', 'size', 'lots', 'a number'],
    ['deals', 'probability', 140, 'a percentage from 0 to 100'],
    ['deals', 'createdAt', 'yesterday', 'a date and time'],
    ['contacts', 'email', 'not-an-email', 'an email address'],
  ] as const)('%s.%s %j is invalid (%s)', (domain, field, raw, expected) => {
    const out = castValue(domain, field, raw, rules);
    expect(out).toMatchObject({ ok: false, reason: { code: 'INVALID_VALUE', field } });
    expect(!out.ok && out.reason.message).toContain(expected);
  });
});

describe('cleanRecord: required fields per domain', () => {
  it.each([
    ['accounts', { name: null }, 'name'],
    ['contacts', { lastName: 'Hopper', email: '' }, 'email'],
    ['contacts', { lastName: null, email: 'g@example.com' }, 'lastName'],
    ['deals', { name: 'Big deal', stage: 'closedwon', size: null }, 'size'],
    ['deals', { name: 'Big deal', stage: null, size: 100 }, 'stage'],
  ] as const)('%s %j: missing %s', (domain, values, field) => {
    expect(cleanRecord(domain as ExtractDomain, rec('1', values), rules)).toMatchObject({
      ok: false,
      reason: { code: 'MISSING_REQUIRED', field },
    });
  });

  it('keeps a deal without an account (the aggregates leave it out)', () => {
    const out = cleanRecord('deals', rec('7', { name: 'Orphan', stage: 'Closed Lost', size: '10' }), rules);
    expect(out).toEqual({
      ok: true,
      record: {
        id: '7',
        modifiedAt: 1000,
        values: {
          name: 'Orphan',
          size: 10,
          probability: null,
          stage: 'Closed-Lost',
          accountId: null,
          createdAt: null,
        },
      },
    });
  });
});

describe('cleanBatch', () => {
  it('keeps one row per CRM id, the latest modification winning, and counts the duplicates', () => {
    const out = cleanBatch(
      'accounts',
      [
        rec('a', { name: 'Old name' }, 1000),
        rec('b', { name: 'Globex' }, 1000),
        rec('a', { name: 'New name' }, 3000),
        rec('a', { name: 'Middle name' }, 2000),
      ],
      rules,
    );
    expect(out.duplicates).toBe(2);
    expect(out.kept.map((r) => [r.id, r.values.name, r.modifiedAt])).toEqual([
      ['a', 'New name', 3000],
      ['b', 'Globex', 1000],
    ]);
    expect(out.rejected).toEqual([]);
  });

  it('rejects by the latest copy: a record fixed later is kept, one broken later is rejected', () => {
    const out = cleanBatch(
      'contacts',
      [
        rec('fixed', { lastName: 'Lovelace', email: null }, 1000),
        rec('fixed', { lastName: 'Lovelace', email: 'ada@example.com' }, 2000),
        rec('broken', { lastName: 'Hopper', email: 'grace@example.com' }, 1000),
        rec('broken', { lastName: 'Hopper', email: null }, 2000),
      ],
      rules,
    );
    expect(out.kept.map((r) => r.id)).toEqual(['fixed']);
    expect(out.rejected).toEqual([
      {
        id: 'broken',
        modifiedAt: 2000,
        reason: { code: 'MISSING_REQUIRED', field: 'email', message: 'email is required for contacts and is empty' },
      },
    ]);
  });
});

describe("a connection's extract options", () => {
  it('add spellings to a map and change what an unknown spelling does', () => {
    const mine = extractRules({
      enums: { 'deals.stage': { map: { 'Needs Budget': 'Prospecting' } }, 'accounts.region': { unknown: 'reject' } },
    });
    expect(castValue('deals', 'stage', 'needs budget', mine)).toEqual({ ok: true, value: 'Prospecting' });
    expect(castValue('deals', 'stage', 'closed won', mine)).toEqual({ ok: true, value: 'Closed-Won' });
    expect(castValue('accounts', 'region', 'Nowhere', mine)).toMatchObject({ ok: false });
    // The defaults are not changed by a connection's additions.
    expect(castValue('deals', 'stage', 'needs budget', rules)).toMatchObject({ ok: false });
    expect(DEFAULT_EXTRACT_RULES.enums['deals.stage']!.map['Needs Budget']).toBeUndefined();
  });

  it("replace a domain's required fields", () => {
    const mine = extractRules({ required: { deals: ['name'] } });
    expect(cleanRecord('deals', rec('1', { name: 'No stage yet' }), mine).ok).toBe(true);
    expect(cleanRecord('contacts', rec('2', { lastName: 'X' }), mine).ok).toBe(false);
  });

  it.each([
    [{ required: { deals: ['dealSize'] } }, 'deals has no field "dealSize"'],
    [{ enums: { 'deals.name': { map: {} } } }, '"deals.name" is not an enum field'],
    [{ enums: { 'deals.stage': { map: { won: 'Won' } } } }, 'maps to "Won", which is not one of'],
    [{ timeZone: 'Mars/Olympus' }, 'must be an IANA time zone'],
    [{ surprise: true }, 'Unrecognized key'],
  ])('refuse %j', (options, message) => {
    const out = ExtractOptionsSchema.safeParse(options);
    expect(out.success).toBe(false);
    expect(out.error!.issues.map((i) => i.message).join('; ')).toContain(message);
  });

  it('default the time zone to UTC', () => {
    expect(ExtractOptionsSchema.parse({}).timeZone).toBe('UTC');
    expect(ExtractOptionsSchema.parse({ timeZone: 'Europe/Berlin' }).timeZone).toBe('Europe/Berlin');
  });
});
