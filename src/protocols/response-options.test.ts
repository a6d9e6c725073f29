import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import { defaultResponseOptions, validateResponseOptions } from '../domain/response/index.js';
import {
  IRECIST_PROTOCOL_PATH,
  loadResponseCriteria,
  parseResponseCriteria,
  RECIST11_PROTOCOL_PATH,
  RESPONSE_CRITERIA_SCHEMA_PATH,
} from './response-options.js';

const schema = JSON.parse(readFileSync(RESPONSE_CRITERIA_SCHEMA_PATH, 'utf8')) as object;
const schemaValidate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe('protocols/*.yaml hold exactly the primer defaults', () => {
  it.each([
    [RECIST11_PROTOCOL_PATH, ['RECIST1.1']],
    [IRECIST_PROTOCOL_PATH, ['RECIST1.1', 'iRECIST']],
  ])('%s', async (path, criteria) => {
    const raw = parseYaml(readFileSync(path, 'utf8')) as { response: { criteria: string[]; options: unknown } };
    expect(Object.keys(raw)).toEqual(['response']); // no other top-level keys: the lead embeds the section
    // Every option is spelled out in the file (not left to defaults) and equals defaultResponseOptions.
    expect(raw.response.options).toEqual(defaultResponseOptions);
    const loaded = await loadResponseCriteria(path);
    expect(loaded).toEqual({ criteria, options: defaultResponseOptions });
  });
});

describe('protocols/schema/response-criteria.schema.json', () => {
  it('accepts the defaults, and a partial section', () => {
    expect(schemaValidate({ criteria: ['RECIST1.1'], options: defaultResponseOptions })).toBe(true);
    expect(schemaValidate({ criteria: ['RECIST1.1', 'iRECIST'] })).toBe(true);
    expect(schemaValidate({ criteria: ['RECIST1.1'], options: { irecist: { icpdSizeReference: 'previous_iupd' } } })).toBe(true);
  });

  // The schema (protocol files) and the domain validator (engine input) must agree on what an option may be.
  it.each<[string, unknown]>([
    ['unknown option', { sdMinDays: 42 }],
    ['unknown nested option', { confirmation: { minDay: 28 } }],
    ['bad enum', { prPersistence: 'loose' }],
    ['bad nested enum', { irecist: { resetWithPersistingNewLesions: 'sometimes' } }],
    ['negative days', { sdMinDurationDays: -1 }],
    ['fractional days', { irecist: { icpdMinDaysAfterIupd: 27.5 } }],
    ['string boolean', { pdOnReappearanceAfterCR: 'yes' }],
    ['markers not a list', { tumourMarkersForCR: 'CA-125' }],
    ['empty marker name', { tumourMarkersForCR: [''] }],
    ['duplicate marker', { tumourMarkersForCR: ['PSA', 'PSA'] }],
    ['subject field in a protocol', { sdReferenceDate: '2024-01-01' }],
  ])('rejects %s, as the domain validator does', (_name, options) => {
    expect(schemaValidate({ criteria: ['RECIST1.1'], options })).toBe(false);
    expect(() => validateResponseOptions(options, 'response.options')).toThrow(DomainError);
  });

  it.each<[string, unknown]>([
    ['iRECIST without RECIST 1.1', ['iRECIST']],
    ['unknown criterion', ['RECIST1.1', 'mRECIST']],
    ['duplicate', ['RECIST1.1', 'RECIST1.1']],
    ['empty', []],
  ])('rejects criteria: %s', (_name, criteria) => {
    expect(schemaValidate({ criteria })).toBe(false);
  });
});

describe('parseResponseCriteria', () => {
  it('resolves a trial protocol that states only what differs', () => {
    const r = parseResponseCriteria('response:\n  criteria: [RECIST1.1, iRECIST]\n  options:\n    confirmation: { required: false }\n    sdMinDurationDays: 56\n');
    expect(r.criteria).toEqual(['RECIST1.1', 'iRECIST']);
    expect(r.options).toEqual({ ...defaultResponseOptions, confirmation: { ...defaultResponseOptions.confirmation, required: false }, sdMinDurationDays: 56 });
  });
  it('ignores the other sections of a full protocol file', () => {
    const r = parseResponseCriteria('trial: ABC-123\nresponse:\n  criteria: [RECIST1.1]\n');
    expect(r.options).toEqual(defaultResponseOptions);
  });
  it('names the invalid field', () => {
    expect(() => parseResponseCriteria('response:\n  criteria: [RECIST1.1]\n  options:\n    prPersistence: loose\n', 'trial.yaml')).toThrow(
      /trial\.yaml: response\.options\.prPersistence: must be equal to one of the allowed values \(strict, sticky\)/,
    );
    expect(() => parseResponseCriteria('criteria: [RECIST1.1]\n', 'x.yaml')).toThrow("x.yaml: no top-level 'response' section");
    expect(() => parseResponseCriteria('response: [unclosed\n', 'y.yaml')).toThrow(/y\.yaml: not valid YAML/);
  });
});
