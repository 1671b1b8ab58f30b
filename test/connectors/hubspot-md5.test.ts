import { describe, expect, it } from 'vitest';
import { md5Hex } from '../../connectors/hubspot/hubspot.mapper.js';

describe('md5Hex reads HubSpot fileMd5 in either encoding, or not at all', () => {
  const hex = '9e107d9d372bb6826bd81d3542a419d6';
  it.each([
    [hex, hex],
    [hex.toUpperCase(), hex],
    [Buffer.from(hex, 'hex').toString('base64'), hex],
    [null, null],
    ['', null],
    ['not-an-md5', null],
    [`${hex}00`, null],
    [Buffer.from('0123456789abcdef0123').toString('base64'), null],
  ])('%j → %j', (value, expected) => {
    expect(md5Hex(value)).toBe(expected);
  });
});
