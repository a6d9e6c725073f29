import { describe, expect, it } from 'vitest';
import { type SubjectComparison, readerPerformance } from './reader-performance.js';

const subject = (id: string, r1: string, r2: string, tps: Array<[string, string]>, adj: Array<[1 | 2, SubjectComparison['adjudications'][number]['cause']]>): SubjectComparison => ({
  subjectId: id,
  reader1: r1,
  reader2: r2,
  timepointPairs: tps.map(([a, b], i) => ({ label: `TP${i + 1}`, r1: a, r2: b })),
  bor: tps.length ? { r1: tps[0][0], r2: tps[0][1] } : null,
  adjudications: adj.map(([chosenReaderNo, cause]) => ({ chosenReaderNo, cause })),
  adjudicationOpen: false,
});

describe(readerPerformance.name, () => {
  const subjects = [
    subject('s1', 'ann', 'bob', [['PR', 'SD']], [[1, 'measurement']]),
    subject('s2', 'bob', 'cat', [['SD', 'SD']], []),
    subject('s3', 'ann', 'cat', [['PD', 'SD']], [[2, 'new_lesion']]),
    subject('s4', 'cat', 'ann', [['SD', 'SD']], []),
  ];
  const uses = [
    { readerId: 'ann', decision: 'accepted' as const, aiProposalMm: 20, finalMm: 20 },
    { readerId: 'ann', decision: 'edited' as const, aiProposalMm: 20, finalMm: 23 },
    { readerId: 'ann', decision: 'edited' as const, aiProposalMm: 10, finalMm: 9 },
    { readerId: 'ann', decision: 'rejected' as const, aiProposalMm: 30, finalMm: 12 },
    { readerId: 'bob', decision: 'manual' as const, aiProposalMm: null, finalMm: 12 },
  ];
  const perf = readerPerformance(subjects, uses);

  it('gives trial-level rates, choices, causes and agreement', () => {
    expect(perf.trial).toMatchObject({ subjectsCompared: 4, subjectsAdjudicated: 2, adjudicationRate: 0.5, adjudicationsCompleted: 2, chosen: { reader1: 1, reader2: 1 } });
    expect(perf.trial.discordanceCauses).toEqual({ target_selection: 0, measurement: 1, new_lesion: 1, non_target_assessment: 0, image_quality: 0, other: 0 });
    expect(perf.trial.timepointAgreement).toMatchObject({ n: 4, observed: 0.5 });
  });

  it('gives per-reader disagreement index and AI use', () => {
    const ann = perf.readers.find((r) => r.readerId === 'ann')!;
    // ann was reader 1 of s1 (chosen) and of s3 (not chosen): disagreement index 1/2.
    expect(ann).toMatchObject({ subjectsCompared: 3, chosen: 1, notChosen: 1, disagreementIndex: 0.5, adjudicationRate: 2 / 3 });
    expect(ann.aiAssist).toEqual({ proposals: 4, accepted: 1, edited: 2, rejected: 1, manual: 0, acceptanceRate: 0.25, meanEditMm: 2 });
    const bob = perf.readers.find((r) => r.readerId === 'bob')!;
    expect(bob).toMatchObject({ chosen: 0, notChosen: 1, disagreementIndex: 1 });
    expect(bob.aiAssist).toMatchObject({ proposals: 0, manual: 1, acceptanceRate: null, meanEditMm: null });
    expect(perf.readers.find((r) => r.readerId === 'cat')).toMatchObject({ chosen: 1, notChosen: 0, disagreementIndex: 0 });
  });
});
