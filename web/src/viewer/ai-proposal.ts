import type { components } from '../api/schema.js';
import type { Measurement } from '../reading/model.js';
import { type Vec3, distanceMm } from './series-geometry.js';

// What an AI segmentation proposes for a lesion and what the reader's choice on it writes into the read: the
// measurement fields that already record AI assistance (aiProposalMm, aiSource, decision accepted / edited /
// rejected, src/domain/reading/read-content.ts). The proposal is the long axis, or the short axis for a lymph node
// (RECIST 1.1 §3.3.1); an edit moves the caliper endpoints and the length is measured again in patient mm.

export type Segmentation = components['schemas']['Segmentation'];
export type CaliperLine = components['schemas']['CaliperLine'];
export type MeasurementCaliper = components['schemas']['MeasurementCaliper'];

export interface Caliper {
  from: Vec3;
  to: Vec3;
}

/** Diameters are recorded to a tenth of a millimetre (as the lesion table shows them). */
export const roundMm = (mm: number): number => Math.round(mm * 10) / 10;

export const caliperMm = (c: Caliper): number => roundMm(distanceMm(c.from, c.to));

export const caliperOf = (line: CaliperLine): Caliper => ({ from: [...line.fromPatientMm] as Vec3, to: [...line.toPatientMm] as Vec3 });

/** The axis that is the lesion's RECIST measurement. */
export const measuredAxis = (nodal: boolean): 'longAxis' | 'shortAxis' => (nodal ? 'shortAxis' : 'longAxis');

export type SegmentationView =
  | { kind: 'pending'; state: string }
  | { kind: 'failed'; detail: string }
  | { kind: 'nothing'; detail: string }
  | { kind: 'proposal'; k: number; long: Caliper; short: Caliper; longMm: number; shortMm: number; confidence: number | null; source: AiSource };

export type AiSource = NonNullable<Measurement['aiSource']>;

/** Reads a segmentation as the viewer shows it: still running, failed, nothing found, or a measured proposal. */
export function viewOf(s: Segmentation): SegmentationView {
  if (s.state === 'queued' || s.state === 'running') return { kind: 'pending', state: s.state };
  if (s.state !== 'done') return { kind: 'failed', detail: s.error ?? `the segmentation was ${s.state}` };
  if (s.outcome === 'nothing-found') return { kind: 'nothing', detail: 'The model found no lesion at this point.' };
  if (s.outcome === 'not-found') return { kind: 'nothing', detail: 'The lesion was not found in this series (gone, or not located).' };
  const m = s.measurement;
  const p = s.provenance;
  if (!m || !p) return { kind: 'failed', detail: 'the segmentation has no measurement' };
  return { kind: 'proposal', k: m.k, long: caliperOf(m.longAxis), short: caliperOf(m.shortAxis), longMm: roundMm(m.longAxis.lengthMm), shortMm: roundMm(m.shortAxis.lengthMm), confidence: s.confidence ?? null, source: { modelId: p.modelId, version: p.modelVersion, sha256: p.modelSha256, segmentationId: s.id } };
}

/** The AI's value for the lesion: the measured axis's length as the server measured it. */
export const proposedMm = (v: Extract<SegmentationView, { kind: 'proposal' }>, nodal: boolean): number => (nodal ? v.shortMm : v.longMm);

/**
 * Where the reader saw the measurement (the read's `caliper`, so the adjudicator can draw it): the series, the slice
 * and both axes' ends in patient mm. The server checks that the measured axis is finalMm long to 0.05 mm, which
 * holds by construction: finalMm is this caliper's length rounded to 0.1 mm.
 */
export const measurementCaliper = (seriesId: string, k: number, long: Caliper, short: Caliper | null): MeasurementCaliper => ({
  seriesId,
  k,
  longAxis: { fromMm: [...long.from], toMm: [...long.to] },
  ...(short ? { shortAxis: { fromMm: [...short.from], toMm: [...short.to] } } : {}),
});

const withCaliper = (m: Measurement, caliper: MeasurementCaliper | undefined): Measurement => (caliper ? { ...m, caliper } : m);

/** Accepting keeps the AI's value (and its calipers, where the proposal was seen). */
export const acceptedMeasurement = (proposalMm: number, source: AiSource, caliper?: MeasurementCaliper): Measurement =>
  withCaliper({ finalMm: proposalMm, aiProposalMm: proposalMm, aiSource: source, decision: 'accepted' }, caliper);

/** The reader moved the calipers: their length is the final value (an unchanged length is still an acceptance). */
export function editedMeasurement(proposalMm: number, source: AiSource, finalMm: number, caliper?: MeasurementCaliper): Measurement {
  const mm = roundMm(finalMm);
  return mm === proposalMm ? acceptedMeasurement(proposalMm, source, caliper) : withCaliper({ finalMm: mm, aiProposalMm: proposalMm, aiSource: source, decision: 'edited' }, caliper);
}

/** Rejecting keeps the proposal on record; the final value is the reader's own (typed in the lesion table), so no caliper. */
export const rejectedMeasurement = (proposalMm: number, source: AiSource, readerMm: number | undefined): Measurement => ({ finalMm: readerMm ?? proposalMm, aiProposalMm: proposalMm, aiSource: source, decision: 'rejected' });

/**
 * The reader's own segmentation that produced a lesion's recorded AI proposal, for propagation at follow-up: the one
 * named by aiSource.segmentationId, else a finished prompt segmentation of the reader's by the same model whose
 * measured axis, rounded as recorded, equals aiProposalMm (newest first).
 */
export function sourceSegmentation(segmentations: Segmentation[], m: Measurement | undefined, nodal: boolean): Segmentation | null {
  if (!m || m.aiProposalMm === undefined || m.aiProposalMm === null) return null;
  // A proposal recorded with its segmentation's id (aiSource.segmentationId) names it outright; older reads are
  // matched by value and model below.
  const named = m.aiSource?.segmentationId;
  const byId = named ? segmentations.find((s) => s.id === named && s.kind === 'prompt') : undefined;
  if (byId) return byId;
  for (const s of segmentations) {
    const v = viewOf(s);
    if (s.kind !== 'prompt' || v.kind !== 'proposal') continue;
    if (m.aiSource && (v.source.modelId !== m.aiSource.modelId || v.source.version !== m.aiSource.version)) continue;
    if (proposedMm(v, nodal) === m.aiProposalMm) return s;
  }
  return null;
}

/** Moves one caliper endpoint; the other stays. */
export const moveEnd = (c: Caliper, end: 'from' | 'to', p: Vec3): Caliper => (end === 'from' ? { from: p, to: c.to } : { from: c.from, to: p });
