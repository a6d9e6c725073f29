// CT-like lesion phantoms for the segmentation benchmark and tests, written independently of the Python training
// generator: a sphere or ellipsoid attached to a wall and touching a vessel-like tube, rendered with partial volume
// (supersampled voxels over the slice thickness) and correlated noise, on a chosen voxel spacing. The truth mask is
// the lesion only (voxel centre inside it, outside the wall and the vessel).
import type { Vec3, Volume } from '../src/domain/volume.js';

export const PHANTOM_BACKGROUNDS = ['lung', 'liver'] as const;
export type PhantomBackground = (typeof PHANTOM_BACKGROUNDS)[number];

export interface PhantomSpec {
  readonly name: string;
  readonly background: PhantomBackground;
  /** lesion semi-axes in mm [x, y, z] before the in-plane rotation */
  readonly semiAxesMm: Vec3;
  /** in-plane rotation of the lesion, degrees */
  readonly rotationDeg: number;
  readonly spacingMm: Vec3;
  readonly wall: boolean;
  readonly vessel: boolean;
  readonly noiseHu: number;
  readonly seed: number;
  /** the whole scene moved by this much in patient space (a follow-up scan), default none */
  readonly sceneShiftMm?: Vec3;
  /** false: the same scene without its lesion (a lesion that has disappeared), default true */
  readonly withLesion?: boolean;
}

export interface Phantom {
  readonly spec: PhantomSpec;
  readonly volume: Volume;
  /** 0/1 on the volume's grid */
  readonly truth: Uint8Array;
  /** the lesion's centre (where the reader clicks) */
  readonly centreMm: Vec3;
}

const HU = {
  lung: { background: -850, lesion: 40, wall: 45, vessel: 40 },
  liver: { background: 60, lesion: 15, wall: -100, vessel: 170 },
} as const;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

export function makePhantom(spec: PhantomSpec): Phantom {
  const hu = HU[spec.background];
  const [a, b, c] = spec.semiAxesMm;
  const rmax = Math.max(a, b, c);
  const extent = Math.max(80, 2 * rmax + 50);
  const sp = spec.spacingMm;
  // odd sizes: a voxel centre (and a slice) sits exactly on the lesion's centre, as on a real reader's best slice
  const dims = [0, 1, 2].map((i) => 2 * Math.ceil(extent / (2 * sp[i])) + 1) as unknown as [number, number, number];
  const origin = [0, 1, 2].map((i) => -((dims[i] - 1) / 2) * sp[i]) as unknown as Vec3;
  const th = (spec.rotationDeg * Math.PI) / 180;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  // in-plane extents of the rotated ellipse along x and y
  const xExtent = Math.sqrt((a * cos) ** 2 + (b * sin) ** 2);
  const yExtent = Math.sqrt((a * sin) ** 2 + (b * cos) ** 2);
  // the wall: beyond the plane x = wallX, cutting a cap off the lesion (broad-based attachment)
  const wallX = 0.8 * xExtent;
  // the vessel: a tube of radius rv, tilted 20 degrees from z, its axis rv - 0.5 mm beyond the lesion on -y
  const rv = Math.min(3, Math.max(1.2, rmax * 0.25));
  const vy = -(yExtent + rv - 0.5);
  const tilt = (20 * Math.PI) / 180;
  const vdir: Vec3 = [Math.sin(tilt), 0, Math.cos(tilt)];
  const vesselAxisDistance = (x: number, y: number, z: number) => {
    const t = x * vdir[0] + z * vdir[2];
    return Math.sqrt(Math.max(0, x * x + (y - vy) ** 2 + z * z - t * t));
  };
  const withLesion = spec.withLesion ?? true;
  const shift = spec.sceneShiftMm ?? [0, 0, 0];
  const inLesion = (x: number, y: number, z: number) => {
    if (!withLesion) return false;
    const u = x * cos + y * sin;
    const v = -x * sin + y * cos;
    return (u / a) ** 2 + (v / b) ** 2 + (z / c) ** 2 <= 1;
  };
  const inWall = (x: number) => spec.wall && x >= wallX;
  const inVessel = (x: number, y: number, z: number) => spec.vessel && vesselAxisDistance(x, y, z) <= rv;
  const valueAt = (x: number, y: number, z: number): number => {
    if (inWall(x)) return hu.wall;
    if (inVessel(x, y, z)) return hu.vessel;
    if (inLesion(x, y, z)) return hu.lesion;
    return hu.background;
  };
  const n = dims[0] * dims[1] * dims[2];
  const img = new Float32Array(n);
  const truth = new Uint8Array(n);
  // supersampling: 3x3 in-plane, and along z over the slice (slice thickness = spacing)
  const sz = Math.max(3, Math.round(sp[2] / 0.5));
  const diag = Math.hypot(sp[0], sp[1], sp[2]);
  for (let k = 0, v = 0; k < dims[2]; k++) {
    const z = origin[2] + k * sp[2] - shift[2];
    for (let j = 0; j < dims[1]; j++) {
      const y = origin[1] + j * sp[1] - shift[1];
      for (let i = 0; i < dims[0]; i++, v++) {
        const x = origin[0] + i * sp[0] - shift[0];
        const lesionHere = inLesion(x, y, z) && !inWall(x) && !inVessel(x, y, z);
        truth[v] = lesionHere ? 1 : 0;
        // partial volume only matters within a voxel of an edge: elsewhere the centre value is the voxel's value
        const nearEdge =
          Math.hypot(x, y, z) <= rmax + diag ||
          (spec.wall && Math.abs(x - wallX) <= diag) ||
          (spec.vessel && Math.abs(vesselAxisDistance(x, y, z) - rv) <= diag);
        if (!nearEdge) {
          img[v] = valueAt(x, y, z);
          continue;
        }
        let s = 0;
        for (let dz = 0; dz < sz; dz++) {
          const zz = z + ((dz + 0.5) / sz - 0.5) * sp[2];
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) s += valueAt(x + (dx * sp[0]) / 3, y + (dy * sp[1]) / 3, zz);
        }
        img[v] = s / (9 * sz);
      }
    }
  }
  // correlated noise: white noise smoothed in-plane with a [1 2 1] kernel, rescaled to the requested sigma
  const rnd = mulberry32(spec.seed);
  const white = new Float32Array(n);
  for (let i = 0; i < n; i++) white[i] = gaussian(rnd);
  const [nx, ny] = dims;
  const sm = new Float32Array(n);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        let s = 0;
        let wsum = 0;
        for (let dj = -1; dj <= 1; dj++)
          for (let di = -1; di <= 1; di++) {
            const ii = i + di;
            const jj = j + dj;
            if (ii < 0 || jj < 0 || ii >= nx || jj >= ny) continue;
            const w = (2 - Math.abs(di)) * (2 - Math.abs(dj));
            s += w * white[ii + jj * nx + k * nx * ny];
            wsum += w;
          }
        sm[i + j * nx + k * nx * ny] = s / wsum;
      }
  // std of a [1 2 1]x[1 2 1]/16 smoothed white noise is 0.375
  for (let i = 0; i < n; i++) img[i] += (sm[i] / 0.375) * spec.noiseHu;
  return {
    spec,
    volume: {
      dims,
      spacingMm: sp,
      originMm: origin,
      rowDir: [1, 0, 0],
      colDir: [0, 1, 0],
      sliceDir: [0, 0, 1],
      voxels: img,
    },
    truth,
    centreMm: [shift[0], shift[1], shift[2]],
  };
}

/** A 20 mm lung nodule on the wall touching a vessel at 0.8 x 0.8 x 2.5 mm, with overrides. */
export function phantomSpec(over: Partial<PhantomSpec> = {}): PhantomSpec {
  return {
    name: 'phantom',
    background: 'lung',
    semiAxesMm: [10, 10, 10],
    rotationDeg: 0,
    spacingMm: [0.8, 0.8, 2.5],
    wall: true,
    vessel: true,
    noiseHu: 20,
    seed: 11,
    ...over,
  };
}

export const PHANTOM_SPACINGS: readonly { readonly name: string; readonly spacingMm: Vec3 }[] = [
  { name: '0.7x0.7x1', spacingMm: [0.7, 0.7, 1] },
  { name: '0.8x0.8x2.5', spacingMm: [0.8, 0.8, 2.5] },
  { name: '1x1x5', spacingMm: [1, 1, 5] },
];

/** The benchmark's phantom set: spheres and ellipsoids of 5-50 mm, wall + vessel, three spacings, two backgrounds. */
export function phantomSuite(): PhantomSpec[] {
  const specs: PhantomSpec[] = [];
  let seed = 1;
  for (const bg of PHANTOM_BACKGROUNDS)
    for (const s of PHANTOM_SPACINGS)
      for (const d of [5, 10, 20, 35, 50])
        for (const shape of ['sphere', 'ellipsoid'] as const) {
          const r = d / 2;
          const semi: Vec3 = shape === 'sphere' ? [r, r, r] : [r, r * 0.7, r * 0.8];
          specs.push({
            name: `${bg}-${shape}-${d}mm-${s.name}`,
            background: bg,
            semiAxesMm: semi,
            rotationDeg: shape === 'sphere' ? 0 : 30,
            spacingMm: s.spacingMm,
            wall: true,
            vessel: true,
            noiseHu: bg === 'lung' ? 25 : 12,
            seed: seed++,
          });
        }
  return specs;
}
