// A scalar image volume on a regular grid in DICOM patient coordinates (LPS, millimetres).
// Voxel (i, j, k): i along rows' direction (column index), j along columns' direction (row index), k slice.
// Patient position of voxel centre (i,j,k) = origin + i*sx*rowDir + j*sy*colDir + k*sz*sliceDir.
export type Vec3 = readonly [number, number, number];

export interface VolumeGeometry {
  /** [columns, rows, slices] */
  readonly dims: readonly [number, number, number];
  /** [column spacing (along rowDir), row spacing (along colDir), slice spacing (along sliceDir)] in mm */
  readonly spacingMm: Vec3;
  /** patient position of the centre of voxel (0,0,0) */
  readonly originMm: Vec3;
  /** unit direction of increasing column index i (DICOM ImageOrientationPatient[0..2]) */
  readonly rowDir: Vec3;
  /** unit direction of increasing row index j (ImageOrientationPatient[3..5]) */
  readonly colDir: Vec3;
  /** unit direction of increasing slice index k (positions sorted along it) */
  readonly sliceDir: Vec3;
}

export interface Volume extends VolumeGeometry {
  /** voxel values in modality units (HU for CT, rescale applied), index = i + j*nx + k*nx*ny */
  readonly voxels: Float32Array | Int16Array;
}

export function voxelIndex(g: VolumeGeometry, i: number, j: number, k: number): number {
  return i + j * g.dims[0] + k * g.dims[0] * g.dims[1];
}

export function voxelToPatient(g: VolumeGeometry, v: Vec3): Vec3 {
  const [i, j, k] = v;
  const [sx, sy, sz] = g.spacingMm;
  return [0, 1, 2].map(
    (a) => g.originMm[a] + i * sx * g.rowDir[a] + j * sy * g.colDir[a] + k * sz * g.sliceDir[a],
  ) as unknown as Vec3;
}

/** Inverse of voxelToPatient; the three directions are orthonormal for every volume we accept (no tilt). */
export function patientToVoxel(g: VolumeGeometry, p: Vec3): Vec3 {
  const d = [p[0] - g.originMm[0], p[1] - g.originMm[1], p[2] - g.originMm[2]];
  const dot = (u: Vec3) => d[0] * u[0] + d[1] * u[1] + d[2] * u[2];
  return [dot(g.rowDir) / g.spacingMm[0], dot(g.colDir) / g.spacingMm[1], dot(g.sliceDir) / g.spacingMm[2]];
}
