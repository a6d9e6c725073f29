// A series' DICOM files (every transfer syntax src/dicom/pixels.ts decodes) assembled into one volume by the same
// code ingest uses (volume.ts): for the raw volume download, the segmentation jobs' loader and the benchmarks.
import { readFile } from 'node:fs/promises';
import { parseDicom } from './parse.js';
import { decodePixelData } from './pixels.js';
import { type AssembledVolume, type VolumeSlice, assembleVolume, slicesFromInstance } from './volume.js';

export async function assembleVolumeFromFiles(paths: readonly string[]): Promise<AssembledVolume> {
  const slices: VolumeSlice[] = [];
  for (const p of paths) {
    const parsed = parseDicom(new Uint8Array(await readFile(p)));
    slices.push(...slicesFromInstance(parsed, await decodePixelData(parsed)));
  }
  return assembleVolume(slices);
}
