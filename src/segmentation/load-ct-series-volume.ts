// Minimal reader of one uncompressed CT series folder into a Volume, for the segmentation benchmarks and tests.
// The platform's ingest module builds volumes properly (all transfer syntaxes, QC); this one only needs the
// geometry right: ImageOrientationPatient for the axes, slices sorted by position along the normal (PS3.3
// C.7.6.2.1.1), PixelSpacing = [row spacing, column spacing], HU = stored * RescaleSlope + RescaleIntercept.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { DomainError } from '../domain/errors.js';
import type { Vec3, Volume } from '../domain/volume.js';

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

export interface CtSeriesVolume {
  readonly volume: Volume;
  /** SOP Instance UID of each slice, in slice (k) order */
  readonly sopInstanceUids: readonly string[];
}

interface Slice {
  readonly uid: string;
  readonly position: Vec3;
  readonly hu: Float32Array;
}

function numbers(ds: dicomParser.DataSet, tag: string, file: string): number[] {
  const s = ds.string(tag);
  if (!s) throw new DomainError('INVALID_DICOM', `${path.basename(file)}: missing ${tag}`);
  return s.split('\\').map(Number);
}

export async function loadCtSeriesVolume(dir: string): Promise<CtSeriesVolume> {
  const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.dcm')).sort();
  if (files.length === 0) throw new DomainError('NOT_FOUND', `no .dcm files in ${dir}`);
  let rows = 0;
  let cols = 0;
  let spacing: number[] = [];
  let iop: number[] = [];
  const slices: Slice[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    const bytes = await readFile(file);
    const ds = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const ts = ds.string('x00020010') ?? '1.2.840.10008.1.2';
    if (!UNCOMPRESSED.has(ts)) throw new DomainError('INVALID_DICOM', `${f}: transfer syntax ${ts} is not handled by this reader`);
    rows = ds.uint16('x00280010') ?? 0;
    cols = ds.uint16('x00280011') ?? 0;
    spacing = numbers(ds, 'x00280030', file);
    iop = numbers(ds, 'x00200037', file);
    const ipp = numbers(ds, 'x00200032', file);
    const slope = Number(ds.string('x00281053') ?? 1);
    const intercept = Number(ds.string('x00281052') ?? 0);
    const signed = ds.uint16('x00280103') === 1;
    const pe = ds.elements.x7fe00010;
    if (!pe || (ds.uint16('x00280100') ?? 16) !== 16) throw new DomainError('INVALID_DICOM', `${f}: needs 16-bit pixel data`);
    const n = rows * cols;
    const src = signed
      ? new Int16Array(bytes.buffer.slice(bytes.byteOffset + pe.dataOffset, bytes.byteOffset + pe.dataOffset + n * 2))
      : new Uint16Array(bytes.buffer.slice(bytes.byteOffset + pe.dataOffset, bytes.byteOffset + pe.dataOffset + n * 2));
    const hu = new Float32Array(n);
    for (let i = 0; i < n; i++) hu[i] = src[i] * slope + intercept;
    slices.push({ uid: ds.string('x00080018') ?? '', position: [ipp[0], ipp[1], ipp[2]], hu });
  }
  const rowDir: Vec3 = [iop[0], iop[1], iop[2]];
  const colDir: Vec3 = [iop[3], iop[4], iop[5]];
  const normal: Vec3 = [
    rowDir[1] * colDir[2] - rowDir[2] * colDir[1],
    rowDir[2] * colDir[0] - rowDir[0] * colDir[2],
    rowDir[0] * colDir[1] - rowDir[1] * colDir[0],
  ];
  const along = (p: Vec3) => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
  slices.sort((a, b) => along(a.position) - along(b.position));
  const gaps = slices.slice(1).map((s, i) => along(s.position) - along(slices[i].position));
  const sliceSpacing = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : 1;
  if (gaps.some((g) => Math.abs(g - sliceSpacing) > 0.01 * Math.max(1, sliceSpacing))) {
    throw new DomainError('UNPROCESSABLE', `${dir}: slices are not evenly spaced`);
  }
  const voxels = new Float32Array(rows * cols * slices.length);
  slices.forEach((s, k) => voxels.set(s.hu, k * rows * cols));
  return {
    volume: {
      dims: [cols, rows, slices.length],
      // PixelSpacing is [spacing between rows (along colDir), spacing between columns (along rowDir)]
      spacingMm: [spacing[1], spacing[0], sliceSpacing || 1],
      originMm: slices[0].position,
      rowDir,
      colDir,
      sliceDir: normal,
      voxels,
    },
    sopInstanceUids: slices.map((s) => s.uid),
  };
}
