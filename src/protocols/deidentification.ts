// The `deidentification:` section of a protocol file, validated against protocols/schema/deidentification.schema.json
// (JSON Schema 2020-12, ajv) and turned into the options the de-identifier takes. Missing keys take the defaults.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DomainError } from '../domain/errors.js';
import { DEFAULT_DEIDENTIFICATION_OPTIONS, type DeidentificationOptions, type SafePrivateTag } from '../dicom/profile.js';

const schemaUrl = new URL('../../protocols/schema/deidentification.schema.json', import.meta.url);
const schema = JSON.parse(readFileSync(schemaUrl, 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

interface DeidentificationSection {
  retainLongitudinalTemporalInformationModifiedDates?: boolean;
  retainPatientCharacteristics?: boolean;
  retainDeviceIdentity?: boolean;
  cleanDescriptors?: boolean;
  dateShiftDays?: { min: number; max: number };
  safePrivateTags?: SafePrivateTag[];
  descriptorAllowlist?: string[];
}

/** Validates a protocol's `deidentification` section (a parsed YAML/JSON value) into de-identification options. */
export function toDeidentificationOptions(section: unknown): DeidentificationOptions {
  const value = section ?? {};
  if (!validate(value)) {
    const errors = (validate.errors ?? []).map((e) => ({ path: `deidentification${e.instancePath.replace(/\//g, '.')}`, message: e.message ?? 'invalid' }));
    throw new DomainError('VALIDATION_FAILED', 'the protocol\'s deidentification section is invalid', { errors });
  }
  const s = value as DeidentificationSection;
  if (s.dateShiftDays && s.dateShiftDays.min > s.dateShiftDays.max) {
    throw new DomainError('VALIDATION_FAILED', 'deidentification.dateShiftDays.min is greater than max', {
      errors: [{ path: 'deidentification.dateShiftDays', message: 'min must not exceed max' }],
    });
  }
  const d = DEFAULT_DEIDENTIFICATION_OPTIONS;
  return {
    retainLongitudinalTemporalInformationModifiedDates: s.retainLongitudinalTemporalInformationModifiedDates ?? d.retainLongitudinalTemporalInformationModifiedDates,
    retainPatientCharacteristics: s.retainPatientCharacteristics ?? d.retainPatientCharacteristics,
    retainDeviceIdentity: s.retainDeviceIdentity ?? d.retainDeviceIdentity,
    cleanDescriptors: s.cleanDescriptors ?? d.cleanDescriptors,
    dateShiftDays: s.dateShiftDays ?? d.dateShiftDays,
    safePrivateTags: s.safePrivateTags ?? d.safePrivateTags,
    descriptorAllowlist: s.descriptorAllowlist ?? d.descriptorAllowlist,
  };
}
