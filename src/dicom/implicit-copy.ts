// Re-encodes an already pre-scanned data set as Implicit VR Little Endian for dcmjs. Two dcmjs behaviours make this
// necessary: it reads the content of an explicit UN element as explicit VR (PS3.5 6.2.2 says implicit little endian),
// which on pydicom's rtdose_rle.dcm turns a 148-byte sequence into a 775 MB allocation; and it keeps OW/OF/OD values
// of big endian files in big endian order. In implicit VR, dcmjs takes VRs from its dictionary and cannot misread
// a VR field. Sequences and items are written with undefined length, so nested lengths need no recomputation.
// Only call this on bytes that scanDataSet accepted: it trusts the lengths it reads.
import type { ScanSyntax } from './prescan.js';

const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const UNDEFINED = 0xffffffff;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
/** bytes per swapped unit for big endian values (AT is a pair of 16-bit numbers) */
const SWAP: Record<string, number> = { US: 2, SS: 2, OW: 2, AT: 2, UL: 4, SL: 4, FL: 4, OF: 4, OL: 4, FD: 8, OD: 8, SV: 8, UV: 8, OV: 8 };
const IMPLICIT_LE: ScanSyntax = { explicitVr: false, littleEndian: true };

class Writer {
  private chunks: Uint8Array[] = [];
  size = 0;
  header(tag: number, length: number): void {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint16(0, tag >>> 16, true);
    v.setUint16(2, tag & 0xffff, true);
    v.setUint32(4, length >>> 0, true);
    this.push(b);
  }
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks, this.size);
  }
}

class Copier {
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array, private readonly out: Writer) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private tagAt(pos: number, le: boolean): number {
    return ((this.view.getUint16(pos, le) << 16) | this.view.getUint16(pos + 2, le)) >>> 0;
  }

  /** Copies elements in [start, end); returns the offset after the item delimiter when asked to stop there. */
  dataSet(start: number, end: number, syntax: ScanSyntax, stopAtItemDelimiter: boolean): number {
    const le = syntax.littleEndian;
    let pos = start;
    while (pos < end) {
      const tag = this.tagAt(pos, le);
      if (tag === ITEM_DELIMITER && stopAtItemDelimiter) return pos + 8;
      let vr: string | undefined;
      let length: number;
      let header: number;
      if (syntax.explicitVr) {
        vr = String.fromCharCode(this.buf[pos + 4], this.buf[pos + 5]);
        if (LONG_VRS.has(vr)) {
          length = this.view.getUint32(pos + 8, le);
          header = 12;
        } else {
          length = this.view.getUint16(pos + 6, le);
          header = 8;
        }
      } else {
        length = this.view.getUint32(pos + 4, le);
        header = 8;
      }
      const value = pos + header;
      if (length === UNDEFINED) {
        if (tag === PIXEL_DATA && syntax.explicitVr && (vr === 'OB' || vr === 'OW')) {
          pos = this.encapsulated(tag, value, end, le);
        } else {
          this.out.header(tag, UNDEFINED);
          pos = this.sequence(value, end, true, vr === 'UN' ? IMPLICIT_LE : syntax);
        }
        continue;
      }
      const next = value + length;
      const inner = vr === 'UN' ? IMPLICIT_LE : syntax;
      const isSequence =
        vr === 'SQ' || ((vr === undefined || vr === 'UN') && length >= 8 && this.tagAt(value, inner.littleEndian) === ITEM);
      if (isSequence) {
        this.out.header(tag, UNDEFINED);
        this.sequence(value, next, false, inner);
      } else {
        this.out.header(tag, length);
        const bytes = this.buf.slice(value, next);
        const unit = !le && vr ? SWAP[vr] : undefined;
        if (unit) for (let i = 0; i + unit <= bytes.length; i += unit) bytes.subarray(i, i + unit).reverse();
        this.out.push(bytes);
      }
      pos = next;
    }
    return pos;
  }

  private sequence(start: number, end: number, undefinedLength: boolean, syntax: ScanSyntax): number {
    const le = syntax.littleEndian;
    let pos = start;
    while (pos < end) {
      const tag = this.tagAt(pos, le);
      const length = this.view.getUint32(pos + 4, le);
      if (tag === SEQUENCE_DELIMITER) {
        pos += 8;
        break;
      }
      this.out.header(ITEM, UNDEFINED);
      if (length === UNDEFINED) {
        pos = this.dataSet(pos + 8, end, syntax, true);
      } else {
        this.dataSet(pos + 8, pos + 8 + length, syntax, false);
        pos += 8 + length;
      }
      this.out.header(ITEM_DELIMITER, 0);
    }
    this.out.header(SEQUENCE_DELIMITER, 0);
    return undefinedLength ? pos : end;
  }

  /** Encapsulated pixel data (e.g. in an Icon Image Sequence) is copied as is: items are always little endian. */
  private encapsulated(tag: number, start: number, end: number, le: boolean): number {
    let pos = start;
    while (pos < end) {
      const t = this.tagAt(pos, le);
      const length = this.view.getUint32(pos + 4, le);
      pos += 8;
      if (t === SEQUENCE_DELIMITER) break;
      pos += length;
    }
    this.out.header(tag, UNDEFINED);
    this.out.push(this.buf.subarray(start, pos));
    return pos;
  }
}

/** The data set bytes [0, end) of `body` (read in `syntax`) as Implicit VR Little Endian. */
export function toImplicitLittleEndian(body: Uint8Array, syntax: ScanSyntax, end = body.length): Uint8Array {
  const out = new Writer();
  new Copier(body, out).dataSet(0, end, syntax, false);
  return out.bytes();
}
