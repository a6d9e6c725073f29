import { Enums, type Types, imageLoader, metaData, utilities } from '@cornerstonejs/core';
import { api } from '../api/client.js';
import { ApiError, isProblem } from '../api/problem.js';
import { type SeriesGeometry, slicePositionMm } from './series-geometry.js';

// cornerstone3D's image loader for Corelab's image routes: an image id `corelab:<trialId>/<seriesId>/<k>` is
// slice k of a series, fetched as raw little-endian int16 HU (GET .../slices/{k}?format=raw, through the typed
// client, so the bearer token and the session-expiry rule apply) and turned into a cornerstone image. Its plane
// (position, orientation, spacing) comes from the series geometry that the series list returned, registered
// before the stack is shown, and is checked against the slice's x-image-* headers.

const SCHEME = 'corelab';

interface RegisteredSeries {
  trialId: string;
  geometry: SeriesGeometry;
  modality: string;
}
const registry = new Map<string, RegisteredSeries>();

export function registerSeries(trialId: string, seriesId: string, geometry: SeriesGeometry, modality: string | null | undefined): void {
  registry.set(seriesId, { trialId, geometry, modality: modality ?? 'CT' });
}

export const sliceImageId = (trialId: string, seriesId: string, k: number): string => `${SCHEME}:${trialId}/${seriesId}/${k}`;

export const sliceImageIds = (trialId: string, seriesId: string, slices: number): string[] => Array.from({ length: slices }, (_, k) => sliceImageId(trialId, seriesId, k));

function parseImageId(imageId: string): { trialId: string; seriesId: string; k: number; series: RegisteredSeries } | null {
  if (!imageId.startsWith(`${SCHEME}:`)) return null;
  const [trialId, seriesId, k] = imageId.slice(SCHEME.length + 1).split('/');
  const series = registry.get(seriesId);
  const n = Number(k);
  if (!series || series.trialId !== trialId || !Number.isInteger(n)) return null;
  return { trialId, seriesId, k: n, series };
}

const nearly = (a: number, b: number) => Math.abs(a - b) < 1e-3 * Math.max(1, Math.abs(a), Math.abs(b));
const csv = (h: string | null): number[] => (h ? h.split(',').map(Number) : []);

/** The slice's x-image-* headers must describe the plane the geometry gives it: anything else is refused. */
function checkHeaders(headers: Headers, g: SeriesGeometry, k: number): void {
  const dims = csv(headers.get('x-image-dims'));
  const position = csv(headers.get('x-image-position-mm'));
  const expected = slicePositionMm(g, k);
  if (dims.length !== 2 || dims[0] !== g.dims[0] || dims[1] !== g.dims[1]) throw new Error(`slice ${k}: the server sent ${dims.join('×')} pixels, the series is ${g.dims[0]}×${g.dims[1]}`);
  if (position.length === 3 && !position.every((v, a) => nearly(v, expected[a]))) throw new Error(`slice ${k}: its position ${position.join(', ')} is not where the series geometry puts it`);
}

/** int16 little-endian as the host reads it (every browser host is little-endian; the swap keeps it correct anyway). */
function int16le(buffer: ArrayBuffer): Int16Array {
  const out = new Int16Array(buffer);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return out;
  const view = new DataView(buffer);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

function loadSlice(imageId: string): { promise: Promise<Types.IImage>; cancelFn: () => void } {
  const controller = new AbortController();
  const promise = (async (): Promise<Types.IImage> => {
    const at = parseImageId(imageId);
    if (!at) throw new Error(`unknown image ${imageId}`);
    const { trialId, seriesId, k, series } = at;
    const g = series.geometry;
    const started = performance.now();
    const res = await api.GET('/trials/{trialId}/series/{seriesId}/slices/{k}', { params: { path: { trialId, seriesId, k }, query: { format: 'raw' } }, parseAs: 'arrayBuffer', signal: controller.signal });
    if (!res.response.ok || !(res.data instanceof ArrayBuffer)) throw new ApiError(res.response.status, isProblem(res.error) ? res.error : null);
    checkHeaders(res.response.headers, g, k);
    const [nx, ny] = g.dims;
    if (res.data.byteLength !== nx * ny * 2) throw new Error(`slice ${k}: ${res.data.byteLength} bytes, ${nx * ny * 2} expected`);
    const pixels = int16le(res.data);
    let min = Infinity;
    let max = -Infinity;
    for (const v of pixels) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const voxelManager = utilities.VoxelManager.createImageVoxelManager({ width: nx, height: ny, scalarData: pixels, numberOfComponents: 1 });
    const image: Types.IImage = {
      imageId,
      minPixelValue: min,
      maxPixelValue: max,
      slope: 1,
      intercept: 0,
      windowCenter: 40,
      windowWidth: 400,
      voiLUTFunction: Enums.VOILUTFunctionType.LINEAR,
      getPixelData: () => voxelManager.getScalarData() as Types.PixelDataTypedArray,
      getCanvas: () => {
        throw new Error('corelab slices are grayscale: there is no canvas form');
      },
      rows: ny,
      columns: nx,
      height: ny,
      width: nx,
      color: false,
      rgba: false,
      numberOfComponents: 1,
      columnPixelSpacing: g.spacingMm[0],
      rowPixelSpacing: g.spacingMm[1],
      sliceThickness: g.spacingMm[2],
      invert: false,
      photometricInterpretation: 'MONOCHROME2',
      sizeInBytes: pixels.byteLength,
      dataType: 'Int16Array',
      voxelManager,
      loadTimeInMS: performance.now() - started,
    };
    return image;
  })();
  return { promise, cancelFn: () => controller.abort() };
}

/** The metadata cornerstone asks for, from the registered geometry (no request: the series list had it all). */
function provider(type: string, imageId: string): unknown {
  const at = parseImageId(imageId);
  if (!at) return undefined;
  const { k, series } = at;
  const g = series.geometry;
  switch (type) {
    case 'imagePlaneModule':
      return {
        frameOfReferenceUID: `corelab:${at.seriesId}`,
        rows: g.dims[1],
        columns: g.dims[0],
        imageOrientationPatient: [...g.rowDir, ...g.colDir],
        rowCosines: g.rowDir,
        columnCosines: g.colDir,
        imagePositionPatient: slicePositionMm(g, k),
        sliceThickness: g.spacingMm[2],
        sliceLocation: undefined,
        // DICOM order: spacing between rows (along colDir), then between columns (along rowDir)
        pixelSpacing: [g.spacingMm[1], g.spacingMm[0]],
        rowPixelSpacing: g.spacingMm[1],
        columnPixelSpacing: g.spacingMm[0],
      };
    case 'imagePixelModule':
      return { samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', rows: g.dims[1], columns: g.dims[0], bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 1 };
    case 'generalSeriesModule':
      return { modality: series.modality, seriesInstanceUID: `corelab:${at.seriesId}` };
    case 'generalImageModule':
      return { instanceNumber: k + 1 };
    case 'modalityLutModule':
      return { rescaleSlope: 1, rescaleIntercept: 0 };
    case 'voiLutModule':
      return { windowCenter: [40], windowWidth: [400] };
    default:
      return undefined;
  }
}

let registered = false;
/** Registers the loader and its metadata provider with cornerstone, once. */
export function registerSliceLoader(): void {
  if (registered) return;
  registered = true;
  imageLoader.registerImageLoader(SCHEME, loadSlice as unknown as Types.ImageLoaderFn);
  metaData.addProvider(provider, 10000);
}
