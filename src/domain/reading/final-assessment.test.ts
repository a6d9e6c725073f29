import { describe, expect, it } from 'vitest';
import { type ActiveAdjudication, finalAssessment } from './final-assessment.js';

const tps = (n: number, signed = n) =>
  Array.from({ length: n }, (_, i) => ({ timepointId: `tp${i}`, label: i === 0 ? 'BASELINE' : `TP${i}`, reader1: i < signed ? `r1@${i}` : null, reader2: i < signed ? `r2@${i}` : null }));
const adj = (through: number, state: 'open' | 'completed', chosen: 1 | 2 | null = null): ActiveAdjudication => ({ id: `a${through}`, throughTimepointId: `tp${through}`, state, chosenReaderNo: chosen });
const summary = (rows: ReturnType<typeof finalAssessment<string>>) => rows.map((r) => `${r.label}:${r.source}:${r.readerNo ?? '-'}:${r.read ?? '-'}`);

describe(finalAssessment.name, () => {
  it('uses reader 1 as the reference for concordant reads and marks unsigned timepoints', () => {
    expect(summary(finalAssessment('subject', 2, tps(3, 2), []))).toEqual(['BASELINE:concordant:1:r1@0', 'TP1:concordant:1:r1@1', 'TP2:not_read:-:-']);
  });

  it('subject scope: the latest adjudication decides every timepoint up to it; later concordant ones keep the chosen reader', () => {
    const rows = finalAssessment('subject', 2, tps(4), [adj(1, 'completed', 1), adj(2, 'completed', 2)]);
    expect(summary(rows)).toEqual(['BASELINE:adjudicated:2:r2@0', 'TP1:adjudicated:2:r2@1', 'TP2:adjudicated:2:r2@2', 'TP3:concordant:2:r2@3']);
  });

  it('subject scope: an open adjudication leaves what it covers pending', () => {
    expect(summary(finalAssessment('subject', 2, tps(3), [adj(1, 'completed', 1), adj(2, 'open')]))).toEqual([
      'BASELINE:pending_adjudication:-:-',
      'TP1:pending_adjudication:-:-',
      'TP2:pending_adjudication:-:-',
    ]);
  });

  it('timepoint scope: each adjudication decides its own timepoint only', () => {
    expect(summary(finalAssessment('timepoint', 2, tps(3), [adj(1, 'completed', 2), adj(2, 'open')]))).toEqual([
      'BASELINE:concordant:1:r1@0',
      'TP1:adjudicated:2:r2@1',
      'TP2:pending_adjudication:-:-',
    ]);
  });

  it('a one-reader paradigm is final once reader 1 signs', () => {
    const one = tps(2).map((t) => ({ ...t, reader2: null }));
    expect(summary(finalAssessment('subject', 1, one, []))).toEqual(['BASELINE:concordant:1:r1@0', 'TP1:concordant:1:r1@1']);
  });
});
