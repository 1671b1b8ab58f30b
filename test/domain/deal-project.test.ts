import { describe, expect, it } from 'vitest';
import { DEFAULT_TO_DEAL, DEFAULT_TO_PROJECT } from '../../config/jobs.js';
import {
  changeOrderMarker,
  changeOrderNote,
  dealChanges,
  fieldValue,
  planProject,
  projectUpdate,
  type SiOutputs,
} from '../../domain/deal-project.js';
import { projectGuid } from '../../domain/project-guid.js';

const deal = {
  Deal_Name: 'Smith residence',
  Account_Name: { name: 'Smith Ltd', id: '57' },
  Amount: 12500,
  Closing_Date: '2026-12-24',
  Owner: { name: 'Ann Lee', id: '9', email: 'ann@example.com' },
  Stage: 'Qualification',
  SI_Project_ID: null,
};

describe('deal → project mapping', () => {
  it.each([
    ['Deal_Name', 'Smith residence'],
    ['Account_Name.name', 'Smith Ltd'],
    ['Owner.email', 'ann@example.com'],
    ['Missing', null],
    ['Deal_Name.name', null],
  ])('reads %s', (path, value) => {
    expect(fieldValue(deal, path)).toEqual(value);
  });

  it('publishes the mapped fields, numbers as numbers', () => {
    expect(planProject(deal, { toProject: DEFAULT_TO_PROJECT })).toEqual({
      fields: {
        name: 'Smith residence',
        client: 'Smith Ltd',
        budget: 12500,
        closeDate: '2026-12-24',
        salesRep: 'Ann Lee',
      },
      missing: [],
    });
  });

  it.each([
    ['no account', { ...deal, Account_Name: null }, ['Account_Name.name']],
    [
      'a blank name and no account',
      { ...deal, Deal_Name: '  ', Account_Name: null },
      ['Deal_Name', 'Account_Name.name'],
    ],
    ['an amount that is no number', { ...deal, Amount: 'lots' }, ['Amount (not a number: lots)']],
  ])('names the deal fields to fill when %s', (_name, fields, missing) => {
    expect(planProject(fields, { toProject: DEFAULT_TO_PROJECT }).missing).toEqual(missing);
  });

  it('a blank optional field is left out, not sent empty', () => {
    expect(planProject({ ...deal, Closing_Date: null }, { toProject: DEFAULT_TO_PROJECT }).fields).not.toHaveProperty(
      'closeDate',
    );
  });

  it('updates an imported project through field ids, and lists what cannot be updated that way', () => {
    expect(
      projectUpdate({ name: 'N', budget: 5, closeDate: '2026-01-02', customField3: 'x', customField70: 'y', price: 9 }),
    ).toEqual({
      updateFields: [
        { projectFieldId: 1, value: 'N' },
        { projectFieldId: 7, value: 5 },
        { projectFieldId: 6, value: '2026-01-02' },
        { projectFieldId: 103, value: 'x' },
        { projectFieldId: 160, value: 'y' },
      ],
      skipped: ['price'],
    });
  });
});

describe('project → deal changes', () => {
  const si: SiOutputs = {
    id: 'g1',
    number: 'P-000101',
    name: 'Smith residence',
    progress: 'In Progress',
    price: 18000,
    budget: 12500,
    startDate: null,
    endDate: null,
    closeDate: null,
    state: 'imported',
    syncedAt: '2026-12-02T10:00:00Z',
  };
  const linked = {
    ...deal,
    SI_Project_ID: 'g1',
    SI_Project_Number: 'P-000101',
    SI_Status: 'imported',
    SI_Progress: 'In Progress',
    SI_Last_Sync: '2026-12-01T09:00:00+05:30',
  };

  it('writes only what differs, with the sync time alongside', () => {
    expect(dealChanges({ ...si, progress: 'Complete' }, linked, { toDeal: DEFAULT_TO_DEAL })).toEqual({
      SI_Progress: 'Complete',
      SI_Last_Sync: '2026-12-02T10:00:00Z',
    });
  });

  it('writes nothing (not even the sync time) when nothing changed', () => {
    expect(dealChanges(si, linked, { toDeal: DEFAULT_TO_DEAL })).toEqual({});
  });

  it('compares numbers as numbers and blanks as equal', () => {
    expect(
      dealChanges({ ...si, price: 18000 }, { ...linked, Amount: '18000' }, { toDeal: { Amount: 'price' } }),
    ).toEqual({});
    expect(
      dealChanges(
        { ...si, closeDate: null },
        { ...linked, Closing_Date: '' },
        { toDeal: { Closing_Date: 'closeDate' } },
      ),
    ).toEqual({});
    expect(dealChanges({ ...si, price: 19500 }, { ...linked, Amount: 18000 }, { toDeal: { Amount: 'price' } })).toEqual(
      { Amount: 19500 },
    );
  });

  it('a first write-back sets id, number and state', () => {
    expect(dealChanges(si, deal, { toDeal: DEFAULT_TO_DEAL })).toEqual({
      SI_Project_ID: 'g1',
      SI_Project_Number: 'P-000101',
      SI_Status: 'imported',
      SI_Progress: 'In Progress',
      SI_Last_Sync: '2026-12-02T10:00:00Z',
    });
  });
});

describe('change-order notes and project GUIDs', () => {
  it('a note title carries a marker that names the project and change order, within 120 characters', () => {
    const note = changeOrderNote(
      { id: 'ABCDEF12-3456-5789-8abc-def012345678', number: 'P-000101' },
      { number: '3', name: 'x'.repeat(200), status: 'Approved', price: 1200, notes: 'Two rooms' },
    );
    expect(note.marker).toBe('[SI abcdef12 CO 3]');
    expect(note.title.endsWith(' [SI abcdef12 CO 3]')).toBe(true);
    expect(note.title.length).toBeLessThanOrEqual(120);
    expect(note.content).toBe(
      `Project P-000101, change order 3 "${'x'.repeat(200)}"\nStatus: Approved\nPrice: 1200\n\nTwo rooms`,
    );
    expect(changeOrderMarker('abcdef12-0000', '3')).toBe(note.marker);
  });

  it('derives one stable version-5 GUID per job and deal', () => {
    const a = projectGuid('zoho-to-si', '5725767000000000101');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(projectGuid('zoho-to-si', '5725767000000000101')).toBe(a);
    expect(projectGuid('zoho-to-si', '5725767000000000102')).not.toBe(a);
    expect(projectGuid('other-job', '5725767000000000101')).not.toBe(a);
  });
});
