import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, must } from '../api/client.js';
import { describeError } from '../api/problem.js';
import { ErrorBanner, Loading } from '../ui/feedback.js';
import { useAsync } from '../ui/use-async.js';
import type { ReaderCaliper } from '../reading/reader-calipers.js';
import { type ViewerAssist, useAiAssist } from './ai-assist.js';
import { useManualMeasure } from './manual-measure.js';
import { type DragTool, StackPane, ViewerEngine, renderBackend } from './cornerstone-runtime.js';
import { registerSeries } from './slice-loader.js';
import { type ImageSeries, type SeriesGeometry, type Vec3, describeSeries, geometryOf, linkOffsetMm, linkedSlice, pointOnSlice } from './series-geometry.js';
import { ReaderCalipersLegend, ReaderCalipersOverlay } from './reader-calipers-overlay.js';
import { type OverlayLesion, ViewerOverlay } from './viewer-overlay.js';
import { DEFAULT_PRESET, WINDOW_PRESETS, type Window, describeWindow, presetOf } from './window-presets.js';
import './viewer.css';

// The image viewer (cornerstone3D): a timepoint's series, and at follow-up the previous timepoint (or baseline)
// beside it with scrolling linked by patient position. Window/level presets (keys 1-4) and drag, zoom, pan, slice
// scrolling by wheel and keys; slices stream from the server (the current one first). With `assist` (a reader's
// open read) the reader can ask the AI to segment a lesion and accept, edit or reject its measurement. Loaded on
// first use (its own chunk): readers download it, other screens do not.

export interface ImageViewerProps {
  trialId: string;
  timepoint: { id: string; label: string };
  previous?: { id: string; label: string } | null;
  assist?: ViewerAssist;
  /** the readers' recorded calipers to draw (adjudication), and the one to show (its series and slice) */
  readerCalipers?: { list: ReaderCaliper[]; focus: { seriesId: string; k: number; seq: number } | null };
}

type Side = 'current' | 'previous';

interface Shown {
  seriesId: string;
  geometry: SeriesGeometry;
}

const DRAG_TOOLS: Array<{ id: DragTool; label: string }> = [
  { id: 'window', label: 'Window/level' },
  { id: 'pan', label: 'Pan' },
  { id: 'zoom', label: 'Zoom' },
];

/** The series of a timepoint that the viewer can show (those with a volume geometry), largest first. */
function useSeries(trialId: string, timepointId: string | undefined) {
  return useAsync(async () => {
    if (!timepointId) return [];
    const list = await must(api.GET('/trials/{trialId}/timepoints/{timepointId}/series', { params: { path: { trialId, timepointId } } }));
    return list;
  }, [trialId, timepointId]);
}

const largest = (list: ImageSeries[]): ImageSeries | undefined => [...list].filter((s) => geometryOf(s)).sort((a, b) => (geometryOf(b)!.dims[2] ?? 0) - (geometryOf(a)!.dims[2] ?? 0))[0];

export default function ImageViewer({ trialId, timepoint, previous, assist, readerCalipers }: ImageViewerProps) {
  const [engine, setEngine] = useState<ViewerEngine | null>(null);
  const [engineError, setEngineError] = useState<unknown>(null);
  useLayoutEffect(() => {
    let e: ViewerEngine | null = null;
    try {
      e = new ViewerEngine();
      setEngine(e);
    } catch (err) {
      setEngineError(err);
    }
    return () => e?.destroy();
  }, []);
  const currentList = useSeries(trialId, timepoint.id);
  const previousList = useSeries(trialId, previous?.id);
  const panes = useRef<Record<Side, StackPane | null>>({ current: null, previous: null });
  const shown = useRef<Record<Side, Shown | null>>({ current: null, previous: null });
  const [currentShown, setCurrentShown] = useState<Shown | null>(null);
  const [shared, setShared] = useState<Window>(DEFAULT_PRESET);
  const [dragTool, setDragTool] = useState<DragTool>('window');
  const [linked, setLinked] = useState(true);
  const offsetMm = useRef(0);
  const driving = useRef<Side | null>(null);
  const focus = readerCalipers?.focus;
  const [jump, setJump] = useState<{ side: Side; seriesId: string; k: number; seq: number } | null>(focus ? { side: 'current', ...focus } : null);
  const jumpTo = (seriesId: string, k: number) => setJump((j) => ({ side: 'current', seriesId, k, seq: (j?.seq ?? 0) + 1 }));
  // A reader's lesion chosen outside the viewer (the adjudication's lesion tables) is shown at its slice.
  useEffect(() => {
    if (focus) jumpTo(focus.seriesId, focus.k);
  }, [focus?.seq]);

  const ai = useAiAssist({
    trialId,
    assist,
    current: currentShown,
    jumpTo,
  });
  // The reader's own caliper shares the AI's lesion selector; pointing for the AI and drawing exclude each other.
  const manual = useManualMeasure({
    assist,
    lesionId: ai?.lesionId ?? '',
    onStart: () => {
      ai?.setPointing(false);
      ai?.stopEditing(ai.lesionId);
    },
  });
  const pointing = ai?.pointing ?? false;
  const measuring = manual.measuring;
  useEffect(() => {
    if (pointing) manual.setMeasuring(false);
  }, [pointing]);
  // While pointing or drawing, a left drag must not window, pan or zoom the image.
  useEffect(() => engine?.setDragTool(pointing || measuring ? null : dragTool), [engine, dragTool, pointing, measuring]);

  // One caliper per lesion on screen: the one being drawn by hand, else the AI's while its calipers are edited,
  // else the reader's own that the read records, else the AI proposal.
  const aiEditing = (a: NonNullable<typeof ai>, seriesId: string | undefined) => new Set(seriesId ? a.overlayFor(seriesId).filter((l) => l.editing).map((l) => l.lesionId) : []);
  const lesionOverlay = (a: NonNullable<typeof ai>, seriesId: string): OverlayLesion[] => {
    const editing = aiEditing(a, seriesId);
    return [...a.overlayFor(seriesId).filter((l) => !manual.owns(l.lesionId, editing.has(l.lesionId))), ...manual.overlayFor(seriesId, editing)];
  };

  const applyWindow = (w: Window) => {
    setShared(w);
    panes.current.current?.setWindow(w);
    panes.current.previous?.setWindow(w);
  };

  /** Linked scrolling: a slice change on one side moves the other to the same patient position. */
  const onSlice = (side: Side, k: number) => {
    if (driving.current === side) {
      driving.current = null;
      return;
    }
    const other: Side = side === 'current' ? 'previous' : 'current';
    const from = shown.current[side];
    const to = shown.current[other];
    const pane = panes.current[other];
    if (!linked || !from || !to || !pane) return;
    // The offset is kept from this timepoint to the other; the way back is its opposite (parallel slices).
    const target = linkedSlice(from.geometry, k, to.geometry, side === 'current' ? offsetMm.current : -offsetMm.current);
    if (target === pane.slice) return;
    driving.current = other;
    void pane.setSlice(target);
  };

  const relink = (on: boolean) => {
    setLinked(on);
    const c = shown.current.current;
    const p = shown.current.previous;
    const pc = panes.current.current;
    const pp = panes.current.previous;
    // Linking again keeps the two slices on screen together: their offset becomes the link's.
    if (on && c && p && pc && pp) offsetMm.current = linkOffsetMm(c.geometry, pc.slice, p.geometry, pp.slice);
  };

  const busy = !engine && !engineError;
  return (
    <div class="image-viewer" data-testid="image-viewer">
      <ErrorBanner error={engineError} prefix="The image viewer could not start in this browser" />
      <div class="viewer-toolbar" role="toolbar" aria-label="Image tools" aria-controls={`viewer-panes-${timepoint.id}`}>
        <span class="tool-group" role="group" aria-label="Window presets">
          {WINDOW_PRESETS.map((p) => (
            <button type="button" key={p.id} aria-pressed={presetOf(shared)?.id === p.id} aria-keyshortcuts={p.key} onClick={() => applyWindow(p)} title={`W ${p.width} / L ${p.center} (key ${p.key})`}>
              {p.label}
            </button>
          ))}
        </span>
        <span class="tool-group" role="radiogroup" aria-label="Left drag">
          {DRAG_TOOLS.map((t) => (
            <label class="radio" key={t.id}>
              <input type="radio" name={`drag-${timepoint.id}`} checked={dragTool === t.id} onChange={() => setDragTool(t.id)} />
              {t.label}
            </label>
          ))}
        </span>
        <button
          type="button"
          onClick={() => {
            panes.current.current?.resetView();
            panes.current.previous?.resetView();
          }}
          aria-keyshortcuts="0"
        >
          Reset view
        </button>
        {previous ? (
          <label class="checkbox-line">
            <input type="checkbox" checked={linked} onChange={(e) => relink(e.currentTarget.checked)} />
            Link scrolling by patient position
          </label>
        ) : null}
      </div>
      <p id={`viewer-help-${timepoint.id}`} class="small muted viewer-help">
        Wheel or ↑/↓ scroll slices (Page Up/Down by 10, Home/End), keys 1-4 window presets, +/− zoom, Shift+arrows pan, 0 resets;{ai ? ' M measures the chosen lesion yourself (drag across it, or Enter for a line whose ends you then move with Tab and the arrow keys), S points at it for the AI;' : ''} drag with the left button as chosen above, right button zooms, middle button pans.
        {renderBackend() === 'cpu' ? ' Drawn without WebGL (CPU rendering).' : ''}
      </p>
      {busy ? <Loading what="the image viewer" /> : null}
      <div id={`viewer-panes-${timepoint.id}`} class={`viewer-panes${previous ? ' two' : ''}`}>
        {engine ? (
          <>
            <Pane
              side="current"
              title={`${timepoint.label} (this timepoint)`}
              trialId={trialId}
              engine={engine}
              list={currentList}
              window={shared}
              jump={jump?.side === 'current' ? jump : null}
              onPane={(p) => (panes.current.current = p)}
              onShown={(s) => {
                shown.current.current = s;
                setCurrentShown(s);
              }}
              onSlice={(k) => onSlice('current', k)}
              onWindowKey={applyWindow}
              onWindowDrag={setShared}
              overlay={ai ? (id) => lesionOverlay(ai, id) : undefined}
              onMoveCaliper={ai ? (at, q, done) => (manual.owns(at.lesionId, aiEditing(ai, currentShown?.seriesId).has(at.lesionId)) ? manual.moveCaliper(at, q, done) : ai.moveCaliper(at, q, done)) : undefined}
              pointing={pointing}
              onPointing={ai?.setPointing}
              onPoint={ai?.pointAt}
              measuring={measuring}
              onMeasuring={ai ? manual.setMeasuring : undefined}
              onDraw={manual.draw}
              onPlace={manual.place}
              readerCalipers={readerCalipers?.list}
              helpId={`viewer-help-${timepoint.id}`}
            />
            {previous ? (
              <Pane
                side="previous"
                title={`${previous.label} (for comparison)`}
                trialId={trialId}
                engine={engine}
                list={previousList}
                window={shared}
                jump={null}
                onPane={(p) => (panes.current.previous = p)}
                onShown={(s) => {
                  shown.current.previous = s;
                  offsetMm.current = 0;
                }}
                onSlice={(k) => onSlice('previous', k)}
                onWindowKey={applyWindow}
                onWindowDrag={setShared}
                helpId={`viewer-help-${timepoint.id}`}
              />
            ) : null}
          </>
        ) : null}
      </div>
      {readerCalipers ? <ReaderCalipersLegend calipers={readerCalipers.list} shownSeriesId={currentShown?.seriesId ?? null} onShow={(c) => jumpTo(c.seriesId, c.k)} /> : null}
      {ai?.panel(manual.controls)}
    </div>
  );
}

interface PaneProps {
  side: Side;
  title: string;
  trialId: string;
  engine: ViewerEngine;
  list: ReturnType<typeof useSeries>;
  window: Window;
  jump: { seriesId: string; k: number; seq: number } | null;
  onPane: (p: StackPane | null) => void;
  onShown: (s: Shown) => void;
  onSlice: (k: number) => void;
  onWindowKey: (w: Window) => void;
  onWindowDrag: (w: Window) => void;
  overlay?: (seriesId: string) => OverlayLesion[];
  onMoveCaliper?: Parameters<typeof ViewerOverlay>[0]['onMove'];
  pointing?: boolean;
  onPointing?: (on: boolean) => void;
  onPoint?: (seriesId: string, pointMm: [number, number, number]) => void;
  /** drawing the reader's own caliper: a left drag draws a line on the current slice, Enter places one */
  measuring?: boolean;
  onMeasuring?: (on: boolean) => void;
  onDraw?: (seriesId: string, k: number, from: Vec3, to: Vec3, done: boolean) => void;
  onPlace?: (seriesId: string, geometry: SeriesGeometry, k: number) => void;
  readerCalipers?: ReaderCaliper[];
  helpId: string;
}

function Pane(props: PaneProps) {
  const { side, title, trialId, engine, list, jump, pointing } = props;
  const element = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [pane, setPane] = useState<StackPane | null>(null);
  const [seriesId, setSeriesId] = useState<string | null>(null);
  const [slice, setSlice] = useState(0);
  const [loaded, setLoaded] = useState(0);
  const [win, setWin] = useState<Window | null>(null);
  const [zoom, setZoom] = useState(1);
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(props);
  latest.current = props;

  // The pane's viewport lives as long as the pane; events go to the newest props.
  useLayoutEffect(() => {
    let frameRequested = false;
    const p = new StackPane(engine, element.current!, {
      slice: (k) => {
        setSlice(k);
        latest.current.onSlice(k);
      },
      view: () => {
        if (frameRequested) return;
        frameRequested = true;
        requestAnimationFrame(() => {
          frameRequested = false;
          setTick((t) => t + 1);
          setZoom(p.zoom);
        });
      },
      window: (w) => {
        setWin(w);
        if (!presetOf(w)) latest.current.onWindowDrag(w);
      },
      loaded: setLoaded,
      error: setError,
    });
    setPane(p);
    props.onPane(p);
    const resize = new ResizeObserver(() => p.resize());
    resize.observe(element.current!);
    return () => {
      resize.disconnect();
      props.onPane(null);
      p.destroy();
    };
  }, [engine]);

  const series = list.data ?? [];
  const chosen = series.find((s) => s.id === seriesId) ?? largest(series);
  const geometry = chosen ? geometryOf(chosen) : null;

  // Show the chosen series (from the middle slice, or where a jump asks).
  useEffect(() => {
    if (!pane || !chosen || !geometry) return;
    registerSeries(trialId, chosen.id, geometry, chosen.modality);
    setError(null);
    const start = jump && jump.seriesId === chosen.id ? jump.k : Math.floor(geometry.dims[2] / 2);
    pane.show(trialId, chosen.id, geometry, start, latest.current.window).then(
      () => props.onShown({ seriesId: chosen.id, geometry }),
      (e: unknown) => setError(describeError(e)),
    );
  }, [pane, chosen?.id]);

  useEffect(() => {
    if (pane && win && (Math.abs(win.center - props.window.center) > 0.5 || Math.abs(win.width - props.window.width) > 0.5)) pane.setWindow(props.window);
  }, [props.window.center, props.window.width]);

  useEffect(() => {
    if (!jump || !pane) return;
    if (chosen?.id !== jump.seriesId) setSeriesId(jump.seriesId);
    else void pane.setSlice(jump.k);
  }, [jump?.seq]);

  const onKey = (e: KeyboardEvent) => {
    if (!pane || e.target !== frame.current) return;
    const preset = WINDOW_PRESETS.find((p) => p.key === e.key);
    const pan: Record<string, [number, number]> = { ArrowLeft: [20, 0], ArrowRight: [-20, 0], ArrowUp: [0, 20], ArrowDown: [0, -20] };
    const k = pane.slice;
    let handled = true;
    if (e.shiftKey && pan[e.key]) pane.panBy(...pan[e.key]);
    else if (e.key === 'ArrowDown' || e.key === 'ArrowRight') void pane.setSlice(k + 1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') void pane.setSlice(k - 1);
    else if (e.key === 'PageDown') void pane.setSlice(k + 10);
    else if (e.key === 'PageUp') void pane.setSlice(k - 10);
    else if (e.key === 'Home') void pane.setSlice(0);
    else if (e.key === 'End') void pane.setSlice(pane.total - 1);
    else if (e.key === '+' || e.key === '=') pane.zoomBy(1.25);
    else if (e.key === '-') pane.zoomBy(0.8);
    else if (e.key === '0') pane.resetView();
    else if (preset) props.onWindowKey(preset);
    else if ((e.key === 's' || e.key === 'S') && props.onPointing) props.onPointing(!pointing);
    else if (e.key === 'Escape' && pointing && props.onPointing) props.onPointing(false);
    else if ((e.key === 'm' || e.key === 'M') && props.onMeasuring) props.onMeasuring(!props.measuring);
    else if (e.key === 'Escape' && props.measuring && props.onMeasuring) props.onMeasuring(false);
    else if (e.key === 'Enter' && props.measuring && props.onPlace && chosen && geometry) props.onPlace(chosen.id, geometry, k);
    else handled = false;
    if (handled) e.preventDefault();
  };

  /** Where the pointer is, in patient mm on the slice shown; null off the image. */
  const pointerAt = (e: MouseEvent): Vec3 | null => {
    if (!pane || !geometry) return null;
    const r = element.current!.getBoundingClientRect();
    const world = pane.canvasToWorld(e.clientX - r.left, e.clientY - r.top);
    return world ? pointOnSlice(geometry, world, pane.slice) : null;
  };

  const onClick = (e: MouseEvent) => {
    if (!pointing || !chosen || !props.onPoint) return;
    const at = pointerAt(e);
    if (at) props.onPoint(chosen.id, at);
  };

  // Drawing a caliper: from where the left button went down to where it is; a pointer off the image keeps the
  // line's last point on it.
  const drawn = useRef<{ from: Vec3; to: Vec3; seriesId: string; k: number } | null>(null);
  const onPointerDown = (e: PointerEvent) => {
    if (!props.measuring || e.button !== 0 || !pane || !chosen || !props.onDraw) return;
    const at = pointerAt(e);
    if (!at) return;
    e.preventDefault();
    frame.current!.setPointerCapture(e.pointerId);
    drawn.current = { from: at, to: at, seriesId: chosen.id, k: pane.slice };
    props.onDraw(chosen.id, pane.slice, at, at, false);
  };
  const onPointerMove = (e: PointerEvent) => {
    const d = drawn.current;
    if (!d || !props.onDraw) return;
    d.to = pointerAt(e) ?? d.to;
    props.onDraw(d.seriesId, d.k, d.from, d.to, false);
  };
  const onPointerUp = (e: PointerEvent) => {
    const d = drawn.current;
    if (!d || !props.onDraw) return;
    drawn.current = null;
    d.to = pointerAt(e) ?? d.to;
    props.onDraw(d.seriesId, d.k, d.from, d.to, true);
  };

  const total = geometry?.dims[2] ?? 0;
  const index = chosen ? series.indexOf(chosen) : -1;
  const lesions = chosen && props.overlay ? props.overlay(chosen.id) : [];
  const where = `${title}, slice ${slice + 1} of ${total}${win ? `, ${describeWindow(win)}` : ''}`;
  return (
    <section class={`viewer-pane pane-${side}`} aria-label={title} data-testid={`pane-${side}`}>
      <div class="pane-head">
        <h3>{title}</h3>
        {list.loading && !list.data ? <Loading what="the series" /> : null}
        <ErrorBanner error={list.error} prefix="The series could not be listed" />
        {list.data && series.length === 0 ? <p class="muted">No images are available for this timepoint.</p> : null}
        {series.length > 0 ? (
          <fieldset class="series-list">
            <legend class="sr-only">Series of {title}</legend>
            {series.map((s, i) => (
              <label class="radio" key={s.id}>
                <input type="radio" name={`series-${side}-${title}`} checked={chosen?.id === s.id} disabled={!geometryOf(s)} onChange={() => setSeriesId(s.id)} />
                {describeSeries(s, i)}
                {geometryOf(s) ? '' : ' (not viewable: no volume)'}
              </label>
            ))}
          </fieldset>
        ) : null}
      </div>
      <div
        ref={frame}
        class={`viewport-frame${pointing || props.measuring ? ' pointing' : ''}`}
        tabIndex={0}
        role="application"
        aria-roledescription="image viewport"
        aria-label={where}
        aria-describedby={props.helpId}
        onKeyDown={onKey}
        onClick={onClick}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => (drawn.current = null)}
        data-testid={`viewport-${side}`}
      >
        <div ref={element} class="viewport" onContextMenu={(e) => e.preventDefault()} />
        {geometry && chosen ? <ViewerOverlay pane={pane} geometry={geometry} slice={slice} lesions={lesions} tick={tick} onMove={props.onMoveCaliper ?? (() => undefined)} /> : null}
        {geometry && chosen && props.readerCalipers ? <ReaderCalipersOverlay pane={pane} geometry={geometry} slice={slice} calipers={props.readerCalipers.filter((c) => c.seriesId === chosen.id)} tick={tick} /> : null}
      </div>
      <p class="pane-status" data-testid={`status-${side}`}>
        <span data-testid={`slice-${side}`}>
          Slice {total ? slice + 1 : 0} / {total}
        </span>
        {' · '}
        <span data-testid={`window-${side}`}>{win ? describeWindow(win) : '—'}</span>
        {' · '}zoom {zoom.toFixed(2)}×{' · '}
        <span data-testid={`loaded-${side}`}>
          {loaded} of {total} slices loaded
        </span>
        {index >= 0 ? ` · series ${index + 1}` : ''}
      </p>
      {error ? (
        <p class="banner banner-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
