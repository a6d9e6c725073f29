import { Enums as CoreEnums, RenderingEngine, type Types, eventTarget, getEnabledElement, getShouldUseCPURendering, init as initCore } from '@cornerstonejs/core';
import { Enums as ToolEnums, PanTool, StackScrollTool, ToolGroupManager, WindowLevelTool, ZoomTool, addTool, init as initTools, utilities as toolUtilities } from '@cornerstonejs/tools';
import { registerSliceLoader, sliceImageIds } from './slice-loader.js';
import { type SeriesGeometry, clampSlice } from './series-geometry.js';
import { type Window, voiRangeOf, windowOfRange } from './window-presets.js';

// cornerstone3D set up once per page, and one StackViewport per pane. cornerstone chooses WebGL where the browser
// has it and draws on the CPU otherwise (headless chromium with --disable-gpu, some reading-room thin clients):
// the same stack viewport, tools and coordinates either way.

let ready = false;
const TOOLS = [WindowLevelTool, PanTool, ZoomTool, StackScrollTool];

export function ensureCornerstone(): void {
  if (ready) return;
  initCore();
  initTools();
  for (const T of TOOLS) addTool(T);
  registerSliceLoader();
  ready = true;
}

/** 'gpu' or 'cpu': what cornerstone draws with in this browser (shown in the viewer's status). */
export const renderBackend = (): 'gpu' | 'cpu' => (getShouldUseCPURendering() ? 'cpu' : 'gpu');

export type DragTool = 'window' | 'pan' | 'zoom';
const TOOL_OF: Record<DragTool, string> = { window: WindowLevelTool.toolName, pan: PanTool.toolName, zoom: ZoomTool.toolName };

let counter = 0;

/** One viewer's rendering engine and tool group: left drag as chosen, right drag zoom, middle drag pan, wheel scroll. */
export class ViewerEngine {
  readonly engine: RenderingEngine;
  readonly toolGroupId: string;
  private readonly group: NonNullable<ReturnType<typeof ToolGroupManager.createToolGroup>>;

  constructor() {
    ensureCornerstone();
    counter += 1;
    this.engine = new RenderingEngine(`corelab-engine-${counter}`);
    this.toolGroupId = `corelab-tools-${counter}`;
    this.group = ToolGroupManager.createToolGroup(this.toolGroupId)!;
    for (const T of TOOLS) this.group.addTool(T.toolName);
    this.group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
    this.group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    this.group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    this.setDragTool('window');
  }

  /** What a left drag does; null while the reader points at a lesion for the AI (a click must not move anything). */
  setDragTool(tool: DragTool | null): void {
    const primary = tool ? TOOL_OF[tool] : null;
    // Passive drops a tool's left-button binding and keeps its others (zoom on the right, pan on the middle button).
    for (const name of Object.values(TOOL_OF)) if (name !== primary) this.group.setToolPassive(name);
    if (primary) this.group.setToolActive(primary, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
  }

  /** the panes showing in this engine: destroyed first when the engine goes (whichever cleanup runs first) */
  readonly panes = new Set<StackPane>();

  destroy(): void {
    for (const p of [...this.panes]) p.destroy();
    ToolGroupManager.destroyToolGroup(this.toolGroupId);
    this.engine.destroy();
  }
}

export interface PaneEvents {
  slice: (k: number) => void;
  view: () => void;
  window: (w: Window) => void;
  loaded: (count: number) => void;
  error: (message: string) => void;
}

/** One stack viewport showing one series, slice by slice as they arrive (the current slice first, then outwards). */
export class StackPane {
  readonly viewportId: string;
  private viewport: Types.IStackViewport | null = null;
  private imageIds: string[] = [];
  private loadedIds = new Set<string>();
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly host: ViewerEngine,
    readonly element: HTMLDivElement,
    private readonly events: PaneEvents,
  ) {
    counter += 1;
    this.viewportId = `corelab-viewport-${counter}`;
    host.engine.enableElement({ viewportId: this.viewportId, type: CoreEnums.ViewportType.STACK, element, defaultOptions: { background: [0, 0, 0] as Types.Point3 } });
    this.viewport = host.engine.getViewport(this.viewportId) as Types.IStackViewport;
    host.panes.add(this);
    ToolGroupManager.getToolGroup(host.toolGroupId)!.addViewport(this.viewportId, host.engine.id);
    const listen = (target: EventTarget, type: string, fn: (e: Event) => void) => {
      target.addEventListener(type, fn);
      this.cleanups.push(() => target.removeEventListener(type, fn));
    };
    listen(element, CoreEnums.Events.STACK_NEW_IMAGE, () => this.events.slice(this.slice));
    listen(element, CoreEnums.Events.IMAGE_RENDERED, () => this.events.view());
    listen(element, CoreEnums.Events.CAMERA_MODIFIED, () => this.events.view());
    listen(element, CoreEnums.Events.VOI_MODIFIED, () => {
      const w = this.window;
      if (w) this.events.window(w);
    });
    listen(eventTarget, CoreEnums.Events.IMAGE_LOADED, (e) => {
      const id = (e as CustomEvent<{ image: Types.IImage }>).detail.image.imageId;
      if (this.imageIds.includes(id) && !this.loadedIds.has(id)) {
        this.loadedIds.add(id);
        this.events.loaded(this.loadedIds.size);
      }
    });
    listen(eventTarget, CoreEnums.Events.IMAGE_LOAD_FAILED, (e) => {
      const d = (e as CustomEvent<{ imageId: string; error: unknown }>).detail;
      if (this.imageIds.includes(d.imageId) && !(d.error instanceof DOMException && d.error.name === 'AbortError')) this.events.error(d.error instanceof Error ? d.error.message : 'a slice could not be loaded');
    });
  }

  /** Shows a series from slice k: that slice is fetched first, the rest stream in around it. */
  async show(trialId: string, seriesId: string, g: SeriesGeometry, k: number, w: Window): Promise<void> {
    const vp = this.viewport!;
    toolUtilities.stackPrefetch.disable(this.element);
    this.imageIds = sliceImageIds(trialId, seriesId, g.dims[2]);
    this.loadedIds = new Set();
    this.events.loaded(0);
    await vp.setStack(this.imageIds, clampSlice(g, k));
    vp.setProperties({ voiRange: voiRangeOf(w) });
    vp.resetCamera();
    vp.render();
    toolUtilities.stackPrefetch.enable(this.element);
    this.events.slice(this.slice);
    this.events.window(w);
  }

  get slice(): number {
    return this.viewport?.getCurrentImageIdIndex() ?? 0;
  }

  get total(): number {
    return this.imageIds.length;
  }

  async setSlice(k: number): Promise<void> {
    if (!this.viewport || this.imageIds.length === 0) return;
    const next = Math.min(this.imageIds.length - 1, Math.max(0, Math.round(k)));
    if (next !== this.slice) await this.viewport.setImageIdIndex(next);
  }

  get window(): Window | null {
    const r = this.viewport?.getProperties().voiRange;
    return r ? windowOfRange(r) : null;
  }

  setWindow(w: Window): void {
    this.viewport?.setProperties({ voiRange: voiRangeOf(w) });
    this.viewport?.render();
  }

  get zoom(): number {
    return this.viewport?.getZoom() ?? 1;
  }

  zoomBy(factor: number): void {
    if (!this.viewport) return;
    this.viewport.setZoom(this.viewport.getZoom() * factor);
    this.viewport.render();
  }

  /** Pans by a number of canvas pixels. */
  panBy(dx: number, dy: number): void {
    if (!this.viewport) return;
    const [x, y] = this.viewport.getPan();
    this.viewport.setPan([x + dx, y + dy]);
    this.viewport.render();
  }

  resetView(): void {
    this.viewport?.resetCamera();
    this.viewport?.render();
  }

  canvasToWorld(x: number, y: number): Types.Point3 | null {
    return this.viewport ? this.viewport.canvasToWorld([x, y]) : null;
  }

  worldToCanvas(p: readonly number[]): [number, number] | null {
    return this.viewport ? (this.viewport.worldToCanvas(p as Types.Point3) as [number, number]) : null;
  }

  resize(): void {
    this.host.engine.resize(true, false);
  }

  destroy(): void {
    if (!this.viewport) return;
    this.viewport = null;
    this.host.panes.delete(this);
    for (const c of this.cleanups) c();
    if (!getEnabledElement(this.element)) return;
    toolUtilities.stackPrefetch.disable(this.element);
    ToolGroupManager.getToolGroup(this.host.toolGroupId)?.removeViewports(this.host.engine.id, this.viewportId);
    this.host.engine.disableElement(this.viewportId);
  }
}
