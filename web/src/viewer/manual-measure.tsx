import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { formatMm } from '../reading/read-form.js';
import { type Caliper, caliperMm, moveEnd } from './ai-proposal.js';
import type { ViewerAssist } from './ai-assist.js';
import { type HandCaliper, handMeasurement, keyboardLine, measuredLine, recordedHandCaliper } from './manual-caliper.js';
import type { SeriesGeometry, Vec3 } from './series-geometry.js';
import type { CaliperEnd, OverlayLesion } from './viewer-overlay.js';

// The reader's own caliper: with a lesion chosen (the AI panel's selector), "Measure T1" (key M), then a drag on
// the current slice draws the line (for a lymph node a second drag draws the short axis); its length is shown in
// patient mm while drawing and recorded on release (manual-caliper.ts). Afterwards its ends are handles like an
// AI caliper's (drag, or arrow keys). From the keyboard, Enter in the viewport places a line through the slice's
// centre instead of a drag. What is recorded is the read's (props); only the line being drawn or moved is held here.

/** A caliper being drawn (a node's short axis may be missing yet) or moved, before it is written into the read. */
interface Sketch extends Omit<HandCaliper, 'short'> {
  lesionId: string;
  nodal: boolean;
  short: Caliper | null;
  /** the axis the pointer is drawing now, if any */
  drawing: 'long' | 'short' | null;
}

export interface ManualMeasure {
  measuring: boolean;
  setMeasuring: (on: boolean) => void;
  /** a line dragged on slice k of a series, from where the drag began to where the pointer is; done on release */
  draw: (seriesId: string, k: number, from: Vec3, to: Vec3, done: boolean) => void;
  /** Enter in the viewport while measuring: the next line through the slice's centre */
  place: (seriesId: string, geometry: SeriesGeometry, k: number) => void;
  /**
   * Whether the caliper shown for the lesion is the reader's own (its ends are moved here, not by the AI's): one
   * being drawn always is; a recorded one unless the reader is editing the AI's calipers of that lesion again.
   */
  owns: (lesionId: string, aiEditing: boolean) => boolean;
  /** the reader's own calipers on a series, but for the lesions listed (whose AI calipers are being edited) */
  overlayFor: (seriesId: string, aiEditing: ReadonlySet<string>) => OverlayLesion[];
  moveCaliper: (at: CaliperEnd, p: Vec3, done: boolean) => void;
  controls: JSX.Element | null;
}

export function useManualMeasure({ assist, lesionId, onStart }: { assist: ViewerAssist | undefined; lesionId: string; onStart: () => void }): ManualMeasure {
  const [measuring, setMeasuringState] = useState(false);
  const [sketch, setSketch] = useState<Sketch | null>(null);
  const [note, setNote] = useState('');
  const lesion = assist?.lesions.find((l) => l.id === lesionId);

  const setMeasuring = (on: boolean) => {
    setMeasuringState(on && !!lesion);
    if (on && lesion) {
      onStart();
      setNote(`Drag across ${lesion.id} on the current slice${lesion.nodal ? ' (its long axis, then its short axis)' : ''}, or press Enter in the viewport for a line to move with the arrow keys.`);
    } else if (sketch && !sketch.drawing && measuredLine(sketch, sketch.nodal) === null) {
      // Cancelled before a node's short axis was drawn: nothing was recorded, nothing stays.
      setSketch(null);
      setNote('');
    }
  };

  const record = (s: Sketch) => {
    const m = handMeasurement(assist?.measurementOf(s.lesionId), s as HandCaliper, s.nodal);
    if (!m || !assist) return false;
    assist.onMeasure(s.lesionId, m);
    setSketch(null);
    setMeasuringState(false);
    setNote(`${s.lesionId}: ${formatMm(m.finalMm)} recorded (${m.decision}); drag its ends to adjust.`);
    return true;
  };

  /** A finished line: a node's long axis waits for the short one; otherwise the caliper is recorded. */
  const finish = (s: Sketch) => {
    if (record({ ...s, drawing: null })) return;
    setSketch({ ...s, drawing: null });
    setNote(`${s.lesionId}: long axis ${formatMm(caliperMm(s.long))}; now draw its short axis.`);
  };

  const draw = (seriesId: string, k: number, from: Vec3, to: Vec3, done: boolean) => {
    if (!measuring || !lesion) return;
    const line = { from, to };
    // A node's short axis continues the sketch on its slice; anything else starts a new caliper.
    const continues = sketch && sketch.lesionId === lesion.id && sketch.nodal && sketch.seriesId === seriesId && sketch.k === k && (sketch.drawing === 'short' || (sketch.drawing === null && sketch.short === null));
    const next: Sketch = continues ? { ...sketch!, short: line, drawing: 'short' } : { lesionId: lesion.id, nodal: lesion.nodal, seriesId, k, long: line, short: null, drawing: 'long' };
    if (!done) {
      setSketch(next);
      return;
    }
    // A click without a drag draws nothing (the line would be 0 mm).
    if (caliperMm(line) === 0) {
      setSketch(continues ? { ...sketch!, short: null, drawing: null } : null);
      return;
    }
    finish(next);
  };

  const place = (seriesId: string, geometry: SeriesGeometry, k: number) => {
    if (!measuring || !lesion) return;
    const continues = sketch && sketch.lesionId === lesion.id && sketch.nodal && sketch.seriesId === seriesId && sketch.k === k && sketch.short === null;
    finish(continues ? { ...sketch!, short: keyboardLine(geometry, k, 'short') } : { lesionId: lesion.id, nodal: lesion.nodal, seriesId, k, long: keyboardLine(geometry, k, 'long'), short: null, drawing: null });
  };

  /** The caliper shown for a lesion: the one being drawn or moved, else the hand-drawn one the read records. */
  const shown = (id: string): Sketch | null => {
    if (sketch?.lesionId === id) return sketch;
    const l = assist?.lesions.find((x) => x.id === id);
    const recorded = l ? recordedHandCaliper(assist?.measurementOf(id)) : null;
    return l && recorded ? { ...recorded, lesionId: id, nodal: l.nodal, drawing: null } : null;
  };

  const owns = (id: string, aiEditing: boolean) => sketch?.lesionId === id || (!aiEditing && shown(id) !== null);

  const overlayFor = (seriesId: string, aiEditing: ReadonlySet<string>): OverlayLesion[] =>
    (assist?.lesions ?? []).flatMap((l) => {
      const s = shown(l.id);
      if (!s || s.seriesId !== seriesId || !owns(l.id, aiEditing.has(l.id))) return [];
      // While a line is being dragged its ends are not handles (the pointer is drawing it).
      return [{ lesionId: l.id, label: l.id, mask: null, long: s.long, short: s.short, measured: l.nodal ? 'short' : 'long', editing: s.drawing === null, active: l.id === lesionId }];
    });

  const moveCaliper = (at: CaliperEnd, p: Vec3, done: boolean) => {
    const s = shown(at.lesionId);
    const line = s?.[at.axis];
    if (!s || !line) return;
    const next = { ...s, [at.axis]: moveEnd(line, at.end, p) };
    if (done && record(next)) return;
    setSketch(next);
  };

  const controls = lesion ? (
    <>
      <button type="button" aria-pressed={measuring} aria-keyshortcuts="M" onClick={() => setMeasuring(!measuring)} title="Then drag across the lesion on the current slice (key M)">
        {measuring ? `Drawing ${lesion.id}… (Esc cancels)` : `Measure ${lesion.id}`}
      </button>
      {/* the length while dragging is not announced at every pointer move; the result is, in the status */}
      {sketch?.drawing ? (
        <span class="small" data-testid="manual-length">
          {sketch.lesionId} {sketch.drawing} axis: {formatMm(caliperMm(sketch[sketch.drawing]!))}
        </span>
      ) : null}
      <span class="small" role="status" aria-live="polite" data-testid="manual-status">
        {note}
      </span>
    </>
  ) : null;
  return { measuring, setMeasuring, draw, place, owns, overlayFor, moveCaliper, controls };
}
