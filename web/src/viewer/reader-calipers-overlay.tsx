import { useMemo } from 'preact/hooks';
import { READER_LABEL, type ReaderCaliper, type ReaderNo } from '../reading/reader-calipers.js';
import { formatMm } from '../reading/read-form.js';
import type { StackPane } from './cornerstone-runtime.js';
import { type SeriesGeometry, onSlice } from './series-geometry.js';

// The readers' recorded calipers over a slice (the adjudicator's view): each reader in their own colour, drawn on
// the slice they were measured on, the measured axis solid with the recorded value, the other axis dashed. Only
// the reader number is shown. Drawn in patient coordinates through the viewport, like the AI overlay.

const fmt = (n: number) => n.toFixed(1);

export function ReaderCalipersOverlay({ pane, geometry, slice, calipers, tick }: { pane: StackPane | null; geometry: SeriesGeometry; slice: number; calipers: ReaderCaliper[]; tick: number }) {
  const shapes = useMemo(() => {
    if (!pane) return [];
    return calipers
      .filter((c) => onSlice(geometry, c.long.from, slice) && onSlice(geometry, c.long.to, slice))
      .map((c) => {
        const axes = (['long', 'short'] as const).flatMap((axis) => {
          const line = c[axis];
          const a = line && pane.worldToCanvas(line.from);
          const b = line && pane.worldToCanvas(line.to);
          return a && b ? [{ axis, a, b }] : [];
        });
        return { c, axes };
      });
  }, [pane, geometry, slice, calipers, tick]);
  return (
    <svg class="viewer-overlay reader-calipers" aria-hidden="true">
      {shapes.map(({ c, axes }) => (
        <g key={`${c.readerNo}-${c.lesionId}`} class={`reader-caliper reader-${c.readerNo}`} data-testid={`reader-caliper-${c.readerNo}-${c.lesionId}`} data-reader-no={c.readerNo} data-mm={c.finalMm}>
          {axes.map(({ axis, a, b }) => (
            <g key={axis} class={`axis axis-${axis}${axis === c.measured ? ' measured' : ''}`}>
              <line x1={fmt(a[0])} y1={fmt(a[1])} x2={fmt(b[0])} y2={fmt(b[1])} />
              {axis === c.measured ? (
                // reader 1 labelled above its line's second end, reader 2 below: crossing calipers stay readable
                <text x={fmt(b[0] + 6)} y={fmt(b[1] + (c.readerNo === 1 ? -8 : 16))}>
                  R{c.readerNo} {c.lesionId} {formatMm(c.finalMm)}
                </text>
              ) : null}
            </g>
          ))}
        </g>
      ))}
    </svg>
  );
}

/** The colour key, and for each reader where their calipers are (slice numbers from 1, as the viewer shows them). */
export function ReaderCalipersLegend({ calipers, shownSeriesId, onShow }: { calipers: ReaderCaliper[]; shownSeriesId: string | null; onShow: (c: ReaderCaliper) => void }) {
  return (
    <div class="reader-legend" data-testid="caliper-legend" aria-label="Readers' measurements on the images" role="group">
      {([1, 2] as ReaderNo[]).map((no) => {
        const mine = calipers.filter((c) => c.readerNo === no);
        return (
          <div key={no} class={`legend-reader reader-${no}`} data-testid={`legend-reader-${no}`}>
            <span class="swatch" aria-hidden="true" />
            <strong>{READER_LABEL[no]}</strong>
            {mine.length === 0 ? <span class="muted small"> no measurement drawn (none recorded with a caliper)</span> : null}
            {mine.map((c) => (
              <button type="button" key={c.lesionId} class="link-button small" onClick={() => onShow(c)} title={shownSeriesId && c.seriesId !== shownSeriesId ? 'on another series of this timepoint' : undefined}>
                {c.lesionId} {formatMm(c.finalMm)} · slice {c.k + 1}
              </button>
            ))}
          </div>
        );
      })}
    </div>
  );
}
