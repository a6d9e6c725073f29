import { useMemo, useRef } from 'preact/hooks';
import { type Caliper, caliperMm } from './ai-proposal.js';
import type { StackPane } from './cornerstone-runtime.js';
import { type DecodedMask, type OutlineEdge, maskOutline } from './mask-rle.js';
import { type SeriesGeometry, type Vec3, onSlice, pointOnSlice, voxelToPatient } from './series-geometry.js';

// What the viewer draws over a slice, in patient coordinates taken to the canvas through the viewport (so it
// follows zoom, pan and scrolling): a lesion's mask outline and its long and short axes with their lengths. While
// the reader edits, the caliper ends are handles: drag them, or focus one and move it a voxel at a time with the
// arrow keys. The SVG catches no pointer events except on the handles, so the image tools work under it.

export interface OverlayLesion {
  lesionId: string;
  /** shown as its label, e.g. "T1" */
  label: string;
  mask: DecodedMask | null;
  long: Caliper;
  /** absent for a hand-drawn caliper of a lesion that is not a node */
  short: Caliper | null;
  /** the axis that is the lesion's measurement (long, or short for a lymph node) */
  measured: 'long' | 'short';
  editing: boolean;
  /** drawn highlighted (the lesion the reader is working on) */
  active: boolean;
}

export type CaliperEnd = { lesionId: string; axis: 'long' | 'short'; end: 'from' | 'to' };

interface Props {
  pane: StackPane | null;
  geometry: SeriesGeometry;
  slice: number;
  lesions: OverlayLesion[];
  /** changes whenever the view does (slice, zoom, pan, resize): the overlay is drawn again */
  tick: number;
  onMove: (at: CaliperEnd, p: Vec3, done: boolean) => void;
}

/** Outline pieces of one mask slice, cached per mask and slice (scrolling back and forth draws the same slices). */
const outlineCache = new WeakMap<DecodedMask, Map<number, OutlineEdge[]>>();
function outlineOf(mask: DecodedMask, k: number): OutlineEdge[] {
  let byK = outlineCache.get(mask);
  if (!byK) outlineCache.set(mask, (byK = new Map()));
  let edges = byK.get(k);
  if (!edges) {
    const pixels = mask.slice(k);
    edges = pixels ? maskOutline(pixels, mask.dims[0], mask.dims[1]) : [];
    byK.set(k, edges);
  }
  return edges;
}

const fmt = (n: number) => n.toFixed(1);

export function ViewerOverlay({ pane, geometry, slice, lesions, tick, onMove }: Props) {
  const svg = useRef<SVGSVGElement>(null);
  const dragging = useRef<string | null>(null);
  const toCanvas = (p: readonly number[]) => pane?.worldToCanvas(p) ?? null;
  const shapes = useMemo(() => {
    if (!pane) return [];
    return lesions.map((l) => {
      let outline = '';
      if (l.mask) {
        for (const e of outlineOf(l.mask, slice)) {
          const a = toCanvas(voxelToPatient(geometry, [e.from[0], e.from[1], slice]));
          const b = toCanvas(voxelToPatient(geometry, [e.to[0], e.to[1], slice]));
          if (a && b) outline += `M${fmt(a[0])} ${fmt(a[1])}L${fmt(b[0])} ${fmt(b[1])}`;
        }
      }
      const axes = (['long', 'short'] as const)
        .flatMap((axis) => {
          const line = l[axis];
          return line && onSlice(geometry, line.from, slice) && onSlice(geometry, line.to, slice) ? [{ axis, from: toCanvas(line.from)!, to: toCanvas(line.to)!, mm: caliperMm(line) }] : [];
        });
      return { l, outline, axes };
    });
  }, [pane, geometry, slice, lesions, tick]);

  const canvasPoint = (e: PointerEvent): Vec3 | null => {
    const host = svg.current?.getBoundingClientRect();
    if (!host || !pane) return null;
    const world = pane.canvasToWorld(e.clientX - host.left, e.clientY - host.top);
    return world ? pointOnSlice(geometry, world, slice) : null;
  };
  const nudge = (e: KeyboardEvent, at: CaliperEnd, p: Vec3) => {
    const step: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const d = step[e.key];
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    const [sx, sy] = geometry.spacingMm;
    onMove(at, [0, 1, 2].map((a) => p[a] + d[0] * sx * geometry.rowDir[a] + d[1] * sy * geometry.colDir[a]) as Vec3, true);
  };

  return (
    <svg ref={svg} class="viewer-overlay" aria-hidden={shapes.every((s) => !s.l.editing)}>
      {shapes.map(({ l, outline, axes }) => (
        <g key={l.lesionId} class={`lesion-overlay${l.active ? ' active' : ''}`} data-lesion={l.lesionId}>
          {outline ? <path class="mask-outline" d={outline} data-testid={`outline-${l.lesionId}`} /> : null}
          {axes.map(({ axis, from, to, mm }) => (
            <g key={axis} class={`caliper caliper-${axis}${l.measured === axis ? ' measured' : ''}`} data-testid={`caliper-${l.lesionId}-${axis}`} data-mm={mm}>
              <line x1={from[0]} y1={from[1]} x2={to[0]} y2={to[1]} />
              {/* the long axis is labelled at its second end, the short at its first: small lesions keep both readable */}
              <text x={(axis === 'long' ? to : from)[0] + 6} y={(axis === 'long' ? to : from)[1] + (axis === 'long' ? -6 : 14)}>
                {l.label} {axis === 'long' ? 'long' : 'short'} {mm.toFixed(1)} mm
              </text>
              {l.editing
                ? (['from', 'to'] as const).map((end) => {
                    const at: CaliperEnd = { lesionId: l.lesionId, axis, end };
                    const key = `${l.lesionId}/${axis}/${end}`;
                    const p = (end === 'from' ? from : to)!;
                    return (
                      <circle
                        key={end}
                        class="caliper-handle"
                        cx={p[0]}
                        cy={p[1]}
                        r={7}
                        // lower case: on an SVG element Preact sets the attribute as written, and only `tabindex` is one
                        tabindex={0}
                        role="button"
                        aria-label={`${l.label} ${axis} axis ${end === 'from' ? 'first' : 'second'} end: drag, or move with the arrow keys`}
                        data-testid={`handle-${l.lesionId}-${axis}-${end}`}
                        onPointerDown={(e) => {
                          e.stopPropagation();
                          (e.currentTarget as Element).setPointerCapture(e.pointerId);
                          dragging.current = key;
                        }}
                        onPointerMove={(e) => {
                          if (dragging.current !== key) return;
                          const q = canvasPoint(e);
                          if (q) onMove(at, q, false);
                        }}
                        onPointerUp={(e) => {
                          if (dragging.current !== key) return;
                          dragging.current = null;
                          const q = canvasPoint(e);
                          if (q) onMove(at, q, true);
                        }}
                        onKeyDown={(e) => nudge(e, at, l[axis]![end])}
                      />
                    );
                  })
                : null}
            </g>
          ))}
        </g>
      ))}
    </svg>
  );
}
