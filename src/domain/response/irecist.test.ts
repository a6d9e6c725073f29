import { describe, expect, it } from 'vitest';
import { evaluateSubjectResponse } from './evaluate-subject-response.js';
import type { SubjectEvaluation } from './response-output.js';
import type { IrecistResponse } from './response-values.js';
import { buildSubject, nlnt, nlt, type SubjectSpec, type TimepointSpec } from './subject-builder.js';

const IR = ['RECIST1.1', 'iRECIST'] as const;
const run = (spec: SubjectSpec): SubjectEvaluation => evaluateSubjectResponse(buildSubject({ criteria: IR, ...spec }));
const ir = (e: SubjectEvaluation) => e.timepoints.map((t) => (t.irecist === undefined ? 'absent' : (t.irecist?.overall ?? null)));

/** Two targets (30 + 20 = 50 mm) and one non-target, follow-ups every 42 days unless told. */
const twoTargets = (timepoints: TimepointSpec[], protocol: SubjectSpec['protocol'] = {}): SubjectSpec => ({
  targets: [30, 20],
  nonTargets: 1,
  timepoints,
  protocol,
});
const sums = (...s: number[]): TimepointSpec[] => s.map((x) => ({ targets: [x - 20, 20] }));

describe('primer 9.6 worked example: 50 -> 62 (iUPD) -> 58 (reset) -> 68 (new iUPD) -> 74 (iCPD)', () => {
  const e = run(twoTargets(sums(62, 58, 68, 74)));
  it('timepoint responses', () => expect(ir(e)).toEqual(['iUPD', 'iSD', 'iUPD', 'iCPD']));
  it('RECIST 1.1 stops at its first PD while iRECIST goes on', () =>
    expect(e.timepoints.map((t) => t.recist11?.overall ?? null)).toEqual(['PD', null, null, null]));
  it('episodes: the first reset, the second confirmed; progression dates from the confirmed episode', () => {
    expect(e.irecist?.episodes.map((x) => [x.openedAt, x.outcome, x.closedAt])).toEqual([
      ['TP1', 'reset', 'TP2'],
      ['TP3', 'confirmed', 'TP4'],
    ]);
    expect(e.irecist?.icpd).toEqual({ confirmed: true, confirmedAt: 'TP4', confirmedOn: e.timepoints[3].date, progressionDate: e.timepoints[2].date });
    expect(e.dates.irecist?.progressionDate).toBe(e.timepoints[2].date);
    expect(e.timepoints[3].irecist?.explanation).toContain('target sum 74 mm is +6 mm over 68 mm at iUPD TP3 (>= +5 mm)');
    expect(e.timepoints[2].irecist?.reasons).toContain('IUPD_OPENED');
    // iBOR does not stop at an iUPD: the iSD at day 84 (>= 42) is the best response (9.8).
    expect(e.bestOverallResponse).toMatchObject({ recist11: 'PD', irecist: 'iSD', irecistDate: e.timepoints[1].date });
  });
  it('after the first iCPD there is no iRECIST response', () => {
    const more = run(twoTargets(sums(62, 68, 40)));
    expect(ir(more)).toEqual(['iUPD', 'iCPD', null]);
  });
  it('irecist is absent when the criteria do not include iRECIST', () => {
    const only = evaluateSubjectResponse(buildSubject(twoTargets(sums(62))));
    expect(ir(only)).toEqual(['absent']);
    expect(only.irecist).toBeUndefined();
    expect(only.bestOverallResponse.irecist).toBeUndefined();
  });
});

describe('iRECIST timepoint table (Seymour 2017 Table 2): every row, with and without a previous iUPD', () => {
  // Baseline 50 mm; TP1 and TP2 42 days apart. "prev" rows open the episode at TP1 and test TP2.
  it.each<[string, TimepointSpec[], IrecistResponse[]]>([
    // iCR | iCR | no
    ['iCR/iCR/no, no previous iUPD', [{ targets: ['disappeared', 'disappeared'], nt: ['absent'] }], ['iCR']],
    ['iCR/iCR/no after an NT iUPD', [{ targets: [25, 15], nt: ['unequivocal_progression'] }, { targets: ['disappeared', 'disappeared'], nt: ['absent'] }], ['iUPD', 'iCR']],
    // iCR | non-iCR/non-iUPD | no
    ['iCR/non-CR/no', [{ targets: ['disappeared', 'disappeared'] }], ['iPR']],
    ['iCR/non-CR/no after an NT iUPD', [{ targets: [25, 15], nt: ['unequivocal_progression'] }, { targets: ['disappeared', 'disappeared'], nt: ['present'] }], ['iUPD', 'iPR']],
    // iPR | non-iCR/non-iUPD | no
    ['iPR/non-CR/no', [{ targets: [20, 15] }], ['iPR']],
    ['iPR/non-CR/no after an NT iUPD', [{ targets: [25, 15], nt: ['unequivocal_progression'] }, { targets: [20, 15] }], ['iUPD', 'iPR']],
    // iSD | non-iCR/non-iUPD | no
    ['iSD/non-CR/no', [{ targets: [25, 15] }], ['iSD']],
    ['iSD/non-CR/no after an NT iUPD', [{ targets: [25, 15], nt: ['unequivocal_progression'] }, { targets: [25, 15] }], ['iUPD', 'iSD']],
    // iUPD no change | iUPD no change | yes -> iCPD if new lesions grew or increased in number
    ['T+NT+NL iUPD, no further change -> iUPD',
      [{ targets: [42, 20], nt: ['unequivocal_progression'], newLesions: [nlt('N1', 15)] }, { targets: [42, 20], nt: ['unequivocal_progression'], newLesions: [nlt('N1', 15)] }], ['iUPD', 'iUPD']],
    ['T+NT+NL iUPD, NLT +5 mm -> iCPD',
      [{ targets: [42, 20], nt: ['unequivocal_progression'], newLesions: [nlt('N1', 15)] }, { targets: [42, 20], nt: ['unequivocal_progression'], newLesions: [nlt('N1', 20)] }], ['iUPD', 'iCPD']],
    ['T+NT+NL iUPD, another new lesion -> iCPD',
      [{ targets: [42, 20], nt: ['unequivocal_progression'], newLesions: [nlt('N1', 15)] }, { targets: [42, 20], nt: ['unequivocal_progression'], newLesions: [nlt('N1', 15), nlnt('N2')] }], ['iUPD', 'iCPD']],
    // iSD/iPR/iCR | iUPD | no
    ['NT iUPD, no further increase -> iUPD', [{ targets: [25, 15], nt: ['unequivocal_progression'] }, { targets: [25, 15], nt: ['unequivocal_progression'], ntIncreased: false }], ['iUPD', 'iUPD']],
    ['NT iUPD, further increase -> iCPD', [{ targets: [25, 15], nt: ['unequivocal_progression'] }, { targets: [25, 15], nt: ['unequivocal_progression'], ntIncreased: true }], ['iUPD', 'iCPD']],
    // iSD/iPR/iCR | iUPD | yes
    ['NT+NL iUPD, no change -> iUPD', [{ targets: [25, 15], nt: ['unequivocal_progression'], newLesions: [nlnt('N1')] }, { targets: [25, 15], nt: ['unequivocal_progression'], newLesions: [nlnt('N1')] }], ['iUPD', 'iUPD']],
    ['NT+NL iUPD, NT increase -> iCPD', [{ targets: [25, 15], nt: ['unequivocal_progression'], newLesions: [nlnt('N1')] }, { targets: [25, 15], nt: ['unequivocal_progression'], ntIncreased: true, newLesions: [nlnt('N1')] }], ['iUPD', 'iCPD']],
    ['NT+NL iUPD, NLNT increase -> iCPD', [{ targets: [25, 15], nt: ['unequivocal_progression'], newLesions: [nlnt('N1')] }, { targets: [25, 15], nt: ['unequivocal_progression'], newLesions: [nlnt('N1', 'present', { increasedSincePrevious: true })] }], ['iUPD', 'iCPD']],
    // iSD/iPR/iCR | non-iCR/non-iUPD | yes
    ['NL iUPD, no change -> iUPD', [{ targets: [20, 10], newLesions: [nlt('N1', 12)] }, { targets: [20, 10], newLesions: [nlt('N1', 12)] }], ['iUPD', 'iUPD']],
    ['NL iUPD, NLT +5 mm -> iCPD', [{ targets: [20, 10], newLesions: [nlt('N1', 12)] }, { targets: [20, 10], newLesions: [nlt('N1', 17)] }], ['iUPD', 'iCPD']],
    ['NL iUPD, NLT +4.9 mm -> iUPD', [{ targets: [20, 10], newLesions: [nlt('N1', 12)] }, { targets: [20, 10], newLesions: [nlt('N1', 16.9)] }], ['iUPD', 'iUPD']],
    ['NL iUPD, another new lesion -> iCPD', [{ targets: [20, 10], newLesions: [nlt('N1', 12)] }, { targets: [20, 10], newLesions: [nlt('N1', 12), nlt('N2', 11, 'liver')] }], ['iUPD', 'iCPD']],
    // iUPD | non-iCR/non-iUPD or iCR | no
    ['target iUPD, +4 mm -> iUPD', [{ targets: [42, 20] }, { targets: [46, 20] }], ['iUPD', 'iUPD']],
    ['target iUPD, +5 mm -> iCPD', [{ targets: [42, 20] }, { targets: [47, 20] }], ['iUPD', 'iCPD']],
    ['target iUPD with NT absent, +5 mm -> iCPD', [{ targets: [42, 20], nt: ['absent'] }, { targets: [47, 20], nt: ['absent'] }], ['iUPD', 'iCPD']],
    // iUPD | iUPD | no
    ['T+NT iUPD, no change -> iUPD', [{ targets: [42, 20], nt: ['unequivocal_progression'] }, { targets: [42, 20], nt: ['unequivocal_progression'] }], ['iUPD', 'iUPD']],
    ['T+NT iUPD, target +5 -> iCPD', [{ targets: [42, 20], nt: ['unequivocal_progression'] }, { targets: [47, 20], nt: ['unequivocal_progression'] }], ['iUPD', 'iCPD']],
    ['T+NT iUPD, NT increase -> iCPD', [{ targets: [42, 20], nt: ['unequivocal_progression'] }, { targets: [42, 20], nt: ['unequivocal_progression'], ntIncreased: true }], ['iUPD', 'iCPD']],
    // iUPD | iUPD | yes
    ['T+NT+NL iUPD, target +5 -> iCPD', [{ targets: [42, 20], nt: ['unequivocal_progression'], newLesions: [nlnt('N1')] }, { targets: [47, 20], nt: ['unequivocal_progression'], newLesions: [nlnt('N1')] }], ['iUPD', 'iCPD']],
    // iUPD | non-iCR/non-iUPD | yes
    ['T+NL iUPD, no change -> iUPD', [{ targets: [42, 20], newLesions: [nlnt('N1')] }, { targets: [42, 20], newLesions: [nlnt('N1')] }], ['iUPD', 'iUPD']],
    ['T+NL iUPD, target +5 -> iCPD', [{ targets: [42, 20], newLesions: [nlnt('N1')] }, { targets: [47, 20], newLesions: [nlnt('N1')] }], ['iUPD', 'iCPD']],
    ['T+NL iUPD, NLNT increase -> iCPD', [{ targets: [42, 20], newLesions: [nlnt('N1')] }, { targets: [42, 20], newLesions: [nlnt('N1', 'present', { increasedSincePrevious: true })] }], ['iUPD', 'iCPD']],
  ])('%s', (_name, tps, expected) => {
    expect(ir(run(twoTargets(tps)))).toEqual(expected);
  });

  it('non-target disease only (9.7): iCR, non-iCR/non-iUPD, iUPD, iCPD', () => {
    const e = run({ nonTargets: 2, timepoints: [{ nt: ['absent', 'present'] }, { nt: ['unequivocal_progression', 'present'] }, { nt: ['unequivocal_progression', 'present'], ntIncreased: true }] });
    expect(ir(e)).toEqual(['NON_iCR_NON_iUPD', 'iUPD', 'iCPD']);
    expect(run({ nonTargets: 1, timepoints: [{ nt: ['absent'] }] }).timepoints[0].irecist?.overall).toBe('iCR');
  });
});

describe('primer 9.4: confirming iCPD', () => {
  it('increases add up from the first iUPD (13.8 default first_iupd): +4 then +2 confirms', () => {
    expect(ir(run(twoTargets(sums(62, 66, 68))))).toEqual(['iUPD', 'iUPD', 'iCPD']);
  });
  it('icpdSizeReference previous_iupd measures from the latest iUPD: +4 then +2 does not confirm', () => {
    expect(ir(run(twoTargets(sums(62, 66, 68), { irecist: { icpdSizeReference: 'previous_iupd' } })))).toEqual(['iUPD', 'iUPD', 'iUPD']);
  });
  it('an assessment earlier than 28 days does not confirm by growth; the next late-enough one does, against the iUPD references', () => {
    const tps: TimepointSpec[] = [{ day: 42, targets: [42, 20] }, { day: 56, targets: [50, 20] }, { day: 84, targets: [50, 20] }];
    const e = run(twoTargets(tps));
    expect(ir(e)).toEqual(['iUPD', 'iUPD', 'iCPD']);
    expect(e.timepoints[1].irecist?.reasons).toEqual(['IUPD_PERSISTS_TOO_EARLY_TO_CONFIRM']);
    expect(e.timepoints[2].irecist?.explanation).toContain('42 days after iUPD at TP1');
  });
  it('day 27 does not confirm, day 28 does (inclusive); a tolerance of 2 days lets day 26 confirm', () => {
    const at = (d: number, tol = 0) => ir(run(twoTargets([{ day: 42, targets: [42, 20] }, { day: 42 + d, targets: [47, 20] }], { irecist: { icpdWindowToleranceDays: tol } })))[1];
    expect(at(27)).toBe('iUPD');
    expect(at(28)).toBe('iCPD');
    expect(at(26)).toBe('iUPD');
    expect(at(26, 2)).toBe('iCPD');
  });
  it('a confirmation later than icpdMaxDaysAfterIupd still confirms, flagged', () => {
    const e = run(twoTargets([{ day: 42, targets: [42, 20] }, { day: 120, targets: [47, 20] }]));
    expect(ir(e)).toEqual(['iUPD', 'iCPD']);
    expect(e.timepoints[1].irecist?.flags).toContain('ICPD_CONFIRMATION_LATE');
  });
  it('an early scan with an additional new lesion confirms only with earlyScanNewLesionMayConfirm (13.9)', () => {
    const tps: TimepointSpec[] = [{ day: 42, targets: [42, 20] }, { day: 50, targets: [42, 20], newLesions: [nlnt('N1')] }];
    expect(ir(run(twoTargets(tps)))).toEqual(['iUPD', 'iUPD']);
    const e = run(twoTargets(tps, { irecist: { earlyScanNewLesionMayConfirm: true } }));
    expect(ir(e)).toEqual(['iUPD', 'iCPD']);
    expect(e.timepoints[1].irecist?.reasons).toEqual(['ICPD_NEW_LESION_COUNT']);
  });
  it('NE inside an episode keeps it open; the next evaluable assessment uses the same references (9.5)', () => {
    const e = run(twoTargets([{ targets: [42, 20] }, { assessed: false }, { targets: [47, 20] }]));
    expect(ir(e)).toEqual(['iUPD', 'NE', 'iCPD']);
    expect(e.timepoints[1].irecist?.episode).toEqual({ state: 'open', episode: 0, openedAt: 'TP1', openedOn: e.timepoints[0].date, triggers: ['target'] });
  });
  it('a target not evaluated, without provable growth, is NE and keeps the episode open', () => {
    const e = run(twoTargets([{ targets: [42, 20] }, { targets: [30, 'not_evaluated'] }, { targets: [47, 20] }]));
    expect(ir(e)).toEqual(['iUPD', 'NE', 'iCPD']);
    expect(e.timepoints[1].irecist?.reasons).toEqual(['IUPD_NE_EPISODE_OPEN']);
  });
  it('a partial sum already +5 mm over the iUPD sum confirms (sizes cannot be negative)', () => {
    // iUPD sum 62; T1 alone now measures 68 (+6), whatever T2 measures.
    expect(ir(run(twoTargets([{ targets: [42, 20] }, { targets: [68, 'not_evaluated'] }])))).toEqual(['iUPD', 'iCPD']);
    expect(ir(run(twoTargets([{ targets: [42, 20] }, { targets: [66, 'not_evaluated'] }])))).toEqual(['iUPD', 'iUPD']);
  });
});

describe('primer 9.6 / 13.7: reset with persisting new lesions (FAQ scenarios B and F)', () => {
  // B: a new lesion appears while the targets shrink (100 -> 60), then the targets keep shrinking (50).
  const scenarioB = (mode: 'requires_target_shrinkage' | 'never' | 'always') =>
    ir(run({
      targets: [50, 50],
      nonTargets: 1,
      timepoints: [{ targets: [30, 30], newLesions: [nlnt('N1')] }, { targets: [25, 25], newLesions: [nlnt('N1')] }],
      protocol: { irecist: { resetWithPersistingNewLesions: mode } },
    }));
  // F: PR reached (70), then a new lesion (iUPD), then nothing changes.
  const scenarioF = (mode: 'requires_target_shrinkage' | 'never' | 'always') =>
    ir(run({
      targets: [50, 50],
      nonTargets: 1,
      timepoints: [{ targets: [35, 35] }, { targets: [35, 35], newLesions: [nlnt('N1')] }, { targets: [35, 35], newLesions: [nlnt('N1')] }],
      protocol: { irecist: { resetWithPersistingNewLesions: mode } },
    }));
  it.each<['requires_target_shrinkage' | 'never' | 'always', IrecistResponse[], IrecistResponse[]]>([
    ['requires_target_shrinkage', ['iUPD', 'iPR'], ['iPR', 'iUPD', 'iUPD']],
    ['never', ['iUPD', 'iUPD'], ['iPR', 'iUPD', 'iUPD']],
    ['always', ['iUPD', 'iPR'], ['iPR', 'iUPD', 'iPR']],
  ])('%s: B -> %j, F -> %j', (mode, b, f) => {
    expect(scenarioB(mode)).toEqual(b);
    expect(scenarioF(mode)).toEqual(f);
  });
  it('new lesions gone: the bar resets in every mode', () => {
    for (const mode of ['requires_target_shrinkage', 'never', 'always'] as const) {
      const e = run({ targets: [50, 50], nonTargets: 1, timepoints: [{ targets: [35, 35], newLesions: [nlnt('N1')] }, { targets: [35, 35], newLesions: [nlnt('N1', 'absent')] }], protocol: { irecist: { resetWithPersistingNewLesions: mode } } });
      expect(ir(e)).toEqual(['iUPD', 'iPR']);
    }
  });
  it('iCR needs every new lesion gone: targets and non-targets gone with a new lesion visible is iPR', () => {
    const e = run({
      targets: [30],
      nonTargets: 1,
      timepoints: [{ targets: ['disappeared'], nt: ['absent'], newLesions: [nlnt('N1')] }, { targets: ['disappeared'], nt: ['absent'], newLesions: [nlnt('N1')] }, { targets: ['disappeared'], nt: ['absent'], newLesions: [nlnt('N1', 'absent')] }],
      protocol: { irecist: { resetWithPersistingNewLesions: 'always' } },
    });
    expect(ir(e)).toEqual(['iUPD', 'iPR', 'iCR']);
    expect(e.timepoints[1].irecist?.reasons).toContain('NEW_LESION_STILL_PRESENT');
  });
});

describe('primer 9.1 / 13.14: the iRECIST nadir keeps going', () => {
  it('the target sum at a new-lesion iUPD becomes the nadir; target growth against it confirms through another category (13.13)', () => {
    const spec = (other: boolean): SubjectSpec => ({
      targets: [50, 50],
      nonTargets: 1,
      timepoints: [{ targets: [30, 30], newLesions: [nlnt('N1')] }, { targets: [36, 36], newLesions: [nlnt('N1')] }],
      protocol: { irecist: { confirmThroughOtherCategory: other } },
    });
    const e = run(spec(true));
    expect(ir(e)).toEqual(['iUPD', 'iCPD']);
    expect(e.timepoints[1].irecist).toMatchObject({ nadirMm: 60, nadirAt: 'TP1', target: 'PD' });
    expect(e.timepoints[1].irecist?.reasons).toEqual(['ICPD_TARGET_NEWLY_PD']);
    // Table 2 read alone: the targets newly at PD keep the iUPD but do not confirm it.
    expect(ir(run(spec(false)))).toEqual(['iUPD', 'iUPD']);
  });
  it('unequivocal non-target progression after a target iUPD confirms under the FAQ, not under Table 2 alone', () => {
    const tps: TimepointSpec[] = [{ targets: [42, 20] }, { targets: [42, 20], nt: ['unequivocal_progression'] }];
    expect(ir(run(twoTargets(tps)))).toEqual(['iUPD', 'iCPD']);
    expect(ir(run(twoTargets(tps, { irecist: { confirmThroughOtherCategory: false } })))).toEqual(['iUPD', 'iUPD']);
  });
  it('a new lesion after a target iUPD confirms under the FAQ', () => {
    const tps: TimepointSpec[] = [{ targets: [42, 20] }, { targets: [42, 20], newLesions: [nlnt('N1')] }];
    expect(ir(run(twoTargets(tps)))).toEqual(['iUPD', 'iCPD']);
    expect(ir(run(twoTargets(tps, { irecist: { confirmThroughOtherCategory: false } })))).toEqual(['iUPD', 'iUPD']);
  });
});

describe('primer 9.3 / 13.10: new-lesion progression after a reset', () => {
  const base = (last: TimepointSpec): SubjectSpec => ({
    targets: [50, 50],
    nonTargets: 1,
    timepoints: [
      { targets: [30, 30], newLesions: [nlt('N1', 20)] },
      { targets: [25, 25], newLesions: [nlt('N1', 15)] },
      { targets: [25, 25], newLesions: [nlt('N1', 15)] },
      last,
    ],
  });
  it('NLT sum >= 20 % and >= 5 mm over its own nadir opens a new iUPD', () => {
    const e = run(base({ targets: [25, 25], newLesions: [nlt('N1', 20)] }));
    expect(ir(e)).toEqual(['iUPD', 'iPR', 'iPR', 'iUPD']);
    expect(e.timepoints[3].irecist?.reasons).toContain('NEW_LESION_PROGRESSION_AFTER_RESET');
    expect(e.timepoints[3].irecist?.explanation).toContain('NLT sum 20 mm is +33.3% and +5 mm over NLT nadir 15 mm at TP2');
  });
  it('NLT growth below the bar does not', () => {
    expect(ir(run(base({ targets: [25, 25], newLesions: [nlt('N1', 19.9)] })))).toEqual(['iUPD', 'iPR', 'iPR', 'iPR']);
  });
  it('unequivocal NLNT progression after a reset opens a new iUPD', () => {
    const e = run({
      targets: [50, 50],
      nonTargets: 1,
      timepoints: [
        { targets: [30, 30], newLesions: [nlnt('N1')] },
        { targets: [25, 25], newLesions: [nlnt('N1')] },
        { targets: [25, 25], newLesions: [nlnt('N1', 'present', { unequivocalProgression: true })] },
      ],
    });
    expect(ir(e)).toEqual(['iUPD', 'iPR', 'iUPD']);
  });
});

describe('iRECIST: reappearance after iCR, progression date option, new-lesion designations', () => {
  it('reappearance after an iCR opens an iUPD (not iCPD)', () => {
    const e = run({ targets: [30], timepoints: [{ targets: ['disappeared'] }, { targets: ['too_small'] }] });
    expect(ir(e)).toEqual(['iCR', 'iUPD']);
    expect(e.timepoints[1].irecist?.reasons).toContain('REAPPEARANCE_AFTER_CR');
  });
  it('progressionDate icpd dates the progression at the confirming assessment (13.12)', () => {
    const e = run(twoTargets(sums(62, 68), { irecist: { progressionDate: 'icpd' } }));
    expect(e.irecist?.icpd.progressionDate).toBe(e.timepoints[1].date);
    const d = run(twoTargets(sums(62, 68)));
    expect(d.irecist?.icpd.progressionDate).toBe(d.timepoints[0].date);
  });
  it('a reset iUPD gives no progression date', () => {
    const e = run(twoTargets(sums(62, 55)));
    expect(ir(e)).toEqual(['iUPD', 'iSD']);
    expect(e.dates.irecist?.progressionDate).toBeNull();
    expect(e.dates.recist11.progressionDate).toBe(e.timepoints[0].date);
  });
  it('NLT designations are checked for measurability and the 5 / 2 limits (9.2), and flagged', () => {
    const e = run(twoTargets([
      { targets: [25, 15], newLesions: [nlt('N1', 9), nlt('N2', 12), nlt('N3', 12)] },
      { targets: [25, 15], newLesions: [nlt('N1', 9), nlt('N2', 12), nlt('N3', 12), { id: 'N4', organ: 'mediastinum', nodal: true, irecistType: 'NLT', status: 'present', diameterMm: 14 }] },
    ]));
    expect(e.irecist?.newLesionViolations.map((v) => v.code)).toEqual([
      'NEW_TARGET_BELOW_MIN_SIZE',
      'TOO_MANY_NEW_TARGETS_PER_ORGAN',
      'NEW_NODAL_TARGET_SHORT_AXIS_BELOW_15',
    ]);
    expect(e.timepoints[0].irecist?.flags).toContain('NEW_LESION_DESIGNATION_VIOLATION');
  });
  it('the NLT sum is never added to the target sum', () => {
    const e = run(twoTargets([{ targets: [25, 15], newLesions: [nlt('N1', 30)] }]));
    expect(e.timepoints[0].irecist).toMatchObject({ targetSumMm: 40, nltSumMm: 30, newLesionCount: 1, newLesionsAppeared: ['N1'] });
  });
});
