// Who reads and who adjudicates a subject. Independence (FDA 2018 imaging endpoint standards; BL-05): the two
// readers of a subject are different people, and nobody adjudicates a subject they read. Load balancing: the
// least-loaded eligible members get the work, ties broken by a stable order so assignment is reproducible.
export interface PoolMember {
  userId: string;
  /** reads (or adjudications) assigned and not yet signed */
  openLoad: number;
  /** subjects (or adjudications) ever assigned in this trial */
  totalLoad: number;
}

const byLoad = (a: PoolMember, b: PoolMember) =>
  a.openLoad - b.openLoad || a.totalLoad - b.totalLoad || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

/** The readers for a new subject, reader 1 first; fewer than `count` eligible members is an error for the caller. */
export function chooseReaders(pool: PoolMember[], count: 1 | 2, excluded: ReadonlySet<string> = new Set()): string[] | null {
  const eligible = pool.filter((m) => !excluded.has(m.userId)).sort(byLoad);
  if (eligible.length < count) return null;
  return eligible.slice(0, count).map((m) => m.userId);
}

/** The adjudicator of a subject: never one of its readers. */
export function chooseAdjudicator(pool: PoolMember[], subjectReaders: readonly string[]): string | null {
  const eligible = pool.filter((m) => !subjectReaders.includes(m.userId)).sort(byLoad);
  return eligible[0]?.userId ?? null;
}

export type AssignmentProblem =
  | { code: 'SAME_READER_TWICE' }
  | { code: 'NOT_IN_READER_POOL'; userId: string }
  | { code: 'ADJUDICATOR_MAY_NOT_READ'; userId: string }
  | { code: 'ADJUDICATES_THIS_SUBJECT'; userId: string }
  | { code: 'READ_THIS_SUBJECT'; userId: string }
  | { code: 'NOT_IN_ADJUDICATOR_POOL'; userId: string };

export function readerAssignmentProblems(opts: {
  readers: readonly string[];
  readerPool: readonly string[];
  adjudicatorPool: readonly string[];
  adjudicatorMayRead: boolean;
  adjudicatorsOfSubject: readonly string[];
}): AssignmentProblem[] {
  const out: AssignmentProblem[] = [];
  if (new Set(opts.readers).size !== opts.readers.length) out.push({ code: 'SAME_READER_TWICE' });
  for (const u of opts.readers) {
    if (!opts.readerPool.includes(u)) out.push({ code: 'NOT_IN_READER_POOL', userId: u });
    if (!opts.adjudicatorMayRead && opts.adjudicatorPool.includes(u)) out.push({ code: 'ADJUDICATOR_MAY_NOT_READ', userId: u });
    if (opts.adjudicatorsOfSubject.includes(u)) out.push({ code: 'ADJUDICATES_THIS_SUBJECT', userId: u });
  }
  return out;
}

export function adjudicatorAssignmentProblems(opts: { userId: string; adjudicatorPool: readonly string[]; subjectReaders: readonly string[] }): AssignmentProblem[] {
  const out: AssignmentProblem[] = [];
  if (!opts.adjudicatorPool.includes(opts.userId)) out.push({ code: 'NOT_IN_ADJUDICATOR_POOL', userId: opts.userId });
  if (opts.subjectReaders.includes(opts.userId)) out.push({ code: 'READ_THIS_SUBJECT', userId: opts.userId });
  return out;
}

export function describeAssignmentProblem(p: AssignmentProblem): string {
  switch (p.code) {
    case 'SAME_READER_TWICE':
      return 'one person cannot be both reader 1 and reader 2 of a subject';
    case 'NOT_IN_READER_POOL':
      return `user ${p.userId} is not an active reader on this trial`;
    case 'ADJUDICATOR_MAY_NOT_READ':
      return `user ${p.userId} is an adjudicator and the charter does not let adjudicators read`;
    case 'ADJUDICATES_THIS_SUBJECT':
      return `user ${p.userId} adjudicates this subject and cannot read it`;
    case 'READ_THIS_SUBJECT':
      return `user ${p.userId} reads this subject and cannot adjudicate it`;
    case 'NOT_IN_ADJUDICATOR_POOL':
      return `user ${p.userId} is not an active adjudicator on this trial`;
  }
}
