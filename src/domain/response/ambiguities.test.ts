// Primer section 13: every ambiguity, under each value of its option (or under the fixed default where the primer
// leaves it to a human and defines no option).
import { describe, expect, it } from 'vitest';
import { evaluateSubjectResponse } from './evaluate-subject-response.js';
import type { SubjectEvaluation } from './response-output.js';
import { buildSubject, nlnt, nlt, type SubjectSpec } from './subject-builder.js';

const run = (spec: SubjectSpec): SubjectEvaluation => evaluateSubjectResponse(buildSubject({ criteria: ['RECIST1.1', 'iRECIST'], ...spec }));
const rec = (e: SubjectEvaluation) => e.timepoints.map((t) => t.recist11?.overall ?? null);
const ir = (e: SubjectEvaluation) => e.timepoints.map((t) => t.irecist?.overall ?? null);

describe('13.1 continuing PR (prPersistence)', () => {
  const spec = (prPersistence: 'strict' | 'sticky', required = true): SubjectSpec => ({
    targets: [50, 50],
    timepoints: [{ targets: [35, 35] }, { targets: [35, 35] }, { targets: [40, 40] }],
    protocol: { prPersistence, confirmation: { required } },
  });
  it('strict: baseline 100, then 70, 70, 80 -> PR, PR, SD', () => {
    const e = run(spec('strict'));
    expect(rec(e)).toEqual(['PR', 'PR', 'SD']);
    expect(ir(e)).toEqual(['iPR', 'iPR', 'iSD']);
  });
  it('sticky: once PR is established (here confirmed at TP2), 80 is PR', () => {
    const e = run(spec('sticky'));
    expect(rec(e)).toEqual(['PR', 'PR', 'PR']);
    expect(ir(e)).toEqual(['iPR', 'iPR', 'iPR']);
    expect(e.timepoints[2].recist11?.reasons[0]).toBe('PR_CONTINUING');
    expect(e.timepoints[2].recist11?.explanation).toContain('PR at TP1 confirmed at TP2');
  });
  it('sticky with confirmation required: an unconfirmed PR is not established', () => {
    const e = run({ targets: [50, 50], timepoints: [{ targets: [35, 35] }, { targets: [40, 40] }], protocol: { prPersistence: 'sticky' } });
    expect(rec(e)).toEqual(['PR', 'SD']);
  });
  it('sticky without confirmation: PR established as soon as it occurs', () => {
    const e = run({ targets: [50, 50], timepoints: [{ targets: [35, 35] }, { targets: [40, 40] }], protocol: { prPersistence: 'sticky', confirmation: { required: false } } });
    expect(rec(e)).toEqual(['PR', 'PR']);
  });
  it('BOR is the same either way', () => {
    expect(run(spec('strict')).bestOverallResponse.recist11).toBe('PR');
    expect(run(spec('sticky')).bestOverallResponse.recist11).toBe('PR');
  });
});

describe('13.2 CR followed by PR under confirmation: the later timepoint counts as progression for BOR', () => {
  // Targets CR with non-targets not evaluated is PR (Table 1), nothing having reappeared.
  const spec = (crDay: number): SubjectSpec => ({
    targets: [30],
    nonTargets: 1,
    timepoints: [{ day: crDay, targets: ['disappeared'], nt: ['absent'] }, { day: crDay + 42, targets: ['disappeared'], nt: ['not_evaluated'] }],
  });
  it('minimum SD duration not met -> PD', () => {
    const e = run(spec(28));
    expect(rec(e)).toEqual(['CR', 'PR']);
    expect(e.bestOverallResponse.recist11).toBe('PD');
    expect(e.bestOverallResponse.recist11Explanation).toContain('after an unconfirmed CR counts as progression');
  });
  it('minimum SD duration met -> SD', () => {
    expect(run(spec(42)).bestOverallResponse.recist11).toBe('SD');
  });
});

describe('13.3 reappearance after CR (pdOnReappearanceAfterCR), after any CR confirmed or not', () => {
  const spec = (on: boolean): SubjectSpec => ({
    targets: [30, { nodal: true, organ: 'lymph_node', diameterMm: 18 }],
    timepoints: [{ targets: ['disappeared', 8] }, { targets: ['disappeared', 11] }],
    protocol: { pdOnReappearanceAfterCR: on },
  });
  it('true (default): an unconfirmed CR followed by a node at 11 mm is PD (iUPD under iRECIST), flagged single small node', () => {
    const e = run(spec(true));
    expect(rec(e)).toEqual(['CR', 'PD']);
    expect(ir(e)).toEqual(['iCR', 'iUPD']);
    expect(e.timepoints[1].recist11?.flags).toEqual(['REAPPEARANCE_SINGLE_SMALL_NODE']);
    expect(e.bestOverallResponse.recist11).toBe('SD'); // CR at day 42 unconfirmed, min SD met
  });
  it('false: tables and measurements only -> PR', () => {
    const e = run(spec(false));
    expect(rec(e)).toEqual(['CR', 'PR']);
    expect(ir(e)).toEqual(['iCR', 'iPR']);
  });
});

describe('13.4 nodes growing while still < 10 mm', () => {
  it('5 + 5 -> 9 + 9 (+80 %, +8 mm) stays CR and is flagged for review', () => {
    const node = { nodal: true, organ: 'lymph_node', diameterMm: 20 };
    const e = run({ targets: [node, node], timepoints: [{ targets: [5, 5] }, { targets: [9, 9] }] });
    expect(rec(e)).toEqual(['CR', 'CR']);
    expect(e.timepoints[1].recist11?.flags).toEqual(['NODES_GROWING_WHILE_NORMAL']);
    expect(e.timepoints[1].recist11).toMatchObject({ targetSumMm: 18, nadirMm: 10, percentChangeFromNadir: 80 });
  });
});

describe('13.5 what may lie between a response and its confirmation', () => {
  const spec = (between: 'NE' | 'SD', protocol: SubjectSpec['protocol']): SubjectSpec => ({
    targets: [50],
    timepoints: [{ day: 42, targets: [30] }, between === 'NE' ? { day: 56, assessed: false } : { day: 56, targets: [35.5] }, { day: 84, targets: [30] }],
    protocol,
  });
  it.each([
    ['NE', { confirmation: { maxInterveningNE: 1 } }, 'PR'],
    ['NE', { confirmation: { maxInterveningNE: 0 } }, 'SD'],
    ['SD', { confirmation: { acceptInterveningSD: false } }, 'SD'],
    ['SD', { confirmation: { acceptInterveningSD: true } }, 'PR'],
  ] as const)('PR, %s, PR with %j -> BOR %s', (between, protocol, bor) => {
    expect(run(spec(between, protocol)).bestOverallResponse.recist11).toBe(bor);
  });
});

describe('13.6 missing targets: only PD is automatic', () => {
  it('a measured subset already at PD is PD; anything else is NE, even when the missing lesion was tiny', () => {
    const e = run({ targets: [40, 10], timepoints: [{ targets: [20, 'not_evaluated'] }, { targets: [60, 'not_evaluated'] }] });
    expect(rec(e)).toEqual(['NE', 'PD']);
    expect(e.timepoints[0].recist11?.reasons).toContain('MISSING_TARGET_NE');
    expect(e.timepoints[1].recist11?.reasons).toContain('MISSING_TARGET_BUT_PD');
  });
});

describe('13.7 iRECIST reset with persisting new lesions', () => {
  const scenarioB = (mode: 'requires_target_shrinkage' | 'never' | 'always') =>
    ir(run({ targets: [50, 50], timepoints: [{ targets: [30, 30], newLesions: [nlnt('N1')] }, { targets: [25, 25], newLesions: [nlnt('N1')] }], protocol: { irecist: { resetWithPersistingNewLesions: mode } } }));
  it.each([
    ['requires_target_shrinkage', 'iPR'],
    ['never', 'iUPD'],
    ['always', 'iPR'],
  ] as const)('%s: FAQ scenario B second assessment -> %s', (mode, second) => expect(scenarioB(mode)).toEqual(['iUPD', second]));
});

describe('13.8 iCPD size reference', () => {
  it.each([
    ['first_iupd', 'iCPD'],
    ['previous_iupd', 'iUPD'],
  ] as const)('%s: 50 -> 62 -> 66 -> 68 ends %s', (ref, last) => {
    const e = run({ targets: [30, 20], timepoints: [{ targets: [42, 20] }, { targets: [46, 20] }, { targets: [48, 20] }], protocol: { irecist: { icpdSizeReference: ref } } });
    expect(ir(e)).toEqual(['iUPD', 'iUPD', last]);
  });
});

describe('13.9 confirmation scans earlier than 4 weeks', () => {
  const spec = (override: boolean, minDays = 28): SubjectSpec => ({
    targets: [30, 20],
    timepoints: [{ day: 42, targets: [42, 20] }, { day: 63, targets: [48, 20], newLesions: [nlnt('N1')] }],
    protocol: { irecist: { earlyScanNewLesionMayConfirm: override, icpdMinDaysAfterIupd: minDays } },
  });
  it('21 days: growth does not confirm; an additional new lesion confirms only with the override', () => {
    expect(ir(run(spec(false)))).toEqual(['iUPD', 'iUPD']);
    expect(ir(run(spec(true)))).toEqual(['iUPD', 'iCPD']);
  });
  it('icpdMinDaysAfterIupd 21 lets the same scan confirm by growth', () => {
    expect(ir(run(spec(false, 21)))).toEqual(['iUPD', 'iCPD']);
  });
});

describe('13.10 new-lesion progression after a reset: NLT nadir = smallest NLT sum since first appearance', () => {
  it('NLT 20 -> 12 (nadir) -> 17: +5 mm and +41.7 % over the NLT nadir is a new iUPD', () => {
    const e = run({
      targets: [50, 50],
      timepoints: [
        { targets: [30, 30], newLesions: [nlt('N1', 20)] },
        { targets: [25, 25], newLesions: [nlt('N1', 12)] },
        { targets: [25, 25], newLesions: [nlt('N1', 17)] },
      ],
    });
    expect(ir(e)).toEqual(['iUPD', 'iPR', 'iUPD']);
    expect(e.timepoints[2].irecist?.explanation).toContain('over NLT nadir 12 mm at TP2');
  });
});

describe('13.11 iUPD between a response and its confirmation (iupdBreaksConfirmation)', () => {
  const spec = (breaks: boolean): SubjectSpec => ({
    targets: [50, 50],
    timepoints: [{ targets: [30, 30] }, { targets: [28, 28], newLesions: [nlnt('N1')] }, { targets: [25, 25], newLesions: [nlnt('N1', 'absent')] }],
    protocol: { irecist: { iupdBreaksConfirmation: breaks } },
  });
  it.each([
    [true, 'iSD'],
    [false, 'iPR'],
  ] as const)('%s: iPR, iUPD, iPR -> iBOR %s', (breaks, ibor) => {
    const e = run(spec(breaks));
    expect(ir(e)).toEqual(['iPR', 'iUPD', 'iPR']);
    expect(e.bestOverallResponse.irecist).toBe(ibor);
  });
});

describe('13.12 progression date of a confirmed iRECIST progression', () => {
  it.each([
    ['first_iupd_of_confirmed_episode', 0],
    ['icpd', 1],
  ] as const)('%s -> date of timepoint %i', (rule, index) => {
    const e = run({ targets: [30, 20], timepoints: [{ targets: [42, 20] }, { targets: [47, 20] }], protocol: { irecist: { progressionDate: rule } } });
    expect(e.dates.irecist?.progressionDate).toBe(e.timepoints[index].date);
  });
});

describe('13.13 confirming iCPD through another category', () => {
  it.each([
    [true, 'iCPD'],
    [false, 'iUPD'],
  ] as const)('confirmThroughOtherCategory %s: non-target iUPD then a new lesion -> %s', (other, second) => {
    const e = run({
      targets: [30, 20],
      nonTargets: 1,
      timepoints: [{ targets: [25, 15], nt: ['unequivocal_progression'] }, { targets: [25, 15], nt: ['unequivocal_progression'], newLesions: [nlnt('N1')] }],
      protocol: { irecist: { confirmThroughOtherCategory: other } },
    });
    expect(ir(e)).toEqual(['iUPD', second]);
  });
});

describe('13.14 the iRECIST nadir', () => {
  it('counts sums at iUPD assessments and after the RECIST 1.1 PD; partial sums never', () => {
    const e = run({
      targets: [50, 50],
      timepoints: [
        { targets: [30, 30], newLesions: [nlnt('N1')] }, // RECIST PD (new lesion); iUPD; iRECIST nadir becomes 60
        { targets: [25, 25], newLesions: [nlnt('N1', 'absent')] }, // reset, iPR; nadir 50
        { targets: [10, 'not_evaluated'], newLesions: [nlnt('N1', 'absent')] }, // partial 10: NE, not a nadir
        { targets: [30, 30], newLesions: [nlnt('N1', 'absent')] }, // 60 vs nadir 50: +20 %, +10 mm -> new iUPD
      ],
    });
    expect(rec(e)).toEqual(['PD', null, null, null]);
    expect(ir(e)).toEqual(['iUPD', 'iPR', 'NE', 'iUPD']);
    expect(e.timepoints[1].irecist).toMatchObject({ nadirMm: 60, nadirAt: 'TP1' });
    expect(e.timepoints[3].irecist).toMatchObject({ nadirMm: 50, nadirAt: 'TP2' });
  });
});
