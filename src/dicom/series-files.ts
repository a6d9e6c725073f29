// A series' DICOM files (every transfer syntax src/dicom/pixels.ts decodes) assembled into one volume by the same
// code ingest uses (volume.ts): for the raw volume download, the segmentation jobs' loader and the benchmarks.
import { readFile } from 'node:fs/promises';
import { parseDicom } from './parse.js';
import { decodePixelData } from './pixels.js';
import { type AssembledVolume, type VolumeSlice, assembleVolume, slicesFromInstance } from './volume.js';

/** A file's bytes as a plain Uint8Array view of the buffer read (`new Uint8Array(buffer)` would copy them). */
export async function readInstanceBytes(file: string): Promise<Uint8Array> {
  const b = await readFile(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export async function assembleVolumeFromFiles(paths: readonly string[]): Promise<AssembledVolume> {
  const slices: VolumeSlice[] = [];
  for (const p of paths) {
    const parsed = parseDicom(await readInstanceBytes(p));
    slices.push(...slicesFromInstance(parsed, await decodePixelData(parsed)));
  }
  return assembleVolume(slices);
}
