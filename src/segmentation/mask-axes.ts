// Long and short axis of a segmented lesion as a reader would measure them (RECIST 1.1 section 3: longest diameter
// in the axial plane; short axis perpendicular to it): per slice, the longest chord between boundary pixel centres,
// and the longest chord within 5 degrees of perpendicular to it; the slice with the longest long axis wins.
export interface MaskOnGrid {
  /** box size [x, y, z] */
  readonly dims: readonly [number, number, number];
  /** 0/1, x fastest */
  readonly data: Uint8Array;
}

export interface LesionAxes {
  readonly longAxisMm: number;
  readonly shortAxisMm: number;
  /** slice (z index within the mask box) the axes were measured on; -1 when the mask is empty */
  readonly slice: number;
}

const PERPENDICULAR_TOLERANCE = Math.sin((5 * Math.PI) / 180);

export function measureLesionAxes(mask: MaskOnGrid, spacingMm: readonly [number, number, number]): LesionAxes {
  const d = mask.dims[2];
  let best: LesionAxes = { longAxisMm: 0, shortAxisMm: 0, slice: -1 };
  for (let z = 0; z < d; z++) {
    const pts = slicePerimeter(mask, z, spacingMm);
    if (pts.length === 0) continue;
    const axes = axesOfPoints(pts);
    if (axes.longAxisMm > best.longAxisMm || best.slice < 0) best = { ...axes, slice: z };
  }
  return best;
}

/** In-plane axes of one slice of a mask (z index within the box). */
export function measureSliceAxes(mask: MaskOnGrid, z: number, spacingMm: readonly [number, number, number]): LesionAxes {
  const pts = slicePerimeter(mask, z, spacingMm);
  return pts.length === 0 ? { longAxisMm: 0, shortAxisMm: 0, slice: -1 } : { ...axesOfPoints(pts), slice: z };
}

function slicePerimeter(mask: MaskOnGrid, z: number, sp: readonly [number, number, number]): [number, number][] {
  const [w, h] = mask.dims;
  const base = z * w * h;
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && mask.data[base + x + y * w] === 1;
  const pts: [number, number][] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!at(x, y)) continue;
      if (!at(x - 1, y) || !at(x + 1, y) || !at(x, y - 1) || !at(x, y + 1)) pts.push([x * sp[0], y * sp[1]]);
    }
  return pts;
}

function axesOfPoints(pts: [number, number][]): { longAxisMm: number; shortAxisMm: number } {
  let best = 0;
  let ux = 1;
  let uy = 0;
  for (let a = 0; a < pts.length; a++)
    for (let b = a + 1; b < pts.length; b++) {
      const dx = pts[b][0] - pts[a][0];
      const dy = pts[b][1] - pts[a][1];
      const dd = dx * dx + dy * dy;
      if (dd > best) (best = dd), (ux = dx), (uy = dy);
    }
  const longAxisMm = Math.sqrt(best);
  if (longAxisMm === 0) return { longAxisMm: 0, shortAxisMm: 0 };
  ux /= longAxisMm;
  uy /= longAxisMm;
  let shortSq = 0;
  for (let a = 0; a < pts.length; a++)
    for (let b = a + 1; b < pts.length; b++) {
      const dx = pts[b][0] - pts[a][0];
      const dy = pts[b][1] - pts[a][1];
      const dd = dx * dx + dy * dy;
      if (dd <= shortSq) continue;
      const along = Math.abs(dx * ux + dy * uy);
      if (along <= PERPENDICULAR_TOLERANCE * Math.sqrt(dd)) shortSq = dd;
    }
  return { longAxisMm, shortAxisMm: Math.sqrt(shortSq) };
}
