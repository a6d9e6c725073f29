// @req BL-07: fixture pairs of reads give the expected triggers.
import { describe, expect, it } from 'vitest';
import { type ReaderCourse, daysBetween, evaluateTriggers, progressionPoint } from './adjudication-triggers.js';
import type { ReadingParadigm } from './paradigm.js';

const ALL: ReadingParadigm['adjudication'] = {
  triggers: ['best_overall_response_differs', 'progression_date_differs', 'timepoint_response_differs'],
  progressionDateToleranceDays: 0,
  criteria: 'RECIST1.1',
  scope: 'subject',
  adjudicatorMayRead: false,
};
const DATES = ['2024-03-04', '2024-04-29', '2024-06-24'];
const course = (responses: string[], bor: string | null): ReaderCourse => ({
  timepoints: responses.map((r, i) => ({ label: `TP${i + 1}`, date: DATES[i], response: r })),
  bestOverallResponse: bor,
});

describe(evaluateTriggers.name, () => {
  it.each([
    ['concordant reads', course(['PR', 'PR', 'PD'], 'PR'), course(['PR', 'PR', 'PD'], 'PR'), ALL, []],
    ['different BOR only at TP level', course(['SD', 'PR'], 'PR'), course(['PR', 'PR'], 'PR'), ALL, [{ trigger: 'timepoint_response_differs', label: 'TP1', reader1: 'SD', reader2: 'PR' }]],
    ['different best overall response', course(['PR'], 'PR'), course(['SD'], 'SD'), { ...ALL, triggers: ['best_overall_response_differs'] }, [{ trigger: 'best_overall_response_differs', reader1: 'PR', reader2: 'SD' }]],
    ['progression 56 days apart', course(['PD'], 'PD'), course(['SD', 'PD'], 'SD'), { ...ALL, triggers: ['progression_date_differs'] }, [{ trigger: 'progression_date_differs', reader1: 'TP1', reader2: 'TP2', daysApart: 56 }]],
    ['progression 56 days apart within a 60-day tolerance', course(['PD'], 'PD'), course(['SD', 'PD'], 'SD'), { ...ALL, triggers: ['progression_date_differs'] as const, progressionDateToleranceDays: 60 }, []],
    ['progression by one reader only', course(['SD', 'PD'], 'SD'), course(['SD', 'SD'], 'SD'), { ...ALL, triggers: ['progression_date_differs'] }, [{ trigger: 'progression_date_differs', reader1: 'TP2', reader2: null, daysApart: null }]],
    ['a trigger the charter does not list never fires', course(['SD', 'PR'], 'PR'), course(['PR', 'PR'], 'PR'), { ...ALL, triggers: ['best_overall_response_differs'] }, []],
  ] as const)('%s', (_name, r1, r2, adjudication, expected) => {
    expect(evaluateTriggers({ ...adjudication, triggers: [...adjudication.triggers] }, r1, r2)).toEqual(expected);
  });

  it('takes the iRECIST progression date from the iUPD that opened the confirmed episode', () => {
    const c = course(['iUPD', 'iCPD'], 'iSD');
    expect(progressionPoint(c, 'iRECIST')).toEqual({ label: 'TP1', date: DATES[0] });
    expect(progressionPoint(course(['iUPD', 'iSD', 'iUPD'], 'iSD'), 'iRECIST')).toBeNull(); // never confirmed
    expect(progressionPoint(course(['iUPD', 'iSD', 'iUPD', 'iCPD'], 'iSD'), 'iRECIST')).toEqual({ label: 'TP3', date: DATES[2] }); // reset in between
  });

  it('counts calendar days across a leap day', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2023-02-28', '2023-03-01')).toBe(1);
  });
});
