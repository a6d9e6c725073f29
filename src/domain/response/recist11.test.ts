import { describe, expect, it } from 'vitest';
import { evaluateSubjectResponse } from './evaluate-subject-response.js';
import type { SubjectEvaluation } from './response-output.js';
import type { NonTargetResponse, OverallResponse, TargetResponse } from './response-values.js';
import { buildSubject, nlnt, type SubjectSpec } from './subject-builder.js';
import { combineRecist11 } from './timepoint-response.js';
import { assessTargets, measureTargets, readingTenths } from './target-lesions.js';
import { meetsPartialResponse, meetsProgression, percentChange } from './tenths-of-millimetre.js';

const run = (spec: SubjectSpec): SubjectEvaluation => evaluateSubjectResponse(buildSubject(spec));
const overalls = (e: SubjectEvaluation) => e.timepoints.map((t) => t.recist11?.overall ?? null);

describe('primer 4.2: exact threshold arithmetic (tenths of a millimetre)', () => {
  it.each([
    [500, 350, true], // 50 -> 35 is exactly -30 %: PR
    [500, 351, false],
    [1000, 700, true],
    [333, 233, true], // 233 <= 233.1
    [333, 234, false],
  ])('PR baseline %i tenths, sum %i -> %s', (b, s, pr) => expect(meetsPartialResponse(s, b)).toBe(pr));

  it.each([
    [250, 300, true], // 25 -> 30: exactly +20 % and +5 mm: PD
    [200, 240, false], // 20 -> 24: +20 % but +4 mm: SD
    [250, 299, false],
    [1000, 1199, false], // +19.9 %
    [1000, 1200, true],
    [0, 50, true], // from a 0 nadir, +5 mm is PD
    [0, 49, false],
  ])('PD nadir %i tenths, sum %i -> %s', (n, s, pd) => expect(meetsProgression(s, n)).toBe(pd));

  it('percent change is display-only, rounded half away from zero to 0.1 %', () => {
    expect(percentChange(320, 200)).toBe(-37.5);
    expect(percentChange(300, 200)).toBe(-33.3);
    expect(percentChange(300, 400)).toBe(33.3);
    expect(percentChange(0, 50)).toBeNull();
    expect(percentChange(500, 500)).toBe(0);
  });
});

describe('primer section 3: what each target reading adds to the sum', () => {
  it.each([
    [{ id: 'T1', status: 'measured', diameterMm: 2 } as const, 20],
    [{ id: 'T1', status: 'measured', diameterMm: 12.34 } as const, 123],
    [{ id: 'T1', status: 'too_small' } as const, 50],
    [{ id: 'T1', status: 'disappeared' } as const, 0],
    [{ id: 'T1', status: 'not_evaluated' } as const, null],
    [{ id: 'T1', status: 'split', fragmentsMm: [12, 8, 3.5] } as const, 235],
    [{ id: 'T1', status: 'coalesced', coalescedInto: 'T2' } as const, 0],
  ])('%o -> %s tenths', (reading, tenths) => expect(readingTenths(reading)).toBe(tenths));

  it('split lesions add every fragment, not the largest only', () => {
    const e = run({ targets: [30, 20], timepoints: [{ targets: [{ split: [15, 10] }, 20] }] });
    expect(e.timepoints[0].recist11?.targetSumMm).toBe(45);
  });

  it('coalesced lesions are measured once on the host and count 0', () => {
    const e = run({ targets: [30, 20], timepoints: [{ targets: [40, { coalescedInto: 'T1' }] }] });
    expect(e.timepoints[0].recist11?.targetSumMm).toBe(40);
    expect(e.timepoints[0].recist11?.target).toBe('SD');
  });
});

describe('primer 4.1 / 4.3 / 4.4: target response', () => {
  const targets = [
    { id: 'T1', organ: 'liver', nodal: false, diameterMm: 30 },
    { id: 'T2', organ: 'lung', nodal: false, diameterMm: 10 },
    { id: 'T3', organ: 'lymph_node', nodal: true, diameterMm: 20 },
  ];
  const assess = (values: [number | 'ne' | 'ts' | 'gone', number | 'ne' | 'ts' | 'gone', number | 'ne' | 'ts' | 'gone'], nadir = 600) => {
    const readings = values.map((v, i) => {
      const id = `T${i + 1}`;
      if (v === 'ne') return { id, status: 'not_evaluated' as const };
      if (v === 'ts') return { id, status: 'too_small' as const };
      if (v === 'gone') return { id, status: 'disappeared' as const };
      return { id, status: 'measured' as const, diameterMm: v };
    });
    return assessTargets(measureTargets(targets, readings), 600, { tenths: nadir, at: 'baseline' });
  };
  it.each<[Parameters<typeof assess>[0], number, TargetResponse, string]>([
    [['gone', 'gone', 9.9], 600, 'CR', 'TARGET_CR'], // nodes < 10 mm still count in the sum
    [['gone', 'gone', 'ts'], 600, 'CR', 'TARGET_CR'], // a too-small node (5 mm) is CR-compatible
    [['gone', 'gone', 10], 600, 'PR', 'TARGET_PR_FROM_BASELINE'], // a node at exactly 10 mm is not normal
    [['ts', 'gone', 5], 600, 'PR', 'TARGET_PR_FROM_BASELINE'], // a too-small non-nodal lesion is present
    [[0, 'gone', 5], 600, 'CR', 'TARGET_CR'], // measured 0 is gone
    [[30, 10, 20], 600, 'SD', 'TARGET_SD'],
    [[21, 0, 21], 600, 'PR', 'TARGET_PR_FROM_BASELINE'], // 42 = -30 %
    [[21, 0, 21.1], 600, 'SD', 'TARGET_SD'],
    [[30, 10, 20], 500, 'PD', 'TARGET_PD_FROM_NADIR'], // 60 vs nadir 50: +20 %, +10 mm
    [[30, 'ne', 20], 600, 'NE', 'MISSING_TARGET_NE'], // partial never decides anything but PD
    [['gone', 'ne', 'gone'], 600, 'NE', 'MISSING_TARGET_NE'], // not CR with a target unknown
    [[40, 'ne', 32], 600, 'PD', 'MISSING_TARGET_BUT_PD'], // 72 >= 1.2 x 60 and +12 mm, whatever T2 measures
  ])('%j with nadir %i tenths -> %s (%s)', (values, nadir, response, reason) => {
    const r = assess(values, nadir);
    expect(r.response).toBe(response);
    expect(r.reason).toBe(reason);
  });

  it('PD is judged against the nadir, PR against the baseline: 100 -> 60 -> 72 is PD although -28 %', () => {
    const e = run({ targets: [50, 50], timepoints: [{ targets: [30, 30] }, { targets: [36, 36] }] });
    expect(overalls(e)).toEqual(['PR', 'PD']);
    const tp2 = e.timepoints[1].recist11!;
    expect(tp2).toMatchObject({ targetSumMm: 72, nadirMm: 60, nadirAt: 'TP1', percentChangeFromBaseline: -28, percentChangeFromNadir: 20, changeFromNadirMm: 12 });
    expect(tp2.explanation).toContain('sum 72 mm is +20% and +12 mm over nadir 60 mm at TP1');
  });

  it("the paper's example: baseline 50 mm over three lesions, two measured summing 80 mm -> PD", () => {
    const e = run({ targets: [20, 20, 10], timepoints: [{ targets: [50, 30, 'not_evaluated'] }] });
    expect(e.timepoints[0].recist11).toMatchObject({ target: 'PD', overall: 'PD', targetSumComplete: false, notEvaluatedTargets: ['T3'] });
    expect(e.timepoints[0].recist11?.reasons).toContain('MISSING_TARGET_BUT_PD');
  });

  it('an incomplete sum is never the nadir (primer 4.3, 11)', () => {
    const e = run({
      targets: [30, 30],
      timepoints: [{ targets: [10, 'not_evaluated'] }, { targets: [25, 25] }],
    });
    expect(overalls(e)).toEqual(['NE', 'SD']);
    expect(e.timepoints[1].recist11).toMatchObject({ nadirMm: 60, nadirAt: 'baseline' });
  });

  it('a lesion going from 0 to too small adds 5 mm, PD against a 0 nadir with no CR in between', () => {
    // Nadir 0 mm is only reachable with non-nodal targets gone: that is CR, so use the option off to isolate 4.2.
    const e = run({
      targets: [20],
      nonTargets: 1,
      timepoints: [{ targets: ['disappeared'] }, { targets: ['too_small'] }],
      protocol: { pdOnReappearanceAfterCR: false },
    });
    expect(overalls(e)).toEqual(['PR', 'PD']);
    expect(e.timepoints[1].recist11?.explanation).toContain('+5 mm over nadir 0 mm at TP1');
  });

  it('explanations cite the numbers used', () => {
    const e = run({ targets: [30, 20], timepoints: [{ targets: [30, 20] }, { targets: [36, 26] }] });
    expect(e.timepoints[1].recist11?.explanation).toMatch(/^PD at TP2; target PD: sum 62 mm is \+24% and \+12 mm over nadir 50 mm \(baseline\)/);
  });
});

describe('RECIST 1.1 Table 1 (targets at baseline): every row', () => {
  // target | non-target | new lesion | overall
  it.each<[TargetResponse, NonTargetResponse, boolean, OverallResponse]>([
    ['PD', 'CR', false, 'PD'],
    ['PD', 'NON_CR_NON_PD', true, 'PD'],
    ['PD', 'NE', false, 'PD'],
    ['CR', 'PD', false, 'PD'],
    ['PR', 'PD', false, 'PD'],
    ['SD', 'PD', false, 'PD'],
    ['NE', 'PD', false, 'PD'],
    ['CR', 'CR', true, 'PD'],
    ['PR', 'NON_CR_NON_PD', true, 'PD'],
    ['NE', 'NE', true, 'PD'],
    ['NE', 'CR', false, 'NE'],
    ['NE', 'NON_CR_NON_PD', false, 'NE'],
    ['NE', 'NE', false, 'NE'],
    ['CR', 'CR', false, 'CR'],
    ['CR', 'NA', false, 'CR'], // no non-targets at baseline
    ['CR', 'NON_CR_NON_PD', false, 'PR'],
    ['CR', 'NE', false, 'PR'],
    ['PR', 'NON_CR_NON_PD', false, 'PR'],
    ['PR', 'NE', false, 'PR'],
    ['PR', 'CR', false, 'PR'],
    ['PR', 'NA', false, 'PR'],
    ['SD', 'NON_CR_NON_PD', false, 'SD'],
    ['SD', 'NE', false, 'SD'],
    ['SD', 'CR', false, 'SD'],
  ])('target %s, non-target %s, new lesion %s -> %s', (target, nonTarget, newLesion, overall) => {
    expect(combineRecist11({ target, nonTarget, newLesion, reappearanceAfterCR: null }).overall).toBe(overall);
  });

  it('previous evaluable CR and a lesion reappeared -> PD whatever the tables say', () => {
    const r = combineRecist11({ target: 'PR', nonTarget: 'NON_CR_NON_PD', newLesion: false, reappearanceAfterCR: { evidence: ['x'], singleSmallNodeOnly: false, inTargets: true, inNonTargets: false } });
    expect(r).toEqual({ overall: 'PD', reason: 'REAPPEARANCE_AFTER_CR' });
  });

  it('a timepoint with no imaging at all is NE', () => {
    const e = run({ targets: [30], timepoints: [{ assessed: false }, { targets: [30] }] });
    expect(e.timepoints[0].recist11).toMatchObject({ overall: 'NE', target: 'NE', nonTarget: 'NA', reasons: ['NO_IMAGING'] });
  });

  it.each<[string, SubjectSpec, OverallResponse]>([
    ['target PD', { targets: [20], nonTargets: 1, timepoints: [{ targets: [25] }] }, 'PD'],
    ['non-target PD', { targets: [20], nonTargets: 1, timepoints: [{ targets: [10], nt: ['unequivocal_progression'] }] }, 'PD'],
    ['new lesion', { targets: [20], nonTargets: 1, timepoints: [{ targets: [10], newLesions: [nlnt('N1')] }] }, 'PD'],
    ['target NE', { targets: [20, 20], nonTargets: 1, timepoints: [{ targets: [10, 'not_evaluated'] }] }, 'NE'],
    ['CR/CR', { targets: [20], nonTargets: 1, timepoints: [{ targets: ['disappeared'], nt: ['absent'] }] }, 'CR'],
    ['CR/no NT', { targets: [20], timepoints: [{ targets: ['disappeared'] }] }, 'CR'],
    ['CR/non-CR', { targets: [20], nonTargets: 1, timepoints: [{ targets: ['disappeared'] }] }, 'PR'],
    ['CR/NE', { targets: [20], nonTargets: 1, timepoints: [{ targets: ['disappeared'], nt: ['not_evaluated'] }] }, 'PR'],
    ['PR/NE', { targets: [20], nonTargets: 1, timepoints: [{ targets: [14], nt: ['not_evaluated'] }] }, 'PR'],
    ['SD/non-CR', { targets: [20], nonTargets: 1, timepoints: [{ targets: [18] }] }, 'SD'],
    ['SD/NE', { targets: [20], nonTargets: 1, timepoints: [{ targets: [18], nt: ['not_evaluated'] }] }, 'SD'],
  ])('end to end: %s', (_name, spec, overall) => {
    expect(overalls(run(spec))).toEqual([overall]);
  });
});

describe('RECIST 1.1 Table 2 (non-target disease only): every row', () => {
  it.each<[NonTargetResponse, boolean, OverallResponse]>([
    ['PD', false, 'PD'],
    ['PD', true, 'PD'],
    ['CR', true, 'PD'],
    ['NON_CR_NON_PD', true, 'PD'],
    ['NE', true, 'PD'],
    ['NE', false, 'NE'],
    ['CR', false, 'CR'],
    ['NON_CR_NON_PD', false, 'NON_CR_NON_PD'],
  ])('non-target %s, new lesion %s -> %s', (nonTarget, newLesion, overall) => {
    expect(combineRecist11({ target: 'NA', nonTarget, newLesion, reappearanceAfterCR: null }).overall).toBe(overall);
  });

  it.each<[string, SubjectSpec, (OverallResponse | null)[]]>([
    ['non-CR/non-PD', { nonTargets: 2, timepoints: [{ nt: ['present', 'absent'] }] }, ['NON_CR_NON_PD']],
    ['CR', { nonTargets: 2, timepoints: [{ nt: ['absent', 'absent'] }] }, ['CR']],
    ['NE', { nonTargets: 2, timepoints: [{ nt: ['absent', 'not_evaluated'] }] }, ['NE']],
    ['PD then nothing', { nonTargets: 2, timepoints: [{ nt: ['unequivocal_progression', 'present'] }, {}] }, ['PD', null]],
    ['reappearance after CR', { nonTargets: 1, timepoints: [{ nt: ['absent'] }, { nt: ['present'] }] }, ['CR', 'PD']],
  ])('end to end: %s', (_name, spec, expected) => {
    const e = run(spec);
    expect(overalls(e)).toEqual(expected);
    expect(e.timepoints[0].recist11?.target).toBe('NA');
  });
});

describe('primer 6 / 4.4: reappearance after an overall CR', () => {
  const nodeSubject = (regrowth: number, option = true): SubjectSpec => ({
    targets: [30, { nodal: true, organ: 'lymph_node', diameterMm: 20 }],
    timepoints: [{ targets: ['disappeared', 7] }, { targets: ['disappeared', regrowth] }],
    protocol: { pdOnReappearanceAfterCR: option },
  });
  it('a target node back at 10 mm after CR is PD although the sum moved 3 mm', () => {
    const e = run(nodeSubject(10));
    expect(overalls(e)).toEqual(['CR', 'PD']);
    expect(e.timepoints[1].recist11?.reasons[0]).toBe('REAPPEARANCE_AFTER_CR');
    expect(e.timepoints[1].recist11?.flags).toContain('REAPPEARANCE_SINGLE_SMALL_NODE');
    expect(e.timepoints[1].recist11?.explanation).toContain('target node T2 back at 10 mm');
  });
  it('a target node that stays below 10 mm has not reappeared, however much it grew', () => {
    expect(overalls(run(nodeSubject(9.9)))).toEqual(['CR', 'CR']);
  });
  it('option off: a node back at 10 mm gives the table response (PR)', () => {
    expect(overalls(run(nodeSubject(10, false)))).toEqual(['CR', 'PR']);
  });
  it('a non-nodal target too small after CR has reappeared', () => {
    const e = run({ targets: [30, 30], timepoints: [{ targets: ['disappeared', 'disappeared'] }, { targets: ['too_small', 'disappeared'] }] });
    expect(overalls(e)).toEqual(['CR', 'PD']);
  });
  it('a nodal non-target merely present again is not reappearance: target CR + NT present = PR', () => {
    const e = run({
      targets: [30],
      nonTargets: [{ nodal: true, organ: 'lymph_node' }],
      timepoints: [{ targets: ['disappeared'], nt: ['absent'] }, { targets: ['disappeared'], nt: ['present'] }],
    });
    expect(overalls(e)).toEqual(['CR', 'PR']);
  });
  it('a non-nodal non-target present again after CR is PD', () => {
    const e = run({
      targets: [30],
      nonTargets: 1,
      timepoints: [{ targets: ['disappeared'], nt: ['absent'] }, { targets: ['disappeared'], nt: ['present'] }],
    });
    expect(overalls(e)).toEqual(['CR', 'PD']);
  });
  it('the previous *evaluable* timepoint counts: NE timepoints are skipped', () => {
    const e = run({ targets: [30], timepoints: [{ targets: ['disappeared'] }, { assessed: false }, { targets: [4] }] });
    expect(overalls(e)).toEqual(['CR', 'NE', 'PD']);
  });
  it('while other disease is present, a lesion coming back is not PD by itself', () => {
    const e = run({ targets: [30, 30], timepoints: [{ targets: ['disappeared', 15] }, { targets: [3, 15] }] });
    expect(overalls(e)).toEqual(['PR', 'PR']);
  });
});

describe('primer 7.3: RECIST 1.1 ends at the first PD', () => {
  it('later timepoints are null, not PD', () => {
    const e = run({ targets: [20], timepoints: [{ targets: [30] }, { targets: [10] }, { targets: [5] }] });
    expect(overalls(e)).toEqual(['PD', null, null]);
  });
});

describe('primer 5: tumour markers stand in the way of CR', () => {
  const spec = (normal: boolean | undefined): SubjectSpec => ({
    targets: [30],
    nonTargets: 1,
    protocol: { tumourMarkersForCR: ['CA-125'] },
    timepoints: [{ targets: ['disappeared'], nt: ['absent'], ...(normal !== undefined && { tumourMarkersNormal: normal }) }],
  });
  it.each<[boolean | undefined, NonTargetResponse, OverallResponse]>([
    [true, 'CR', 'CR'],
    [false, 'NON_CR_NON_PD', 'PR'],
    [undefined, 'NE', 'PR'],
  ])('markers normal=%s -> non-target %s, overall %s', (normal, nt, overall) => {
    expect(run(spec(normal)).timepoints[0].recist11).toMatchObject({ nonTarget: nt, overall });
  });
  it('markers are ignored when the protocol does not use them', () => {
    const e = run({ targets: [30], nonTargets: 1, timepoints: [{ targets: ['disappeared'], nt: ['absent'], tumourMarkersNormal: false }] });
    expect(overalls(e)).toEqual(['CR']);
  });
});
