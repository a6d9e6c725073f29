// 2D masks on one model slice grid (nx x ny, x fastest, 0/1), for the slice walk of a 2D model
// (src/segmentation/segment-lesion.ts, propagateSlices): 8-connected components, dilation, the statistics of a mask
// and of a ring around it. Pure: no I/O. 8-connected in-plane, where connected-component.ts keeps one 6-connected
// component of a 3D mask: a slice's lesion touching itself only at a corner is still one lesion.

/** The 8-connected component of prob >= threshold at (or, when the click misses, nearest to) the click pixel. */
export function componentAt(prob: Float32Array, nx: number, ny: number, threshold: number, at: readonly [number, number]): Uint8Array {
  const on = new Uint8Array(nx * ny);
  let best = -1;
  let bestD = Infinity;
  for (let y = 0, v = 0; y < ny; y++)
    for (let x = 0; x < nx; x++, v++)
      if (prob[v] >= threshold) {
        on[v] = 1;
        const d = (x - at[0]) ** 2 + (y - at[1]) ** 2;
        if (d < bestD) (bestD = d), (best = v);
      }
  return best < 0 ? new Uint8Array(nx * ny) : floodFrom(on, nx, ny, [best]);
}

/** The 8-connected components of prob >= threshold that overlap `prev`. */
export function overlapping(prob: Float32Array, nx: number, ny: number, threshold: number, prev: Uint8Array): Uint8Array {
  const on = new Uint8Array(nx * ny);
  const seeds: number[] = [];
  for (let v = 0; v < on.length; v++)
    if (prob[v] >= threshold) {
      on[v] = 1;
      if (prev[v]) seeds.push(v);
    }
  return floodFrom(on, nx, ny, seeds);
}

function floodFrom(on: Uint8Array, nx: number, ny: number, seeds: number[]): Uint8Array {
  const out = new Uint8Array(nx * ny);
  const queue = new Int32Array(nx * ny);
  let head = 0;
  let tail = 0;
  for (const s of seeds) if (!out[s]) (out[s] = 1), (queue[tail++] = s);
  while (head < tail) {
    const v = queue[head++];
    const x = v % nx;
    const y = (v - x) / nx;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= nx || yy >= ny) continue;
        const w = xx + yy * nx;
        if (on[w] && !out[w]) (out[w] = 1), (queue[tail++] = w);
      }
  }
  return out;
}

/** 3x3 dilation (8-neighbour step), clipped at the grid's edge. */
function dilate(m: Uint8Array, nx: number, ny: number): Uint8Array {
  const out = new Uint8Array(m.length);
  for (let y = 0, v = 0; y < ny; y++)
    for (let x = 0; x < nx; x++, v++) {
      if (!m[v]) continue;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < nx && yy < ny) out[xx + yy * nx] = 1;
        }
    }
  return out;
}

/** The probability where the kept mask is, and one pixel around it (so that resampling sees the true rim); 0 elsewhere. */
export function keepNear(prob: Float32Array, kept: Uint8Array, nx: number, ny: number): Float32Array {
  const out = new Float32Array(nx * ny);
  for (let y = 0, v = 0; y < ny; y++)
    for (let x = 0; x < nx; x++, v++) {
      let near = false;
      for (let dy = -1; dy <= 1 && !near; dy++)
        for (let dx = -1; dx <= 1 && !near; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < nx && yy < ny && kept[xx + yy * nx]) near = true;
        }
      if (near) out[v] = kept[v] ? prob[v] : Math.min(prob[v], 0.4999);
    }
  return out;
}

/** The mean of `values` under a mask; NaN for an empty mask. */
export function meanOver(values: Float32Array, mask: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) (sum += values[i]), (n += 1);
  return n ? sum / n : NaN;
}

/**
 * Median HU of the voxels 1..width voxels (8-neighbour steps) outside a mask, NaN for an empty ring: the median, so
 * that a wall or a vessel touching the lesion does not stand for its surroundings.
 */
export function ringMedianHu(hu: Float32Array, mask: Uint8Array, nx: number, ny: number, width: number): number {
  let grown = mask;
  for (let i = 0; i < width; i++) grown = dilate(grown, nx, ny);
  const ring: number[] = [];
  for (let v = 0; v < hu.length; v++) if (grown[v] && !mask[v]) ring.push(hu[v]);
  if (ring.length === 0) return NaN;
  ring.sort((a, b) => a - b);
  return ring[ring.length >> 1];
}

/** The larger side of the mask's bounding box, in voxels (0 for an empty mask). */
export function maskExtentVoxels(m: Uint8Array, nx: number, ny: number): number {
  let x0 = nx, y0 = ny, x1 = -1, y1 = -1;
  for (let y = 0, v = 0; y < ny; y++)
    for (let x = 0; x < nx; x++, v++) if (m[v]) (x0 = Math.min(x0, x)), (x1 = Math.max(x1, x)), (y0 = Math.min(y0, y)), (y1 = Math.max(y1, y));
  return x1 < 0 ? 0 : Math.max(x1 - x0 + 1, y1 - y0 + 1);
}

/** Whether the mask reaches the grid's border (the lesion may go on beyond it). */
export function touchesGridEdge(m: Uint8Array, nx: number, ny: number): boolean {
  for (let x = 0; x < nx; x++) if (m[x] || m[x + (ny - 1) * nx]) return true;
  for (let y = 0; y < ny; y++) if (m[y * nx] || m[nx - 1 + y * nx]) return true;
  return false;
}
