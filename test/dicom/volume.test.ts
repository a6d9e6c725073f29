// Series to Volume: synthetic series written with dcmjs, parsed and decoded by the real pipeline.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { voxelToPatient } from '../../src/domain/volume.js';
import { parseDicom } from '../../src/dicom/parse.js';
import { decodePixelData } from '../../src/dicom/pixels.js';
import { sliceRaw16, sliceWindowedPng } from '../../src/dicom/slice-png.js';
import { assembleVolume, slicesFromInstance, type VolumeSlice } from '../../src/dicom/volume.js';
import { writeCtSlice, type SliceSpec } from './synthetic.js';

async function series(specs: SliceSpec[]): Promise<VolumeSlice[]> {
  const out: VolumeSlice[] = [];
  for (const s of specs) {
    const parsed = parseDicom(writeCtSlice(s));
    out.push(...slicesFromInstance(parsed, await decodePixelData(parsed)));
  }
  return out;
}

const z = (positions: number[], extra: Partial<SliceSpec> = {}): SliceSpec[] =>
  positions.map((p, i) => ({ sop: `1.2.3.4.${i + 1}`, position: [10, 20, p], fill: 100 * i, ...extra }));

describe('assembleVolume', () => {
  it('sorts shuffled slices along the normal and takes spacing from positions, not Slice Thickness', async () => {
    const { volume, findings, order } = assembleVolume(await series(z([7.5, -2.5, 2.5, 12.5, 5, 0, 10], { thickness: 99 })));
    expect(findings).toEqual([]);
    expect(volume.dims).toEqual([3, 4, 7]);
    expect(volume.spacingMm).toEqual([0.7, 0.5, 2.5]);
    expect(order.map((o) => o.positionMm)).toEqual([-2.5, 0, 2.5, 5, 7.5, 10, 12.5]);
    expect(volume.originMm).toEqual([10, 20, -2.5]);
    expect(voxelToPatient(volume, [2, 3, 6])).toEqual([10 + 2 * 0.7, 20 + 3 * 0.5, 12.5]);
    // slice at -2.5 was written with fill 100 (second spec): HU = 100 - 1024
    expect(volume.voxels[0]).toBe(100 - 1024);
    expect(volume.voxels).toBeInstanceOf(Int16Array);
  });

  it.each([
    ['MISSING_SLICES', z([0, 2, 4, 8, 10]), '1 slice(s) missing'],
    ['DUPLICATE_SLICES', z([0, 2, 2, 4]), '1 slice(s) share a position'],
    ['NON_UNIFORM_SPACING', z([0, 2, 4, 5.1, 7.1]), 'differ from the median spacing'],
    ['MULTIPLE_ACQUISITIONS', z([0, 2]).concat(z([4, 6]).map((s, i) => ({ ...s, sop: `9.9.${i}`, acquisition: 2 }))), '2 acquisition numbers'],
    ['GANTRY_TILT', [0, 1, 2, 3].map((i) => ({ sop: `1.1.${i}`, position: [0, i * 0.5, i * 2] as [number, number, number] })), 'degrees off the slice normal'],
    ['MIXED_ORIENTATIONS', z([0, 2, 4]).concat([{ sop: '7.7.7', position: [0, 0, 6], orientation: [0, 1, 0, 0, 0, -1] }]), '1 slice(s) outside'],
  ] as const)('reports %s', async (code, specs, detail) => {
    const { findings } = assembleVolume(await series([...specs]));
    const f = findings.find((x) => x.code === code);
    expect(f, JSON.stringify(findings)).toBeDefined();
    expect(f!.detail).toContain(detail);
  });

  it('reports a tilt declared in (0018,1120) even when positions look straight', async () => {
    const { findings } = assembleVolume(await series(z([0, 2, 4], { tilt: 15 })));
    expect(findings.map((f) => f.code)).toEqual(['GANTRY_TILT']);
  });

  it('keeps the main orientation and leaves the odd slice out', async () => {
    const specs = z([0, 2, 4]).concat([{ sop: '7.7.7', position: [0, 0, 6], orientation: [0, 1, 0, 0, 0, -1] }]);
    const { volume } = assembleVolume(await series(specs));
    expect(volume.dims[2]).toBe(3);
  });

  it('handles an oblique (sagittal) series: sliceDir is the orientation normal', async () => {
    const specs = [0, 3, 6].map((x, i) => ({ sop: `5.5.${i}`, position: [x, 0, 0] as [number, number, number], orientation: [0, 1, 0, 0, 0, -1] as [number, number, number, number, number, number] }));
    const { volume, findings } = assembleVolume(await series(specs));
    expect(findings).toEqual([]);
    // row (0,1,0) x column (0,0,-1) = (-1,0,0): slices run from x=6 to x=0
    expect(volume.sliceDir.map((v) => v + 0)).toEqual([-1, 0, 0]);
    expect(volume.originMm).toEqual([6, 0, 0]);
    expect(volume.spacingMm[2]).toBe(3);
  });

  it('refuses a series that mixes studies, with the reason', async () => {
    const specs = z([0, 2]).concat([{ sop: '8.8.8', position: [10, 20, 4], study: '1.2.3.999' }]);
    const slices = await series(specs);
    expect(() => assembleVolume(slices)).toThrow(DomainError);
    expect(() => assembleVolume(slices)).toThrow(/mixes 2 studies/);
  });

  it('refuses slices of different matrix sizes', async () => {
    const slices = await series([...z([0, 2]), { sop: '6.6.6', position: [10, 20, 4], rows: 5 }]);
    expect(() => assembleVolume(slices)).toThrow(/Rows\/Columns/);
  });

  it('assembles an enhanced multi-frame object from its per-frame functional groups', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const { corpusDir } = await import('../corpus.js');
    const dir = corpusDir();
    const file = dir && `${dir}/dicom/pydicom-data/eCT_Supplemental.dcm`;
    if (!file || !existsSync(file)) return console.log('enhanced CT check skipped: corpus absent');
    const parsed = parseDicom(readFileSync(file));
    const { volume, findings } = assembleVolume(slicesFromInstance(parsed, await decodePixelData(parsed)));
    expect(volume.dims).toEqual([512, 512, 2]);
    expect(volume.spacingMm[2]).toBeCloseTo(10, 6);
    expect(findings).toEqual([]);
  });
});

describe('slice output', () => {
  it('writes raw int16 and a windowed 8-bit PNG that pngjs reads back', async () => {
    const { volume } = assembleVolume(await series(z([0, 1])));
    const raw = sliceRaw16(volume, 1);
    expect(raw.length).toBe(3 * 4 * 2);
    expect(raw.readInt16LE(0)).toBe(100 - 1024);
    // window centre -900 width 200: -924..-913 map into the ramp, monotonically
    const png = PNG.sync.read(sliceWindowedPng(volume, 1, { center: -900, width: 200 }));
    expect([png.width, png.height]).toEqual([3, 4]);
    const gray = [...Array(12).keys()].map((p) => png.data[p * 4]);
    expect(gray).toEqual([...gray].sort((a, b) => a - b));
    expect(gray[0]).toBeGreaterThan(0);
    const black = PNG.sync.read(sliceWindowedPng(volume, 1, { center: 2000, width: 10 }));
    expect(black.data[0]).toBe(0);
    expect(() => sliceRaw16(volume, 2)).toThrow(/outside/);
  });
});
