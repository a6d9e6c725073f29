// How the segmentation benches score a mask against a phantom's truth: the mask pasted onto the series grid, Dice
// and IoU, and long/short axes measured by src/domain/measurement (the platform's exact measurement).
import { countMaskVoxels } from '../src/domain/mask/index.js';
import { measureLesionMask } from '../src/domain/measurement/index.js';
import type { VolumeGeometry } from '../src/domain/volume.js';
import type { LesionMask } from '../src/segmentation/segment-lesion.js';

export function pasteMask(m: LesionMask, dims: readonly [number, number, number]): Uint8Array {
  const out = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const [w, h, d] = m.dims;
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (m.data[x + y * w + z * w * h]) out[m.offset[0] + x + (m.offset[1] + y) * dims[0] + (m.offset[2] + z) * dims[0] * dims[1]] = 1;
  return out;
}

export function overlap(pred: Uint8Array, truth: Uint8Array): { dice: number; iou: number } {
  let inter = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < pred.length; i++) (a += pred[i]), (b += truth[i]), (inter += pred[i] & truth[i]);
  return { dice: (2 * inter) / Math.max(1, a + b), iou: inter / Math.max(1, a + b - inter) };
}

/** Long and short axis (face-centre boundary) on the largest slice; 0 for an empty mask. */
export function axesMm(mask: Uint8Array, g: VolumeGeometry): { longAxisMm: number; shortAxisMm: number } {
  if (countMaskVoxels(mask) === 0) return { longAxisMm: 0, shortAxisMm: 0 };
  const m = measureLesionMask(mask, g);
  return { longAxisMm: m.longAxis.lengthMm, shortAxisMm: m.shortAxis.lengthMm };
}
