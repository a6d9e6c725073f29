// Where a lesion was measured: the caliper the reader saw when they accepted or edited the AI proposal, or drew,
// kept with the read so the adjudicator can see each reader's measurements on the images. A caliper must depict
// the recorded value: its endpoints lie on its slice of a series of the read's timepoint, and the measured axis
// (the long axis; the short axis for a lymph node, RECIST 1.1 §3.3.1) has the length finalMm as recorded, to a
// tenth of a millimetre. The rule holds for every decision: a drawn line labelled with another value than the
// reader's would mislead whoever compares the reads.
import type { Vec3, VolumeGeometry } from '../volume.js';
import { patientToVoxel } from '../volume.js';
import type { ContentProblem, Measurement, ReadContent } from './read-content.js';

/** points in patient coordinates (LPS, mm): three numbers each (the contract's Vec3) */
export interface CaliperEndpoints { fromMm: readonly number[]; toMm: readonly number[] }

export interface MeasurementCaliper {
  seriesId: string;
  /** the slice, in volume order */
  k: number;
  longAxis: CaliperEndpoints;
  shortAxis?: CaliperEndpoints;
}

/** finalMm is recorded to 0.1 mm, so the drawn length may differ by half of that (plus float noise). */
export const CALIPER_LENGTH_TOLERANCE_MM = 0.05 + 1e-6;

/** An endpoint lies on slice k when its slice coordinate is within half a slice of k (the slice's slab). */
const ON_SLICE_VOXELS = 0.5 + 1e-6;

export const caliperLengthMm = (e: CaliperEndpoints): number => Math.hypot(e.toMm[0] - e.fromMm[0], e.toMm[1] - e.fromMm[1], e.toMm[2] - e.fromMm[2]);

/** Every measurement of a read with where it is and whether the lesion is nodal (follow-ups take it from baseline). */
export function measurementsWithNodal(content: ReadContent, baseline?: ReadContent): Array<{ pointer: string; m: Measurement; nodal: boolean }> {
  const baselineNodal = new Map((baseline?.targets ?? []).map((t) => [t.id, t.nodal]));
  return [
    ...content.targets.flatMap((t, i) => (t.measurement ? [{ pointer: `/targets/${i}/measurement`, m: t.measurement, nodal: baselineNodal.get(t.id) ?? t.nodal ?? false }] : [])),
    ...(content.newLesions ?? []).flatMap((l, i) => (l.measurement ? [{ pointer: `/newLesions/${i}/measurement`, m: l.measurement, nodal: l.nodal }] : [])),
  ];
}

function endpointProblems(g: VolumeGeometry, k: number, e: CaliperEndpoints, at: string, out: ContentProblem[]): void {
  for (const end of ['fromMm', 'toMm'] as const) {
    const p = e[end];
    if (p.length !== 3 || !p.every(Number.isFinite)) {
      out.push({ pointer: `${at}/${end}`, detail: 'a point is three finite numbers (x, y, z in mm)' });
      continue;
    }
    const [i, j, kk] = patientToVoxel(g, p as unknown as Vec3);
    const edge = 0.5 + 1e-6;
    const inPlane = i >= -edge && i <= g.dims[0] - 1 + edge && j >= -edge && j <= g.dims[1] - 1 + edge;
    if (Math.abs(kk - k) > ON_SLICE_VOXELS || !inPlane) out.push({ pointer: `${at}/${end}`, detail: `is not on slice ${k} of the series` });
  }
}

/**
 * Problems with the calipers of a read. `series` holds the geometry of each series of the read's timepoint that the
 * reader may view (released volumes); a caliper on any other series is refused.
 */
export function caliperProblems(content: ReadContent, series: ReadonlyMap<string, VolumeGeometry>, baseline?: ReadContent): ContentProblem[] {
  const out: ContentProblem[] = [];
  for (const { pointer, m, nodal } of measurementsWithNodal(content, baseline)) {
    const c = m.caliper;
    if (!c) continue;
    const at = `${pointer}/caliper`;
    const g = series.get(c.seriesId);
    if (!g) {
      out.push({ pointer: `${at}/seriesId`, detail: "is not a series of this read's timepoint that you can view" });
      continue;
    }
    if (!Number.isInteger(c.k) || c.k < 0 || c.k >= g.dims[2]) {
      out.push({ pointer: `${at}/k`, detail: `the series has slices 0 to ${g.dims[2] - 1}` });
      continue;
    }
    const before = out.length;
    endpointProblems(g, c.k, c.longAxis, `${at}/longAxis`, out);
    if (c.shortAxis) endpointProblems(g, c.k, c.shortAxis, `${at}/shortAxis`, out);
    if (out.length > before) continue;
    const measured = nodal ? c.shortAxis : c.longAxis;
    if (!measured) {
      out.push({ pointer: `${at}/shortAxis`, detail: 'a lymph node is measured on its short axis: give its endpoints' });
      continue;
    }
    const length = caliperLengthMm(measured);
    if (Math.abs(length - m.finalMm) > CALIPER_LENGTH_TOLERANCE_MM) {
      const axis = nodal ? 'shortAxis' : 'longAxis';
      out.push({ pointer: `${at}/${axis}`, detail: `the ${nodal ? 'short' : 'long'} axis is ${length.toFixed(2)} mm long, but finalMm is ${m.finalMm}: they must agree to 0.05 mm` });
    }
  }
  return out;
}
