import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { isIsoDate, daysBetween } from './calendar-date.js';
import { defaultResponseOptions } from './response-options.js';
import { validateResponseOptions, validateSubjectResponseInput } from './validate-response-input.js';

/** A valid subject to break one field at a time. */
function valid(): Record<string, any> {
  return {
    criteria: ['RECIST1.1', 'iRECIST'],
    protocol: { confirmation: { required: true }, sdReferenceDate: '2024-01-08' },
    baseline: {
      date: '2024-01-08',
      modality: 'CT',
      sliceThicknessMm: 5,
      targets: [
        { id: 'T1', organ: 'liver', nodal: false, diameterMm: 32, method: 'CT' },
        { id: 'T2', organ: 'lymph_node', nodal: true, diameterMm: 18 },
      ],
      nonTargets: [{ id: 'NT1', organ: 'bone', nodal: false }],
    },
    followups: [
      {
        label: 'TP1',
        date: '2024-02-19',
        assessed: true,
        targets: [
          { id: 'T1', status: 'measured', diameterMm: 20 },
          { id: 'T2', status: 'too_small' },
        ],
        nonTargets: [{ id: 'NT1', status: 'present', increasedSincePrevious: false }],
        newLesions: [{ id: 'N1', organ: 'lung', nodal: false, irecistType: 'NLT', status: 'present', diameterMm: 12 }],
      },
      {
        label: 'TP2',
        date: '2024-04-01',
        targets: [
          { id: 'T1', status: 'split', fragmentsMm: [10, 8] },
          { id: 'T2', status: 'coalesced', coalescedInto: 'T1' },
        ],
        nonTargets: [{ id: 'NT1', status: 'absent' }],
        newLesions: [{ id: 'N1', irecistType: 'NLT', status: 'absent' }],
      },
    ],
  };
}

function detailOf(mutate: (s: Record<string, any>) => void): { detail: string; errors: { path: string; message: string }[] } {
  const s = valid();
  mutate(s);
  try {
    validateSubjectResponseInput(s);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    const d = e as DomainError;
    expect(d.code).toBe('INVALID_RESPONSE_INPUT');
    return { detail: d.detail, errors: d.extras.errors as { path: string; message: string }[] };
  }
  throw new Error('expected INVALID_RESPONSE_INPUT');
}

describe('input validation: a valid subject passes and resolves defaults', () => {
  it('resolves the partial protocol over the defaults', () => {
    const v = validateSubjectResponseInput(valid());
    expect(v.options.confirmation).toEqual({ ...defaultResponseOptions.confirmation, required: true });
    expect(v.options.irecist).toEqual(defaultResponseOptions.irecist);
    expect(v.sdReferenceDate).toBe('2024-01-08');
    expect(v.followups[1].assessed).toBe(true); // assessed defaults to true
    expect(v.followups[0].newLesions[0].firstAppearance).toBe(true);
    expect(v.followups[1].newLesions[0]).toMatchObject({ firstAppearance: false, organ: 'lung', nodal: false });
  });
  it('no protocol and no criteria: all defaults, RECIST 1.1 only', () => {
    const s = valid();
    delete s.protocol;
    delete s.criteria;
    const v = validateSubjectResponseInput(s);
    expect(v.options).toEqual(defaultResponseOptions);
    expect(v.criteria).toEqual(['RECIST1.1']);
  });
});

describe('input validation: every inconsistency is named with its field', () => {
  it.each<[string, (s: Record<string, any>) => void, string]>([
    ['unknown target id', (s) => (s.followups[1].targets[0].id = 'T9'), "followups[1].targets[0].id: unknown target lesion 'T9'"],
    ['unknown non-target id', (s) => (s.followups[0].nonTargets[0].id = 'NT7'), "followups[0].nonTargets[0].id: unknown non-target lesion 'NT7'"],
    ['unknown target status', (s) => (s.followups[0].targets[1].status = 'gone'), "followups[0].targets[1].status: unknown value 'gone'"],
    ['unknown non-target status', (s) => (s.followups[0].nonTargets[0].status = 'increased'), "followups[0].nonTargets[0].status: unknown value 'increased'"],
    ['unknown new-lesion status', (s) => (s.followups[0].newLesions[0].status = 'gone'), "followups[0].newLesions[0].status: unknown value 'gone'"],
    ['unknown irecistType', (s) => (s.followups[0].newLesions[0].irecistType = 'NL'), "followups[0].newLesions[0].irecistType: unknown value 'NL'"],
    ['measured without a diameter', (s) => delete s.followups[0].targets[0].diameterMm, "followups[0].targets[0].diameterMm: required with status 'measured'"],
    ['negative diameter', (s) => (s.followups[0].targets[0].diameterMm = -1), 'followups[0].targets[0].diameterMm: must be a number of millimetres >= 0, got -1'],
    ['string diameter', (s) => (s.followups[0].targets[0].diameterMm = '20'), 'followups[0].targets[0].diameterMm: must be a number of millimetres >= 0, got "20"'],
    ['diameter on too_small', (s) => (s.followups[0].targets[1].diameterMm = 3), "followups[0].targets[1].diameterMm: not allowed with status 'too_small'"],
    ['split without fragments', (s) => delete s.followups[1].targets[0].fragmentsMm, "followups[1].targets[0].fragmentsMm: required with status 'split'"],
    ['split with one fragment', (s) => (s.followups[1].targets[0].fragmentsMm = [10]), 'followups[1].targets[0].fragmentsMm: a split lesion has at least 2 fragments'],
    ['coalescedInto itself', (s) => (s.followups[1].targets[1].coalescedInto = 'T2'), "followups[1].targets[1].coalescedInto: target lesion 'T2' cannot coalesce into itself"],
    ['coalescedInto unknown', (s) => (s.followups[1].targets[1].coalescedInto = 'T8'), "followups[1].targets[1].coalescedInto: unknown target lesion 'T8'"],
    ['coalescedInto a lesion without measurement', (s) => (s.followups[1].targets[0] = { id: 'T1', status: 'disappeared' }), "followups[1].targets[1].coalescedInto: target lesion 'T1' must carry the merged measurement"],
    ['duplicate target reading', (s) => (s.followups[0].targets[1] = { id: 'T1', status: 'disappeared' }), "followups[0].targets[1].id: target lesion 'T1' is listed twice"],
    ['missing target reading', (s) => s.followups[0].targets.pop(), "followups[0].targets: missing baseline target lesion 'T2' (use status 'not_evaluated')"],
    ['missing non-target reading', (s) => (s.followups[0].nonTargets = []), "followups[0].nonTargets: missing baseline non-target lesion 'NT1'"],
    ['duplicate baseline id', (s) => (s.baseline.nonTargets[0].id = 'T1'), "baseline.nonTargets[0].id: duplicate lesion id 'T1' at baseline"],
    ['new lesion reusing a baseline id', (s) => (s.followups[0].newLesions[0].id = 'NT1'), "followups[0].newLesions[0].id: 'NT1' is a baseline lesion id, not a new lesion"],
    ['follow-up dates out of order', (s) => (s.followups[1].date = '2024-02-01'), 'followups[1].date: 2024-02-01 is not after followups[0].date 2024-02-19: follow-ups must be in date order'],
    ['same-day follow-ups', (s) => (s.followups[1].date = '2024-02-19'), 'followups[1].date: 2024-02-19 is not after followups[0].date 2024-02-19'],
    ['follow-up before baseline', (s) => (s.followups[0].date = '2024-01-01'), 'followups[0].date: 2024-01-01 is not after the baseline date 2024-01-08'],
    ['date not ISO', (s) => (s.followups[0].date = '19/02/2024'), 'followups[0].date: not an ISO calendar date (YYYY-MM-DD): "19/02/2024"'],
    ['impossible date', (s) => (s.baseline.date = '2023-02-29'), 'baseline.date: not an ISO calendar date (YYYY-MM-DD): "2023-02-29"'],
    ['timestamp instead of date', (s) => (s.baseline.date = '2024-01-08T00:00:00Z'), 'baseline.date: not an ISO calendar date'],
    ['NLT without diameter', (s) => delete s.followups[0].newLesions[0].diameterMm, 'followups[0].newLesions[0].diameterMm: required for a present NLT'],
    ['NLNT with diameter', (s) => (s.followups[0].newLesions[0].irecistType = 'NLNT'), 'followups[0].newLesions[0].diameterMm: an NLNT is not measured'],
    ['new lesion first seen absent', (s) => (s.followups[0].newLesions[0] = { id: 'N1', organ: 'lung', nodal: false, irecistType: 'NLT', status: 'absent' }), "followups[0].newLesions[0].status: new lesion 'N1' must be 'present' when it first appears"],
    ['new lesion first seen without organ', (s) => delete s.followups[0].newLesions[0].organ, "followups[0].newLesions[0].organ: required when new lesion 'N1' first appears"],
    ['new lesion not listed later', (s) => (s.followups[1].newLesions = []), "followups[1].newLesions: missing new lesion 'N1' first recorded at followups[0].newLesions[0]"],
    ['new lesion changes designation', (s) => (s.followups[1].newLesions[0].irecistType = 'NLNT'), "followups[1].newLesions[0].irecistType: new lesion 'N1' was designated NLT at followups[0].newLesions[0]"],
    ['new lesion changes organ', (s) => (s.followups[1].newLesions[0].organ = 'liver'), "followups[1].newLesions[0].organ: new lesion 'N1' was 'lung'"],
    ['readings at an unassessed timepoint', (s) => (s.followups[0].assessed = false), 'followups[0].targets: must be empty when assessed is false'],
    ['duplicate label', (s) => (s.followups[1].label = 'TP1'), "followups[1].label: duplicate timepoint label 'TP1'"],
    ['unknown field (typo)', (s) => (s.followups[0].targets[0].diameterMM = 20), 'followups[0].targets[0].diameterMM: unknown field'],
    ['unknown protocol option', (s) => (s.protocol.confirmation.minDay = 28), 'protocol.confirmation.minDay: unknown field'],
    ['bad protocol enum', (s) => (s.protocol.prPersistence = 'loose'), "protocol.prPersistence: unknown value 'loose'; expected one of strict, sticky"],
    ['bad protocol number', (s) => (s.protocol.sdMinDurationDays = 4.5), 'protocol.sdMinDurationDays: must be an integer >= 0'],
    ['unknown criterion', (s) => (s.criteria = ['RECIST1.1', 'mRECIST']), "criteria[1]: unknown value 'mRECIST'"],
    ['iRECIST alone', (s) => (s.criteria = ['iRECIST']), "criteria: must include 'RECIST1.1'"],
    ['unknown method', (s) => (s.baseline.targets[0].method = 'PET'), "baseline.targets[0].method: unknown value 'PET'"],
    ['zero baseline diameter', (s) => (s.baseline.targets[0].diameterMm = 0), 'baseline.targets[0].diameterMm: must be a number of millimetres > 0, got 0'],
    ['nodal not boolean', (s) => (s.baseline.targets[1].nodal = 'yes'), 'baseline.targets[1].nodal: must be true or false'],
    ['followups not an array', (s) => (s.followups = {}), 'followups: must be an array'],
    ['baseline missing', (s) => delete s.baseline, 'baseline: must be an object (missing)'],
  ])('%s', (_name, mutate, expected) => {
    expect(detailOf(mutate).detail).toContain(expected);
  });

  it('lists every problem found, not only the first', () => {
    const { detail, errors } = detailOf((s) => {
      s.followups[0].targets[0].id = 'T9';
      s.followups[1].date = 'soon';
    });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['followups[0].targets[0].id', 'followups[1].date']));
    expect(detail).toMatch(/\(and \d+ more\)$/);
  });

  it('non-objects are rejected at the root', () => {
    for (const bad of [null, 42, 'x', []]) {
      expect(() => validateSubjectResponseInput(bad)).toThrow(/must be an object/);
    }
  });
});

describe('protocol options validation', () => {
  it('accepts the defaults and partial objects', () => {
    expect(validateResponseOptions(defaultResponseOptions)).toEqual(defaultResponseOptions);
    expect(validateResponseOptions({ irecist: { icpdSizeReference: 'previous_iupd' } }).irecist.icpdSizeReference).toBe('previous_iupd');
  });
  it('rejects the subject-only sdReferenceDate in a protocol file', () => {
    expect(() => validateResponseOptions({ sdReferenceDate: '2024-01-01' })).toThrow(/protocol.sdReferenceDate: unknown field/);
  });
});

describe('calendar dates (primer 11: calendar days, leap days included)', () => {
  it.each([
    ['2024-02-28', '2024-03-01', 2],
    ['2023-02-28', '2023-03-01', 1],
    ['2024-03-30', '2024-03-31', 1], // DST change in Europe does not matter
    ['2024-01-08', '2024-02-05', 28],
  ])('%s -> %s = %i days', (a, b, d) => expect(daysBetween(a, b)).toBe(d));
  it.each(['2024-13-01', '2024-04-31', '2024-1-1', '24-01-01', '2024-01-01 ', ''])('%j is not an ISO date', (s) => expect(isIsoDate(s)).toBe(false));
});
