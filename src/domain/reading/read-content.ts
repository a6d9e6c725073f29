// What a reader enters for one timepoint, and the structural checks that a read is complete before it is
// signed. Measurability and target limits are the response engine's (it reports them as baseline violations);
// here we only check that every lesion the reader committed to at baseline is accounted for.
import type { IrecistNewLesionType, NewLesionStatus, NonTargetStatus, TargetStatus } from './engine-contract.js';
import type { MeasurementCaliper } from './measurement-caliper.js';
import type { ResponseCriteria } from './paradigm.js';

/** How the final measurement relates to the AI proposal (segmentation or propagation); all four are recorded. */
export const MEASUREMENT_DECISIONS = ['accepted', 'edited', 'rejected', 'manual'] as const;
export type MeasurementDecision = (typeof MEASUREMENT_DECISIONS)[number];

export interface AiSource {
  modelId: string;
  version: string;
  sha256: string;
  /** the segmentation the proposal came from (its thumbnail is shown in the read report) */
  segmentationId?: string;
}

export interface Measurement {
  finalMm: number;
  aiProposalMm?: number | null;
  aiSource?: AiSource | null;
  decision: MeasurementDecision;
  /** where it was measured (measurement-caliper.ts checks it against the series and finalMm) */
  caliper?: MeasurementCaliper;
}

export interface TargetEntry {
  id: string;
  organ?: string;
  location?: string;
  nodal?: boolean;
  method?: string;
  status?: TargetStatus;
  measurement?: Measurement;
  fragmentsMm?: number[];
  coalescedInto?: string;
}

export interface NonTargetEntry {
  id: string;
  organ?: string;
  location?: string;
  nodal?: boolean;
  status?: NonTargetStatus;
  increasedSincePrevious?: boolean;
}

export interface NewLesionEntry {
  id: string;
  organ: string;
  location?: string;
  nodal: boolean;
  irecistType: IrecistNewLesionType;
  status: NewLesionStatus;
  measurement?: Measurement;
}

/** A reader who disagrees with the engine's response states theirs and why (never silently). */
export interface ResponseOverride { criteria: ResponseCriteria; response: string; reason?: string }

export interface ReadContent {
  imaging?: { modality: string; sliceThicknessMm: number };
  assessed?: boolean;
  targets: TargetEntry[];
  nonTargets: NonTargetEntry[];
  newLesions?: NewLesionEntry[];
  responseOverrides?: ResponseOverride[];
  notes?: string;
}

export type ReadKind = 'baseline' | 'followup';

export interface ContentProblem { pointer: string; detail: string }

function checkMeasurement(m: Measurement | undefined, at: string, out: ContentProblem[]): void {
  if (!m) {
    out.push({ pointer: at, detail: 'a measurement is required' });
    return;
  }
  const hasAi = m.aiProposalMm !== undefined && m.aiProposalMm !== null;
  switch (m.decision) {
    case 'manual':
      if (hasAi) out.push({ pointer: `${at}/decision`, detail: 'an AI proposal was present: record accepted, edited or rejected' });
      break;
    case 'accepted':
      if (!hasAi) out.push({ pointer: `${at}/decision`, detail: 'accepted needs the AI proposal' });
      else if (m.finalMm !== m.aiProposalMm) out.push({ pointer: `${at}/finalMm`, detail: 'an accepted proposal keeps its value; use edited' });
      break;
    case 'edited':
      if (!hasAi) out.push({ pointer: `${at}/decision`, detail: 'edited needs the AI proposal' });
      else if (m.finalMm === m.aiProposalMm) out.push({ pointer: `${at}/finalMm`, detail: 'the value is unchanged; use accepted' });
      break;
    case 'rejected':
      if (!hasAi) out.push({ pointer: `${at}/decision`, detail: 'rejected needs the AI proposal' });
      break;
  }
  if (hasAi && !m.aiSource) out.push({ pointer: `${at}/aiSource`, detail: 'an AI proposal names its model (modelId, version, sha256)' });
}

function checkUniqueIds(content: ReadContent, out: ContentProblem[]): void {
  const seen = new Set<string>();
  const all = [
    ...content.targets.map((l, i) => [l.id, `/targets/${i}/id`] as const),
    ...content.nonTargets.map((l, i) => [l.id, `/nonTargets/${i}/id`] as const),
    ...(content.newLesions ?? []).map((l, i) => [l.id, `/newLesions/${i}/id`] as const),
  ];
  for (const [id, at] of all) {
    if (seen.has(id)) out.push({ pointer: at, detail: `lesion id ${id} is used twice` });
    seen.add(id);
  }
}

/** Problems that keep a read from being signed; an empty list means complete. */
export function readContentProblems(kind: ReadKind, content: ReadContent, baseline?: ReadContent): ContentProblem[] {
  const out: ContentProblem[] = [];
  checkUniqueIds(content, out);
  if (kind === 'baseline') {
    if (!content.imaging) out.push({ pointer: '/imaging', detail: 'state the baseline modality and slice thickness' });
    if (content.targets.length === 0 && content.nonTargets.length === 0) out.push({ pointer: '/targets', detail: 'record the baseline disease: target or non-target lesions' });
    content.targets.forEach((t, i) => {
      if (!t.organ) out.push({ pointer: `/targets/${i}/organ`, detail: 'organ is required' });
      if (!t.location) out.push({ pointer: `/targets/${i}/location`, detail: 'location is required' });
      if (t.nodal === undefined) out.push({ pointer: `/targets/${i}/nodal`, detail: 'say whether the lesion is a lymph node' });
      if (t.status !== undefined) out.push({ pointer: `/targets/${i}/status`, detail: 'baseline targets are measured, not given a status' });
      checkMeasurement(t.measurement, `/targets/${i}/measurement`, out);
    });
    content.nonTargets.forEach((n, i) => {
      if (!n.organ) out.push({ pointer: `/nonTargets/${i}/organ`, detail: 'organ is required' });
      if (!n.location) out.push({ pointer: `/nonTargets/${i}/location`, detail: 'location is required' });
      if (n.nodal === undefined) out.push({ pointer: `/nonTargets/${i}/nodal`, detail: 'say whether the lesion is a lymph node' });
    });
    if ((content.newLesions ?? []).length > 0) out.push({ pointer: '/newLesions', detail: 'there are no new lesions at baseline' });
    if ((content.responseOverrides ?? []).length > 0) out.push({ pointer: '/responseOverrides', detail: 'baseline has no response to override' });
    return out;
  }
  if (!baseline) return [{ pointer: '/', detail: 'the baseline read is not signed' }];
  if (content.assessed === false) return out;
  const expect = (have: string[], want: string[], where: string, what: string) => {
    for (const id of want) if (!have.includes(id)) out.push({ pointer: where, detail: `${what} ${id} from baseline has no assessment` });
    for (const id of have) if (!want.includes(id)) out.push({ pointer: where, detail: `${what} ${id} is not a baseline ${what}` });
  };
  expect(content.targets.map((t) => t.id), baseline.targets.map((t) => t.id), '/targets', 'target');
  expect(content.nonTargets.map((t) => t.id), baseline.nonTargets.map((t) => t.id), '/nonTargets', 'non-target');
  content.targets.forEach((t, i) => {
    const at = `/targets/${i}`;
    switch (t.status) {
      case undefined:
        out.push({ pointer: `${at}/status`, detail: 'state the target\'s status' });
        break;
      case 'measured':
        checkMeasurement(t.measurement, `${at}/measurement`, out);
        break;
      case 'split':
        if (!t.fragmentsMm?.length) out.push({ pointer: `${at}/fragmentsMm`, detail: 'a split target lists its fragments' });
        break;
      case 'coalesced':
        if (!t.coalescedInto || !baseline.targets.some((b) => b.id === t.coalescedInto && b.id !== t.id)) {
          out.push({ pointer: `${at}/coalescedInto`, detail: 'name the baseline target it merged into' });
        }
        break;
      case 'too_small':
      case 'disappeared':
      case 'not_evaluated':
        break;
    }
  });
  content.nonTargets.forEach((n, i) => {
    if (!n.status) out.push({ pointer: `/nonTargets/${i}/status`, detail: 'state the non-target\'s status' });
  });
  (content.newLesions ?? []).forEach((n, i) => {
    if (n.measurement) checkMeasurement(n.measurement, `/newLesions/${i}/measurement`, out);
  });
  return out;
}

/** Every target measurement of a read with its AI decision, for the AI-assist statistics. */
export function measurementsOf(content: ReadContent): Measurement[] {
  return [
    ...content.targets.flatMap((t) => (t.measurement ? [t.measurement] : [])),
    ...(content.newLesions ?? []).flatMap((n) => (n.measurement ? [n.measurement] : [])),
  ];
}
