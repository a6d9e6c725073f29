// What the reader gives to start a segmentation, in patient coordinates (LPS, mm) of the series being read.
import type { Vec3 } from '../domain/volume.js';

export const PROMPT_KINDS = ['point', 'line', 'box'] as const;
export type PromptKind = (typeof PROMPT_KINDS)[number];

export type LesionPrompt =
  /** a click on the lesion */
  | { readonly kind: 'point'; readonly pointMm: Vec3 }
  /** a drawn long-axis line across the lesion */
  | { readonly kind: 'line'; readonly startMm: Vec3; readonly endMm: Vec3 }
  /** a box around the lesion drawn on one slice: two opposite corners */
  | { readonly kind: 'box'; readonly cornerAMm: Vec3; readonly cornerBMm: Vec3 };

/**
 * The point the VOI is centred on and the model's prompt channel marks. The default model was trained on clicks
 * near the lesion's centre, so a line or a box is reduced to its centre; the box then also bounds the result.
 */
export function promptCentreMm(p: LesionPrompt): Vec3 {
  switch (p.kind) {
    case 'point':
      return p.pointMm;
    case 'line':
      return mid(p.startMm, p.endMm);
    case 'box':
      return mid(p.cornerAMm, p.cornerBMm);
  }
}

function mid(a: Vec3, b: Vec3): Vec3 {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}
