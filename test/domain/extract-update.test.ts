import { describe, expect, it } from 'vitest';
import { extractRules } from '../../domain/extract-rules.js';
import { fieldName, parseAssignments, planUpdate } from '../../domain/extract-update.js';

const rules = extractRules(undefined);

describe('planUpdate', () => {
  it("casts the toolkit's example: --domain deals --key deal_id --value 203 --key-to-update deal_size --update-value 24456", () => {
    expect(planUpdate({ domain: 'deals', key: 'deal_id', value: '203', set: { deal_size: '24456' } }, rules)).toEqual({
      domain: 'deals',
      key: 'id',
      keyValue: '203',
      set: { size: 24456 },
    });
  });

  it.each([
    [{ stage: 'closed won' }, { stage: 'Closed-Won' }],
    [{ probability: '75' }, { probability: 75 }],
    [{ deal_name: '  Renamed  ' }, { name: 'Renamed' }],
    [{ account_id: '5725767000000123' }, { accountId: '5725767000000123' }],
    [
      { size: 10, name: 'Both' },
      { size: 10, name: 'Both' },
    ],
  ])('deals set %j → %j', (set, cast) => {
    expect(planUpdate({ domain: 'deals', key: 'id', value: '1', set }, rules).set).toEqual(cast);
  });

  it('matches on a field cast like the values (a stage spelled the CRM way)', () => {
    expect(planUpdate({ domain: 'deals', key: 'stage', value: 'closedlost', set: { size: '1' } }, rules)).toMatchObject(
      {
        key: 'stage',
        keyValue: 'Closed-Lost',
      },
    );
    expect(
      planUpdate({ domain: 'contacts', key: 'email', value: 'Ada@Example.com', set: { job_title: 'CTO' } }, rules),
    ).toMatchObject({ key: 'email', keyValue: 'ada@example.com', set: { jobTitle: 'CTO' } });
  });

  it.each([
    [{ deal_size: 'lots' }, 'size: "lots" is not a number'],
    [{ probability: '140' }, 'probability: "140" is not a percentage from 0 to 100'],
    [{ stage: 'Maybe' }, 'stage: "Maybe" is not one of Prospecting, Negotiation, Closed-Won, Closed-Lost'],
    [{ colour: 'red' }, 'unknown field "colour" for deals; fields that can be set: name (deal_name), size (deal_size)'],
    [{ created_at: '2026-01-01T00:00:00Z' }, 'created_at cannot be written back'],
    [{ size: null }, 'size is required by the extract'],
    [{}, 'nothing to set'],
  ])('refuses %j: %s', (set, message) => {
    expect(() => planUpdate({ domain: 'deals', key: 'id', value: '1', set }, rules)).toThrow(message);
  });

  it('refuses an unknown key, listing the fields', () => {
    expect(() => planUpdate({ domain: 'accounts', key: 'colour', value: 'x', set: { name: 'y' } }, rules)).toThrow(
      'unknown key field "colour" for accounts; use id or account_id or one of: name (account_name), industry, value (account_value), region',
    );
  });

  it('refuses a region: it is derived from the country', () => {
    expect(() => planUpdate({ domain: 'accounts', key: 'id', value: '1', set: { region: 'Europe' } }, rules)).toThrow(
      'region cannot be written back',
    );
  });
});

describe('parseAssignments', () => {
  it('splits at the first =, an empty value clearing the field', () => {
    expect(parseAssignments(['deal_size=24456', 'name=a=b', 'probability='])).toEqual({
      deal_size: '24456',
      name: 'a=b',
      probability: null,
    });
  });
  it.each(['novalue', '=5'])('refuses %j', (pair) => expect(() => parseAssignments([pair])).toThrow('FIELD=VALUE'));
});

describe('fieldName', () => {
  it.each([
    ['deals', 'deal_size', 'size'],
    ['deals', 'size', 'size'],
    ['contacts', 'last_contact_date', 'lastContactAt'],
    ['accounts', 'deal_size', null],
  ] as const)('%s %s → %s', (domain, given, name) => expect(fieldName(domain, given)).toBe(name));
});
