// Pixel decoding checked against the corpus's own references: the same image stored in different transfer
// syntaxes must decode to identical modality values (lossless syntaxes only).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { parseDicom } from '../../src/dicom/parse.js';
import { decodePixelData, type PixelFrame } from '../../src/dicom/pixels.js';
import { decodeRleFrame } from '../../src/dicom/rle.js';
import { corpusDir } from '../corpus.js';

const dir = corpusDir();
if (!dir) console.log('pixels corpus checks: skipped, no corpus');
const file = (rel: string) => readFileSync(path.join(dir!, 'dicom', rel));

async function frames(rel: string): Promise<PixelFrame[]> {
  const img = await decodePixelData(parseDicom(file(rel)));
  return [...img.frames.values()];
}

describe.skipIf(!dir)('lossless syntaxes decode to the same values', () => {
  it.each([
    ['dcm_qa_ts/In/1.dcm', ['2', '3', '4', '5', '6', '7', '8', '9'].map((n) => `dcm_qa_ts/In/${n}.dcm`)],
    ['cornerstone-dicomParser/CT1_UNC.explicit_little_endian.dcm', ['cornerstone-dicomParser/CT1_UNC.explicit_big_endian.dcm', 'cornerstone-dicomParser/CT1_UNC.implicit_little_endian.dcm', 'cornerstone-dicomParser/encapsulated/single-frame/CT1_UNC.fragmented_no_bot_jpeg_ls.80.dcm']],
    ['pydicom-data/emri_small.dcm', ['pydicom-data/emri_small_big_endian.dcm', 'pydicom-data/emri_small_RLE.dcm', 'pydicom-data/emri_small_jpeg_2k_lossless.dcm', 'pydicom-data/emri_small_jpeg_ls_lossless.dcm']],
    ['cornerstone-dicomParser/encapsulated/multi-frame/CT0012.explicit_little_endian.dcm', ['cornerstone-dicomParser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.57.dcm', 'cornerstone-dicomParser/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm', 'cornerstone-dicomParser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.80.dcm']],
    ['pydicom-data/liver.dcm', ['pydicom-data/liver_expb.dcm', 'pydicom-data/liver_rle.dcm', 'pydicom-data/liver_deflate.dcm', 'pydicom-data/liver_j2k.dcm']],
    ['pydicom-data/liver_nonbyte_aligned.dcm', ['pydicom-data/liver_nonbyte_aligned_rle.dcm', 'pydicom-data/liver_nonbyte_aligned_deflate.dcm']],
    ['pydicom-data/SC_rgb.dcm', ['pydicom-data/SC_rgb_expb.dcm', 'pydicom-test_files/test_files/SC_rgb_rle.dcm']],
  ])('%s', { timeout: 60_000 }, async (reference, others) => {
    const ref = await frames(reference);
    for (const other of others) {
      const got = await frames(other);
      expect(got.length, other).toBe(ref.length);
      got.forEach((f, i) => expect(Array.from(f), `${other} frame ${i + 1}`).toEqual(Array.from(ref[i])));
    }
  });

  it('keeps pixels intact through de-identification, big endian converted to little endian', async () => {
    const { deidentify } = await import('../../src/dicom/deidentify.js');
    const { TEST_OPTIONS, TEST_TRIAL } = await import('./corpus-outcome.js');
    for (const rel of ['cornerstone-dicomParser/CT1_UNC.explicit_big_endian.dcm', 'pydicom-data/emri_small_big_endian.dcm', 'pydicom-data/SC_rgb_expb_32bit_2frame.dcm', 'pydicom-data/emri_small_jpeg_2k_lossless.dcm']) {
      const source = file(rel);
      const out = deidentify(parseDicom(source), source, TEST_TRIAL, TEST_OPTIONS);
      const before = await decodePixelData(parseDicom(source));
      const after = await decodePixelData(parseDicom(out.part10));
      expect(parseDicom(out.part10).bodySyntax.littleEndian, rel).toBe(true);
      for (const [i, f] of before.frames) expect(Array.from(after.frames.get(i)!), `${rel} frame ${i + 1}`).toEqual(Array.from(f));
    }
  });

  it('applies Rescale Slope/Intercept: CT in Hounsfield units', async () => {
    const [f] = await frames('cornerstone-dicomParser/CT1_UNC.explicit_little_endian.dcm');
    expect(f).toBeInstanceOf(Int16Array);
    expect(Array.from(f).reduce((m, v) => Math.min(m, v), Infinity)).toBe(-3024);
  });

  it('refuses 12-bit DCT JPEG with a reason rather than decoding garbage', async () => {
    await expect(decodePixelData(parseDicom(file('pydicom-test_files/test_files/JPGExtended.dcm')))).rejects.toThrow(/12-bit JPEG/);
  });

  it('contains a decoder failure: a corrupt JPEG 2000 frame is refused and the codec keeps working', async () => {
    const good = file('pydicom-test_files/test_files/MR_small_jp2klossless.dcm');
    const parsed = parseDicom(good);
    const pd = parsed.summary.pixelData;
    if (pd?.kind !== 'encapsulated') throw new Error('expected encapsulated pixel data');
    const bad = Buffer.from(parsed.canonical);
    const frag = pd.data.fragments[0];
    const start = parsed.bodyOffset + frag.offset;
    bad.fill(0xff, start + 2, start + Math.min(frag.length, 200)); // wreck the main header after SOC
    const err = await decodePixelData(parseDicom(bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).detail).toMatch(/JPEG 2000 decoder failed on frame 1|frame 1 decodes to/);
    const again = await decodePixelData(parseDicom(good));
    expect(again.frames.get(0)!.length).toBe(64 * 64);
  });

  it('decodes the JPEG 2000 files known to crash some decoders, or refuses them, without crashing', async () => {
    for (const rel of ['pydicom-data/liver_j2k.dcm', 'pydicom-data/liver_nonbyte_aligned_j2k.dcm']) {
      if (!existsSync(path.join(dir!, 'dicom', rel))) continue;
      const outcome = await decodePixelData(parseDicom(file(rel))).then(
        (img) => `frames ${img.frames.size}`,
        (e: unknown) => (e instanceof DomainError ? 'refused' : 'crashed'),
      );
      expect(outcome).not.toBe('crashed');
    }
  });
});

describe('RLE (PS3.5 Annex G)', () => {
  it('decodes literal and replicate runs into little endian samples', () => {
    // one 16-bit sample, 2x2: segment 1 = high bytes, segment 2 = low bytes
    const header = new Uint8Array(64);
    const v = new DataView(header.buffer);
    v.setUint32(0, 2, true);
    v.setUint32(4, 64, true);
    v.setUint32(8, 67, true);
    const high = [0xfd, 0x01]; // replicate 0x01 four times
    const low = [0x03, 1, 2, 3, 4]; // literal run of four
    const frame = Uint8Array.from([...header, ...high, 0x80, ...low]);
    const out = decodeRleFrame(frame, 2, 2, 1, 2);
    expect(Array.from(new Uint16Array(out.buffer))).toEqual([0x0101, 0x0102, 0x0103, 0x0104]);
  });

  it('refuses a segment that decodes short, and bad offsets', () => {
    const header = new Uint8Array(64);
    new DataView(header.buffer).setUint32(0, 1, true);
    new DataView(header.buffer).setUint32(4, 64, true);
    expect(() => decodeRleFrame(Uint8Array.from([...header, 0x00, 7]), 2, 2, 1, 1)).toThrow(/decodes to 1 of 4 bytes/);
    new DataView(header.buffer).setUint32(4, 9999, true);
    expect(() => decodeRleFrame(Uint8Array.from([...header, 0x00, 7]), 2, 2, 1, 1)).toThrow(/fall outside/);
  });
});
