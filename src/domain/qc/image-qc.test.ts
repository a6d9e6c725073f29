import { describe, expect, it } from 'vitest';
import { type QcInput, type ReceivedSeries, evaluateImageQc } from './image-qc.js';

const series = (o: Partial<ReceivedSeries> = {}): ReceivedSeries => ({
  seriesId: 's1', modality: 'CT', sliceThicknessMm: 2.5, kvp: 120, kernel: 'STANDARD', contrast: true, coverageMm: 350,
  volumeProblems: [], quarantined: 0, instances: 140, ...o,
});
const input = (o: Partial<QcInput> = {}): QcInput => ({
  charter: {
    requirements: [{ modality: 'CT', maxSliceThicknessMm: 5, kvp: { min: 80, max: 140 }, contrast: 'required', minCoverageMm: 300 }],
    visits: [
      { code: 'BASELINE', visitNum: 1, label: 'Baseline', dayOffset: 0, windowDays: 0 },
      { code: 'TP1', visitNum: 2, label: 'Week 8', dayOffset: 56, windowDays: 7 },
    ],
  },
  visitCode: 'TP1', studyDate: '2024-03-04', baselineStudyDate: '2024-01-08', series: [series()], ...o,
});

describe('image QC against the charter', () => {
  it('passes a conforming visit', () => {
    expect(evaluateImageQc(input())).toEqual({ outcome: 'pass', findings: [] });
  });
  it.each([
    [{ sliceThicknessMm: 7.5 }, 'SLICE_TOO_THICK'],
    [{ kvp: 150 }, 'KVP_OUT_OF_RANGE'],
    [{ contrast: false }, 'CONTRAST_MISSING'],
    [{ coverageMm: 120 }, 'COVERAGE_TOO_SHORT'],
    [{ volumeProblems: [{ code: 'MISSING_SLICES', detail: 'gap of 2 slices', severity: 'error' as const }] }, 'VOLUME_PROBLEM'],
  ])('fails when %o (%s)', (o, code) => {
    const r = evaluateImageQc(input({ series: [series(o)] }));
    expect(r.outcome).toBe('fail');
    expect(r.findings.map((f) => f.code)).toContain(code);
  });
  it('passes when one of several series conforms, and reports no image as a failure', () => {
    expect(evaluateImageQc(input({ series: [series({ seriesId: 'thick', sliceThicknessMm: 10 }), series()] })).outcome).toBe('pass');
    expect(evaluateImageQc(input({ series: [] })).findings[0].code).toBe('NO_IMAGES');
    expect(evaluateImageQc(input({ series: [series({ quarantined: 140 })] })).outcome).toBe('fail');
  });
  it('flags a visit outside its window as a finding, not a failure', () => {
    const r = evaluateImageQc(input({ studyDate: '2024-03-20' }));
    expect(r.outcome).toBe('pass_with_findings');
    expect(r.findings[0]).toMatchObject({ code: 'VISIT_OUT_OF_WINDOW', detail: expect.stringContaining('day 72') });
  });
});
