import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { corpusDir } from '../../test/corpus.js';
import { ellipseMask } from '../../test/measurement/shapes.js';
import { readNrrd } from '../../test/nrrd.js';
import { measureLesionMask } from '../domain/measurement/lesion-measurement.js';
import { type Vec3, type Volume } from '../domain/volume.js';
import {
  DEFAULT_THUMBNAIL_COLORS,
  type Rgb,
  renderMeasuredSliceThumbnail,
  thumbnailFrame,
  voxelToThumbnailPx,
} from './thumbnail.js';

function syntheticCase(spacingMm: Vec3) {
  const dims = [Math.round(80 / spacingMm[0]), Math.round(80 / spacingMm[1]), 5] as const;
  const g = { dims, spacingMm, originMm: [0, 0, 0] as Vec3, rowDir: [1, 0, 0] as Vec3, colDir: [0, 1, 0] as Vec3, sliceDir: [0, 0, 1] as Vec3 };
  const mask = ellipseMask(g, { cxMm: 40.2, cyMm: 39.6, aMm: 14, bMm: 7, thetaRad: 0.5 }, [2]);
  const voxels = new Int16Array(mask.length).fill(-1000); // air
  mask.forEach((m, v) => (voxels[v] = m ? 40 : voxels[v])); // soft tissue lesion
  const volume: Volume = { ...g, voxels };
  return { volume, mask, measurement: measureLesionMask(mask, g) };
}

const decode = (buf: Buffer) => PNG.sync.read(buf);
const pixel = (png: PNG, u: number, v: number): Rgb => {
  const o = (Math.round(v) * png.width + Math.round(u)) * 4;
  return [png.data[o], png.data[o + 1], png.data[o + 2]];
};
const count = (png: PNG, c: Rgb) => {
  let n = 0;
  for (let o = 0; o < png.data.length; o += 4) if (png.data[o] === c[0] && png.data[o + 1] === c[1] && png.data[o + 2] === c[2]) n++;
  return n;
};

describe('renderMeasuredSliceThumbnail', () => {
  it.each<[string, Vec3]>([
    ['square pixels', [0.7, 0.7, 3]],
    ['anisotropic pixels', [0.5, 1.0, 3]],
  ])('draws the image, the outline and both axes where they belong (%s)', (_name, spacing) => {
    const { volume, mask, measurement } = syntheticCase(spacing);
    const png = decode(renderMeasuredSliceThumbnail(volume, mask, measurement, { windowCenter: 40, windowWidth: 400, sizePx: 200 }));
    expect([png.width, png.height]).toEqual([200, 200]);
    const frame = thumbnailFrame(volume, mask, measurement, 200);
    const mid = (from: Vec3, to: Vec3): Vec3 => [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2, from[2]];
    // Both axes cross at the lesion: sample each line a quarter of the way along, away from the crossing.
    const quarter = (from: Vec3, to: Vec3): Vec3 => [from[0] + (to[0] - from[0]) / 4, from[1] + (to[1] - from[1]) / 4, from[2]];
    const la = measurement.longAxis;
    const sa = measurement.shortAxis;
    expect(pixel(png, ...voxelToThumbnailPx(frame, volume, quarter(la.fromVoxel, la.toVoxel)))).toEqual(DEFAULT_THUMBNAIL_COLORS.longAxis);
    expect(pixel(png, ...voxelToThumbnailPx(frame, volume, quarter(sa.fromVoxel, sa.toVoxel)))).toEqual(DEFAULT_THUMBNAIL_COLORS.shortAxis);
    // The axes cross near the middle: the long axis midpoint is drawn (long axis drawn first, short on top).
    const crossing = voxelToThumbnailPx(frame, volume, mid(la.fromVoxel, la.toVoxel));
    expect([DEFAULT_THUMBNAIL_COLORS.longAxis, DEFAULT_THUMBNAIL_COLORS.shortAxis]).toContainEqual(pixel(png, ...crossing));
    // Outline pixels exist and every one sits on the lesion's edge: within ~1.5 output px of the ellipse boundary.
    expect(count(png, DEFAULT_THUMBNAIL_COLORS.outline)).toBeGreaterThan(100);
    const c = Math.cos(0.5), s = Math.sin(0.5);
    for (let v = 0; v < png.height; v++)
      for (let u = 0; u < png.width; u++) {
        const p = pixel(png, u, v);
        if (p.join() !== DEFAULT_THUMBNAIL_COLORS.outline.join()) continue;
        const x = frame.x0Mm + (u + 0.5) * frame.mmPerPx - 40.2;
        const y = frame.y0Mm + (v + 0.5) * frame.mmPerPx - 39.6;
        const r = Math.hypot((x * c + y * s) / 14, (-x * s + y * c) / 7);
        expect(Math.abs(r - 1)).toBeLessThan((Math.max(spacing[0], spacing[1]) + 1.5 * frame.mmPerPx) / 7);
      }
    // Window: air is black, the 40 HU lesion mid-grey (40 is the window centre), at the centre of the lesion.
    expect(pixel(png, 2, 2)).toEqual([0, 0, 0]);
    const inner = voxelToThumbnailPx(frame, volume, quarter(mid(la.fromVoxel, la.toVoxel), sa.toVoxel));
    expect(pixel(png, ...inner)).toEqual([128, 128, 128]);
  });

  it('keeps the lesion round on anisotropic pixels (square output pixels in mm)', () => {
    const dims = [160, 80, 1] as const;
    const spacingMm: Vec3 = [0.5, 1.0, 3];
    const g = { dims, spacingMm, originMm: [0, 0, 0] as Vec3, rowDir: [1, 0, 0] as Vec3, colDir: [0, 1, 0] as Vec3, sliceDir: [0, 0, 1] as Vec3 };
    const mask = ellipseMask(g, { cxMm: 40, cyMm: 40, aMm: 12, bMm: 12, thetaRad: 0 }, [0]);
    const volume: Volume = { ...g, voxels: new Float32Array(mask.length) };
    const png = decode(renderMeasuredSliceThumbnail(volume, mask, measureLesionMask(mask, g), { windowCenter: 0, windowWidth: 100, sizePx: 128 }));
    let uMin = Infinity, uMax = -Infinity, vMin = Infinity, vMax = -Infinity;
    for (let v = 0; v < 128; v++)
      for (let u = 0; u < 128; u++)
        if (pixel(png, u, v).join() === DEFAULT_THUMBNAIL_COLORS.outline.join()) {
          uMin = Math.min(uMin, u); uMax = Math.max(uMax, u); vMin = Math.min(vMin, v); vMax = Math.max(vMax, v);
        }
    expect(Math.abs(uMax - uMin - (vMax - vMin))).toBeLessThanOrEqual(2);
  });

  it('refuses a mask of another grid, a slice outside the volume and a zero window', () => {
    const { volume, mask, measurement } = syntheticCase([1, 1, 3]);
    const opts = { windowCenter: 40, windowWidth: 400 };
    expect(() => renderMeasuredSliceThumbnail(volume, mask.subarray(1), measurement, opts)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => renderMeasuredSliceThumbnail(volume, mask, { ...measurement, k: 9 }, opts)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => renderMeasuredSliceThumbnail(volume, mask, measurement, { ...opts, windowWidth: 0 })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  const corpus = corpusDir();
  if (!corpus) console.log('thumbnail corpus case skipped: no corpus (set CORELAB_CORPUS or provide ../shared/corpus)');
  it.skipIf(!corpus)('renders a real CT lesion (pyradiomics breast1 image and label)', () => {
    const dir = path.join(corpus!, 'ct/pyradiomics');
    const img = readNrrd(path.join(dir, 'breast1_image.nrrd'));
    const lab = readNrrd(path.join(dir, 'breast1_label.nrrd'));
    const spacingMm = img.spaceDirections.map((d) => Math.hypot(...d!)) as unknown as Vec3;
    const volume: Volume = {
      dims: img.sizes as unknown as [number, number, number],
      spacingMm,
      originMm: img.spaceOrigin as unknown as Vec3,
      rowDir: [1, 0, 0],
      colDir: [0, 1, 0],
      sliceDir: [0, 0, 1],
      voxels: Int16Array.from(img.data),
    };
    const mask = Uint8Array.from(lab.data, (v) => (v === 1 ? 1 : 0));
    const m = measureLesionMask(mask, volume);
    const buf = renderMeasuredSliceThumbnail(volume, mask, m, { windowCenter: 40, windowWidth: 400 });
    expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const png = decode(buf);
    expect(count(png, DEFAULT_THUMBNAIL_COLORS.outline)).toBeGreaterThan(20);
    expect(count(png, DEFAULT_THUMBNAIL_COLORS.longAxis)).toBeGreaterThan(20);
    expect(count(png, DEFAULT_THUMBNAIL_COLORS.shortAxis)).toBeGreaterThan(10);
  });
});
