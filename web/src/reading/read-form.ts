import type { ContentProblem, Evaluation, Measurement, ReadContent, ReadView, TargetLesion } from './model.js';

// The read editor's pure rules: what a new read starts from, lesion ids, how a measurement records what the reader
// did with an AI proposal, what is sent to PUT .../draft, and how the server's problems read on screen. The server
// checks all of it again (src/domain/reading/read-content.ts); this only keeps the form honest and readable.

/** A baseline read has no earlier signed read of the reader's own (reads are done in timepoint order, BL-06). */
export const isBaselineRead = (read: Pick<ReadView, 'previous'>): boolean => read.previous.length === 0;

/** The signed baseline content this follow-up assesses (the reader's own, from `previous`). */
export const baselineOf = (read: Pick<ReadView, 'previous'>): ReadContent | null => read.previous[0]?.content ?? null;

/**
 * Where the editor starts: the current version's content when there is one (a draft, or an AI pre-fill); else an
 * empty baseline, or, at follow-up, every baseline target and non-target by id with no status yet (RECIST 1.1
 * §4.3: each baseline lesion is assessed at every timepoint) and no new lesions.
 */
export function startingContent(read: ReadView): ReadContent {
  const current = read.versions.find((v) => v.version === read.currentVersion);
  if (current) return structuredClone(current.content);
  const baseline = baselineOf(read);
  if (!baseline) return { targets: [], nonTargets: [] };
  return {
    targets: baseline.targets.map((t) => ({ id: t.id })),
    nonTargets: baseline.nonTargets.map((n) => ({ id: n.id })),
    newLesions: [],
  };
}

/** The first unused id with this prefix across all of the read's lesions (T1, NT1, N1...). */
export function nextLesionId(content: ReadContent, prefix: 'T' | 'NT' | 'N'): string {
  const used = new Set([...content.targets, ...content.nonTargets, ...(content.newLesions ?? [])].map((l) => l.id));
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

export const hasAiProposal = (m: Measurement | undefined): m is Measurement & { aiProposalMm: number } => m?.aiProposalMm !== undefined && m?.aiProposalMm !== null;

/** The reader's choice on an AI proposal, shown as three radio buttons. */
export type AiChoice = 'accept' | 'edit' | 'reject';
export const aiChoiceOf = (m: Measurement): AiChoice => (m.decision === 'accepted' ? 'accept' : m.decision === 'rejected' ? 'reject' : 'edit');

/**
 * A measurement's caliper depicts its value (the server refuses one whose length is not finalMm): a value that
 * changes, or a rejection (the value is then the reader's own, typed), leaves the caliper behind.
 */
function withoutCaliper(m: Measurement): Measurement {
  const { caliper: _, ...rest } = m;
  return rest;
}

/** Accepting keeps the proposal's value; editing and rejecting keep the reader's value, now theirs. */
export function chooseOnAi(m: Measurement & { aiProposalMm: number }, choice: AiChoice): Measurement {
  switch (choice) {
    case 'accept':
      return { ...(m.finalMm === m.aiProposalMm ? m : withoutCaliper(m)), finalMm: m.aiProposalMm, decision: 'accepted' };
    case 'edit':
      return { ...m, decision: 'edited' };
    case 'reject':
      return { ...withoutCaliper(m), decision: 'rejected' };
  }
}

/**
 * The reader typed a final value (null: the field is empty). Without an AI proposal the measurement is manual, or
 * absent when empty. With one, the value is kept (an empty field does not erase the proposal) and the decision
 * stays as chosen; the value field is disabled while the proposal is accepted.
 */
export function typedFinal(m: Measurement | undefined, finalMm: number | null): Measurement | undefined {
  if (finalMm === null) return hasAiProposal(m) ? m : undefined;
  if (m && m.finalMm === finalMm) return m;
  if (hasAiProposal(m)) return { ...withoutCaliper(m), finalMm };
  return { finalMm, decision: 'manual' };
}

/** Empty text fields are left out: the contract's strings have a minimum length where they are present. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/** What PUT .../draft receives: the content with empty fields removed (nothing the form only shows). */
export function contentForSave(c: ReadContent): ReadContent {
  return clean({
    ...c,
    targets: c.targets.map((t) => clean({ ...t, fragmentsMm: t.status === 'split' ? t.fragmentsMm : undefined, coalescedInto: t.status === 'coalesced' ? t.coalescedInto : undefined, measurement: t.status === undefined || t.status === 'measured' ? t.measurement : undefined })),
    nonTargets: c.nonTargets.map((n) => clean(n)),
    // A new lesion is sent once its organ is given (the contract requires one); the row says so until then.
    newLesions: c.newLesions?.filter((n) => n.organ.trim() !== '').map((n) => clean(n)),
    responseOverrides: c.responseOverrides?.length ? c.responseOverrides : undefined,
    notes: c.notes?.trim() ? c.notes : undefined,
  });
}

/** "Target T2: organ is required", from the server's JSON pointer into the content. */
export function describeProblem(content: ReadContent, p: ContentProblem): string {
  const [, list, index] = p.pointer.split('/');
  const i = Number(index);
  const named = (what: string, l: { id: string } | undefined) => (l ? `${what} ${l.id}` : what);
  switch (list) {
    case 'targets':
      return Number.isInteger(i) ? `${named('Target', content.targets[i])}: ${p.detail}` : `Targets: ${p.detail}`;
    case 'nonTargets':
      return Number.isInteger(i) ? `${named('Non-target', content.nonTargets[i])}: ${p.detail}` : `Non-targets: ${p.detail}`;
    case 'newLesions':
      return Number.isInteger(i) ? `${named('New lesion', content.newLesions?.[i])}: ${p.detail}` : `New lesions: ${p.detail}`;
    case 'imaging':
      return `Imaging: ${p.detail}`;
    case 'responseOverrides':
      return `Response: ${p.detail}`;
    default:
      return p.detail;
  }
}

/** The engine's explanation is one sentence per category, joined by "; " (src/domain/response): one line each. */
export const explanationParts = (text: string | undefined): string[] => (text ? text.split(/;\s+/).filter(Boolean) : []);

/** The engine's answer for the timepoint being read (absent at baseline). */
export const timepointOf = (e: Evaluation | null | undefined, label: string) => e?.timepoints.find((t) => t.label === label) ?? null;

/** Measurement of a target at an earlier read, for the follow-up table (baseline, previous timepoint). */
export function priorMm(content: ReadContent | undefined, id: string): number | null {
  const t: TargetLesion | undefined = content?.targets.find((x) => x.id === id);
  if (!t) return null;
  if (t.status === 'split') return (t.fragmentsMm ?? []).reduce((a, b) => a + b, 0);
  if (t.status && t.status !== 'measured') return t.status === 'disappeared' || t.status === 'coalesced' ? 0 : t.status === 'too_small' ? 5 : null;
  return t.measurement?.finalMm ?? null;
}

export const formatMm = (mm: number | null | undefined): string => (mm === null || mm === undefined ? '—' : `${Number(mm.toFixed(1))} mm`);
