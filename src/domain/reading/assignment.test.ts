// @req BL-05
import { describe, expect, it } from 'vitest';
import { adjudicatorAssignmentProblems, chooseAdjudicator, chooseReaders, readerAssignmentProblems } from './assignment.js';

const m = (userId: string, openLoad: number, totalLoad = openLoad) => ({ userId, openLoad, totalLoad });

describe('reader and adjudicator assignment', () => {
  it('chooses the least-loaded distinct readers, breaking ties by total load then id', () => {
    expect(chooseReaders([m('c', 2), m('a', 0), m('b', 1)], 2)).toEqual(['a', 'b']);
    expect(chooseReaders([m('b', 0, 3), m('a', 0, 5), m('c', 0, 3)], 2)).toEqual(['b', 'c']);
    expect(chooseReaders([m('a', 0), m('b', 0)], 2, new Set(['a']))).toBeNull();
    expect(chooseReaders([m('a', 0)], 1)).toEqual(['a']);
  });

  it('never picks a reader of the subject as its adjudicator', () => {
    expect(chooseAdjudicator([m('r1', 0), m('x', 9)], ['r1', 'r2'])).toBe('x');
    expect(chooseAdjudicator([m('r1', 0), m('r2', 0)], ['r1', 'r2'])).toBeNull();
  });

  it.each([
    [['u1', 'u1'], [], ['SAME_READER_TWICE']],
    [['u1', 'u9'], [], ['NOT_IN_READER_POOL']],
    [['u1', 'adj'], [], ['ADJUDICATOR_MAY_NOT_READ']],
    [['u1', 'u2'], ['u2'], ['ADJUDICATES_THIS_SUBJECT']],
    [['u1', 'u2'], [], []],
  ])('readers %j (adjudicating the subject: %j) -> %j', (readers, adjudicatorsOfSubject, codes) => {
    const p = readerAssignmentProblems({ readers, readerPool: ['u1', 'u2', 'adj'], adjudicatorPool: ['adj'], adjudicatorMayRead: false, adjudicatorsOfSubject });
    expect(p.map((x) => x.code)).toEqual(codes);
  });

  it('lets adjudicators read where the charter says so', () => {
    expect(readerAssignmentProblems({ readers: ['u1', 'adj'], readerPool: ['u1', 'adj'], adjudicatorPool: ['adj'], adjudicatorMayRead: true, adjudicatorsOfSubject: [] })).toEqual([]);
  });

  it('refuses an adjudicator who read the subject or is not in the pool', () => {
    expect(adjudicatorAssignmentProblems({ userId: 'r1', adjudicatorPool: ['r1', 'a'], subjectReaders: ['r1', 'r2'] }).map((x) => x.code)).toEqual(['READ_THIS_SUBJECT']);
    expect(adjudicatorAssignmentProblems({ userId: 'z', adjudicatorPool: ['a'], subjectReaders: [] }).map((x) => x.code)).toEqual(['NOT_IN_ADJUDICATOR_POOL']);
  });
});
