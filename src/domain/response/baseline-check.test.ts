import { describe, expect, it } from 'vitest';
import { checkBaseline } from './baseline-check.js';
import type { BaselineInput, BaselineTargetInput } from './response-input.js';
import { withDefaultResponseOptions, type PartialResponseOptions } from './response-options.js';
import type { BaselineViolationCode } from './response-values.js';

const target = (over: Partial<BaselineTargetInput> = {}): BaselineTargetInput => ({ id: 'T1', organ: 'liver', nodal: false, diameterMm: 20, ...over });
const baseline = (targets: BaselineTargetInput[], over: Partial<BaselineInput> = {}): BaselineInput => ({
  date: '2024-01-08',
  modality: 'CT',
  sliceThicknessMm: 5,
  targets,
  nonTargets: [{ id: 'NT1', organ: 'bone', nodal: false }],
  ...over,
});
const codes = (b: BaselineInput, opts: PartialResponseOptions = {}, start: string | null = null) =>
  checkBaseline(b, withDefaultResponseOptions(opts), start).violations.map((v) => v.code);

describe('primer 2.1: measurability of targets', () => {
  it.each<[string, Partial<BaselineTargetInput>, Partial<BaselineInput>, BaselineViolationCode[]]>([
    ['CT 5 mm slices: 10 mm is measurable', { diameterMm: 10 }, {}, []],
    ['CT 5 mm slices: 9.9 mm is not', { diameterMm: 9.9 }, {}, ['TARGET_BELOW_MIN_SIZE']],
    ['CT 8 mm slices: 16 mm is measurable', { diameterMm: 16 }, { sliceThicknessMm: 8 }, []],
    ['CT 8 mm slices: 15.9 mm is not', { diameterMm: 15.9 }, { sliceThicknessMm: 8 }, ['TARGET_BELOW_MIN_SIZE']],
    ['per-lesion slice thickness overrides the baseline one', { diameterMm: 12, sliceThicknessMm: 7 }, {}, ['TARGET_BELOW_MIN_SIZE']],
    ['MRI 6 mm slices: 12 mm is measurable', { diameterMm: 12, method: 'MRI' }, { sliceThicknessMm: 6 }, []],
    ['no slice thickness recorded: the 10 mm limit', { diameterMm: 10 }, { sliceThicknessMm: undefined }, []],
    ['chest X-ray: 20 mm is measurable', { diameterMm: 20, method: 'CXR' }, {}, []],
    ['chest X-ray: 19.9 mm is not', { diameterMm: 19.9, method: 'CXR' }, {}, ['TARGET_BELOW_MIN_SIZE']],
    ['calipers: 10 mm is measurable', { diameterMm: 10, method: 'CALIPER' }, {}, []],
    ['node: short axis 15 mm is a target', { nodal: true, organ: 'lymph_node', diameterMm: 15 }, {}, []],
    ['node: short axis 14.9 mm is not', { nodal: true, organ: 'lymph_node', diameterMm: 14.9 }, {}, ['NODAL_TARGET_SHORT_AXIS_BELOW_15']],
    ['node: the 15 mm rule holds whatever the slice thickness', { nodal: true, organ: 'lymph_node', diameterMm: 15 }, { sliceThicknessMm: 10 }, []],
  ])('%s', (_name, t, b, expected) => {
    expect(codes(baseline([target(t)], b))).toEqual(expected);
  });

  it('violations name the lesion and the numbers', () => {
    const v = checkBaseline(baseline([target({ id: 'T3', diameterMm: 15.9 })], { sliceThicknessMm: 8 }), withDefaultResponseOptions(), null).violations[0];
    expect(v).toEqual({ code: 'TARGET_BELOW_MIN_SIZE', lesionId: 'T3', detail: 'T3: longest diameter 15.9 mm < 16 mm (2 x 8 mm slice thickness on CT)' });
  });
});

describe('primer 2.2: at most 5 targets and 2 per organ, all nodes one organ', () => {
  it('5 targets over 3 organs is valid; 6 is too many', () => {
    const five = ['liver', 'liver', 'lung', 'lung', 'kidney'].map((organ, i) => target({ id: `T${i + 1}`, organ }));
    expect(codes(baseline(five))).toEqual([]);
    expect(codes(baseline([...five, target({ id: 'T6', organ: 'spleen' })]))).toEqual(['TOO_MANY_TARGETS_TOTAL']);
  });
  it('3 in one organ is too many per organ, named by organ (case and spaces ignored)', () => {
    const b = baseline([target({ id: 'T1', organ: 'liver' }), target({ id: 'T2', organ: 'Liver ' }), target({ id: 'T3', organ: 'LIVER' })]);
    const v = checkBaseline(b, withDefaultResponseOptions(), null).violations;
    expect(v).toEqual([{ code: 'TOO_MANY_TARGETS_PER_ORGAN', organ: 'liver', detail: '3 targets in liver (T1, T2, T3) > 2 per organ' }]);
  });
  it('three nodes at different stations count as one organ', () => {
    const nodes = ['neck', 'axilla', 'mediastinum'].map((station, i) => target({ id: `N${i + 1}`, organ: station, nodal: true, diameterMm: 20, station }));
    const v = checkBaseline(baseline(nodes), withDefaultResponseOptions(), null).violations;
    expect(v.map((x) => [x.code, x.organ])).toEqual([['TOO_MANY_TARGETS_PER_ORGAN', 'lymph_node']]);
  });
  it('paired organs are one organ: "lung" twice plus a third lung lesion is too many', () => {
    expect(codes(baseline([target({ id: 'A', organ: 'lung' }), target({ id: 'B', organ: 'lung' }), target({ id: 'C', organ: 'lung' })]))).toEqual(['TOO_MANY_TARGETS_PER_ORGAN']);
  });
});

describe('protocol baseline rules', () => {
  it.each<[PartialResponseOptions['irradiatedLesionsMeasurable'], boolean | undefined, BaselineViolationCode[]]>([
    ['after_documented_progression', undefined, ['IRRADIATED_TARGET_NOT_MEASURABLE']],
    ['after_documented_progression', true, []],
    ['never', true, ['IRRADIATED_TARGET_NOT_MEASURABLE']],
    ['always', undefined, []],
  ])('irradiatedLesionsMeasurable %s, progressed %s -> %j', (policy, progressed, expected) => {
    const t = target({ previouslyIrradiated: true, ...(progressed !== undefined && { progressedSinceIrradiation: progressed }) });
    expect(codes(baseline([t]), { irradiatedLesionsMeasurable: policy })).toEqual(expected);
  });
  it('non-measurable disease only: valid unless the protocol excludes it', () => {
    expect(codes(baseline([]))).toEqual([]);
    expect(codes(baseline([]), { nonMeasurableOnlyEligible: false })).toEqual(['NO_MEASURABLE_DISEASE']);
    expect(checkBaseline(baseline([]), withDefaultResponseOptions(), null).measurableDisease).toBe(false);
  });
  it('no disease at all is reported', () => {
    expect(codes(baseline([], { nonTargets: [] }))).toEqual(['NO_BASELINE_DISEASE']);
  });
  it.each([
    ['2024-02-05', []], // 28 days after the scan: inside the window (inclusive)
    ['2024-02-06', ['BASELINE_OUTSIDE_WINDOW']], // 29 days
    ['2024-01-07', ['BASELINE_OUTSIDE_WINDOW']], // treatment before the baseline scan
    ['2024-01-08', []],
  ])('treatment start %s with baselineWindowDays 28 -> %j', (start, expected) => {
    expect(codes(baseline([target()]), {}, start)).toEqual(expected);
  });
});

describe('baseline sum', () => {
  it('sums longest diameters and node short axes exactly', () => {
    const b = baseline([target({ id: 'A', diameterMm: 32.1 }), target({ id: 'B', organ: 'lymph_node', nodal: true, diameterMm: 17.9 })]);
    const r = checkBaseline(b, withDefaultResponseOptions(), null);
    expect(r.sumMm).toBe(50);
    expect(r.valid).toBe(true);
    expect(r.explanation).toBe('Baseline sum 50 mm over 2 target(s) (1 node(s) by short axis), 1 non-target(s); no violations.');
  });
});
