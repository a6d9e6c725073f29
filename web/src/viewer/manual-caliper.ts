import type { Measurement } from '../reading/model.js';
import { hasAiProposal } from '../reading/read-form.js';
import { type Caliper, caliperMm, measurementCaliper } from './ai-proposal.js';
import { type SeriesGeometry, voxelToPatient } from './series-geometry.js';

// A caliper the reader draws by hand, for a lesion the AI did not measure (or whose proposal they set aside): the
// line (and for a lymph node the short axis, RECIST 1.1 §3.3.1) on one slice, in patient mm, measured and written
// into the read exactly as an edited AI caliper is (caliperMm, measurementCaliper), so the server's caliper check
// (measured axis = finalMm to 0.05 mm) holds by construction.

export interface HandCaliper {
  seriesId: string;
  k: number;
  long: Caliper;
  /** a lymph node's short axis; the lesion's measurement is then this axis */
  short: Caliper | null;
}

/** The axis a lesion is measured on; null while a node's short axis is still to be drawn. */
export const measuredLine = (c: Pick<HandCaliper, 'long' | 'short'>, nodal: boolean): Caliper | null => (nodal ? c.short : c.long);

/**
 * What a hand-drawn caliper records. Without an AI proposal: `manual`. With one on record (the reader measured
 * themselves instead): the proposal stays and the decision is `rejected`, the value being the reader's own; a
 * `manual` measurement may not carry a proposal. Null while the caliper is incomplete (a node without its short axis).
 */
export function handMeasurement(now: Measurement | undefined, c: HandCaliper, nodal: boolean): Measurement | null {
  const line = measuredLine(c, nodal);
  if (!line) return null;
  const finalMm = caliperMm(line);
  const caliper = measurementCaliper(c.seriesId, c.k, c.long, c.short);
  if (hasAiProposal(now)) return { finalMm, aiProposalMm: now.aiProposalMm, ...(now.aiSource ? { aiSource: now.aiSource } : {}), decision: 'rejected', caliper };
  return { finalMm, decision: 'manual', caliper };
}

/**
 * The hand-drawn caliper a recorded measurement holds, to draw and edit again: a `manual` one, or a `rejected` one
 * with a caliper (a rejection keeps no AI caliper, read-form.ts, so its caliper was drawn by the reader).
 */
export function recordedHandCaliper(m: Measurement | undefined): HandCaliper | null {
  if (!m?.caliper || (m.decision !== 'manual' && m.decision !== 'rejected')) return null;
  const c = m.caliper;
  const line = (e: { fromMm: readonly number[]; toMm: readonly number[] }): Caliper => ({ from: [e.fromMm[0], e.fromMm[1], e.fromMm[2]], to: [e.toMm[0], e.toMm[1], e.toMm[2]] });
  return { seriesId: c.seriesId, k: c.k, long: line(c.longAxis), short: c.shortAxis ? line(c.shortAxis) : null };
}

/** Half the length, in voxels, of a line placed from the keyboard (then moved end by end with the arrow keys). */
const KEYBOARD_HALF_VOXELS = 8;

/**
 * A line placed without a pointer: through the slice's centre, along the rows for the long axis and along the
 * columns for the short axis (perpendicular, as a node's short axis is).
 */
export function keyboardLine(g: SeriesGeometry, k: number, axis: 'long' | 'short'): Caliper {
  const ci = (g.dims[0] - 1) / 2;
  const cj = (g.dims[1] - 1) / 2;
  const h = Math.min(KEYBOARD_HALF_VOXELS, Math.floor((Math.min(g.dims[0], g.dims[1]) - 1) / 2));
  return axis === 'long' ? { from: voxelToPatient(g, [ci - h, cj, k]), to: voxelToPatient(g, [ci + h, cj, k]) } : { from: voxelToPatient(g, [ci, cj - h, k]), to: voxelToPatient(g, [ci, cj + h, k]) };
}
