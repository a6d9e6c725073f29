import type { Measurement, ReadContent } from './model.js';

// Each reader's measurements as the adjudicator sees them on the images: the caliper a read records with a lesion's
// measurement (where the reader accepted, edited or drew it) and the value recorded. A lymph node's measurement is
// its short axis (RECIST 1.1 §3.3.1); whether a follow-up target is a node is the reader's baseline's. Readers are
// "Reader 1" and "Reader 2" only: nothing here names them. Pure, tested in Node (test/web).

export type ReaderNo = 1 | 2;
type Point = [number, number, number];

export interface ReaderCaliper {
  readerNo: ReaderNo;
  lesionId: string;
  seriesId: string;
  /** the slice, in volume order */
  k: number;
  long: { from: Point; to: Point };
  short: { from: Point; to: Point } | null;
  /** the axis that is the measurement */
  measured: 'long' | 'short';
  /** the value the read records (the caliper's measured axis, to 0.1 mm) */
  finalMm: number;
  decision: Measurement['decision'];
}

export const READER_LABEL: Record<ReaderNo, string> = { 1: 'Reader 1', 2: 'Reader 2' };

const point = (p: readonly number[]): Point => [p[0], p[1], p[2]];

/** The calipers of one read, in lesion table order (targets, then new lesions). */
export function calipersOfRead(readerNo: ReaderNo, content: ReadContent, baseline: ReadContent | null): ReaderCaliper[] {
  const nodalAtBaseline = new Map((baseline?.targets ?? []).map((t) => [t.id, t.nodal]));
  const lesions = [
    ...content.targets.map((t) => ({ id: t.id, m: t.measurement, nodal: nodalAtBaseline.get(t.id) ?? t.nodal ?? false })),
    ...(content.newLesions ?? []).map((n) => ({ id: n.id, m: n.measurement, nodal: n.nodal })),
  ];
  return lesions.flatMap(({ id, m, nodal }) => {
    const c = m?.caliper;
    if (!m || !c) return [];
    const short = c.shortAxis ? { from: point(c.shortAxis.fromMm), to: point(c.shortAxis.toMm) } : null;
    return [{ readerNo, lesionId: id, seriesId: c.seriesId, k: c.k, long: { from: point(c.longAxis.fromMm), to: point(c.longAxis.toMm) }, short, measured: nodal && short ? 'short' : 'long', finalMm: m.finalMm, decision: m.decision }];
  });
}

/** Both readers' calipers at one timepoint (either read may be missing). */
export function calipersOfPair(reads: Record<ReaderNo, ReadContent | null>, baselines: Record<ReaderNo, ReadContent | null> | null): ReaderCaliper[] {
  return ([1, 2] as const).flatMap((no) => (reads[no] ? calipersOfRead(no, reads[no]!, baselines?.[no] ?? null) : []));
}

/** Where the viewer goes to show a reader's lesion: its series and slice; null when the read has no caliper for it. */
export function caliperOf(calipers: ReaderCaliper[], readerNo: ReaderNo, lesionId: string): ReaderCaliper | null {
  return calipers.find((c) => c.readerNo === readerNo && c.lesionId === lesionId) ?? null;
}
