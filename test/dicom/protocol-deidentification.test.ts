// The protocol's `deidentification:` section, validated with ajv against the committed JSON Schema.
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { toDeidentificationOptions } from '../../src/protocols/deidentification.js';

const yaml = `
deidentification:
  retainLongitudinalTemporalInformationModifiedDates: true
  retainPatientCharacteristics: true
  dateShiftDays: { min: -1000, max: -10 }
  safePrivateTags:
    - { group: "0029", creator: "SIEMENS CSA HEADER", element: "08" }
  descriptorAllowlist: [CHEST, "ABDOMEN PELVIS"]
`;

describe('toDeidentificationOptions', () => {
  it('reads a protocol file section and fills defaults', () => {
    const options = toDeidentificationOptions(parseYaml(yaml).deidentification);
    expect(options).toEqual({
      retainLongitudinalTemporalInformationModifiedDates: true,
      retainPatientCharacteristics: true,
      retainDeviceIdentity: false,
      cleanDescriptors: false,
      dateShiftDays: { min: -1000, max: -10 },
      safePrivateTags: [{ group: '0029', creator: 'SIEMENS CSA HEADER', element: '08' }],
      descriptorAllowlist: ['CHEST', 'ABDOMEN PELVIS'],
    });
    expect(toDeidentificationOptions(undefined).retainDeviceIdentity).toBe(false);
  });

  it.each([
    [{ retainUIDs: true }, 'deidentification', /additional properties/],
    [{ cleanDescriptors: 'yes' }, 'deidentification.cleanDescriptors', /boolean/],
    [{ safePrivateTags: [{ group: '0010', creator: 'X', element: '01' }] }, 'deidentification.safePrivateTags.0.group', /pattern/],
    [{ dateShiftDays: { min: 1 } }, 'deidentification.dateShiftDays', /required property 'max'/],
  ])('refuses %j with the invalid field listed', (section, field, message) => {
    const err = (() => {
      try {
        toDeidentificationOptions(section);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('VALIDATION_FAILED');
    const errors = (err as DomainError).extras.errors as { path: string; message: string }[];
    expect(errors.some((e) => e.path === field && message.test(e.message)), JSON.stringify(errors)).toBe(true);
  });

  it('refuses a date range whose min exceeds its max', () => {
    expect(() => toDeidentificationOptions({ dateShiftDays: { min: 5, max: -5 } })).toThrow(/min is greater than max/);
  });
});
