import { describe, expect, it } from 'vitest';
import { requireCapable, UnknownConnectionError, WrongProviderError } from '../../domain/errors.js';
import { hasCapability, PROVIDERS, providersWith } from '../../domain/providers.js';

describe('provider capabilities', () => {
  it.each([
    ['hubspot', 'dealFiles', true],
    ['hubspot', 'leads', false],
    ['zoho-crm', 'leads', true],
    ['zoho-crm', 'dealFiles', true],
    ['dtools-si', 'dealFiles', false],
    ['zoho-workdrive', 'check', true],
    ['zoho-workdrive', 'folders', true],
    ['zoho-crm', 'folders', false],
    ['salesforce', 'check', false],
  ] as const)('%s has %s: %s', (provider, capability, expected) => {
    expect(hasCapability(provider, capability)).toBe(expected);
  });

  it('lists the providers of a capability in the order of PROVIDERS', () => {
    expect(providersWith('dealFiles')).toEqual(['hubspot', 'zoho-crm']);
    expect(providersWith('leads')).toEqual(['zoho-crm']);
    expect(providersWith('folders')).toEqual(['zoho-workdrive']);
    expect(PROVIDERS).toContain('dtools-si');
  });

  it('a missing connection is an UnknownConnectionError naming it', () => {
    const err = (() => {
      try {
        requireCapable('nope', null, 'leads');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnknownConnectionError);
    expect(err).toMatchObject({
      code: 'UNKNOWN_CONNECTION',
      connectionId: 'nope',
      message: 'connection "nope" does not exist',
    });
  });

  it('a connection of the wrong provider is a WrongProviderError that says which providers would do', () => {
    const err = (() => {
      try {
        requireCapable('hs', { id: 'hs', provider: 'hubspot' }, 'leads');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WrongProviderError);
    expect(err).toMatchObject({
      code: 'WRONG_PROVIDER',
      provider: 'hubspot',
      capability: 'leads',
      message: 'connection "hs" is hubspot; the lead sync works with zoho-crm only',
    });
  });

  it('a capable connection passes through unchanged', () => {
    const row = { id: 'z', provider: 'zoho-crm', extra: 1 };
    expect(requireCapable('z', row, 'leads')).toBe(row);
    expect(requireCapable('z', row)).toBe(row);
  });
});
