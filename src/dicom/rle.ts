// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of up to 15 segment offsets, then one PackBits-style
// segment per byte plane (most significant byte first, per sample). Written by hand: no registry codec covers it.
import { DomainError } from '../domain/errors.js';

/**
 * Decodes one RLE frame to interleaved little endian samples (rows*columns*samples*bytesPerSample bytes).
 * Output size is fixed by the header of the image, so a hostile segment cannot grow it.
 */
export function decodeRleFrame(frame: Uint8Array, rows: number, columns: number, samples: number, bytesPerSample: number): Uint8Array {
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  if (frame.length < 64) throw new DomainError('INVALID_DICOM', `RLE frame of ${frame.length} bytes has no 64-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== samples * bytesPerSample) {
    throw new DomainError('INVALID_DICOM', `RLE header lists ${segments} segments; ${samples * bytesPerSample} expected`);
  }
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || start > end || end > frame.length) {
      throw new DomainError('INVALID_DICOM', `RLE segment ${s + 1} offsets ${start}..${end} fall outside the ${frame.length}-byte frame`);
    }
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample); // segments run MSB first; output is LE
    const stride = samples * bytesPerSample;
    let o = 0;
    let i = start;
    const put = (b: number) => {
      if (o < pixels) out[o * stride + sample * bytesPerSample + byteInSample] = b;
      o++;
    };
    while (i < end && o < pixels) {
      const n = (frame[i++] << 24) >> 24; // signed header byte
      if (n >= 0) {
        for (let k = 0; k <= n && i < end; k++) put(frame[i++]);
      } else if (n !== -128) {
        const b = frame[i++];
        for (let k = 0; k < 1 - n; k++) put(b);
      }
    }
    if (o < pixels) throw new DomainError('INVALID_DICOM', `RLE segment ${s + 1} decodes to ${o} of ${pixels} bytes`);
  }
  return out;
}
