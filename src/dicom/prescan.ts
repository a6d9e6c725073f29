// Structural pre-scan of a DICOM data set before any library sees it (part11-and-security.md SEC-05): every declared
// length must fit in what remains of its container, sequences and items must be delimited, nesting depth and element
// count are capped, and encapsulated pixel data must be a well-formed item list. Nothing is allocated per element
// beyond the few offsets kept for the top level, so a hostile file costs at most one pass over its bytes.
import { DomainError } from '../domain/errors.js';

export interface ScanLimits {
  /** deepest sequence nesting accepted (enhanced MR and SR content trees stay well below 16) */
  readonly maxDepth: number;
  /** elements + items in the whole data set */
  readonly maxElements: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxDepth: 32, maxElements: 2_000_000 };

export interface ScanSyntax {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
}

export interface TopLevelElement {
  /** (group << 16 | element) as an unsigned number */
  readonly tag: number;
  /** explicit VR as read; undefined in implicit VR */
  readonly vr: string | undefined;
  readonly headerOffset: number;
  readonly valueOffset: number;
  /** value length in bytes; for undefined-length elements the length up to (not including) the delimiter */
  readonly valueLength: number;
  readonly undefinedLength: boolean;
  /** offset just past the element, including any delimiter */
  readonly end: number;
}

export interface Fragment {
  readonly offset: number;
  readonly length: number;
}

export interface EncapsulatedPixelData {
  readonly basicOffsetTable: readonly number[];
  readonly fragments: readonly Fragment[];
}

export interface ScanResult {
  readonly topLevel: readonly TopLevelElement[];
  readonly encapsulatedPixelData: EncapsulatedPixelData | undefined;
  readonly elementCount: number;
  readonly maxDepthSeen: number;
  /** explicit elements with VR UN (their content is implicit VR, which dcmjs misreads: see implicit-copy.ts) */
  readonly unknownVrElements: number;
}

const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const UNDEFINED = 0xffffffff;

export const VALID_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN',
  'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);
/** VRs with a 2-byte reserved field and a 32-bit length in explicit VR (PS3.5 7.1.2) */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const IMPLICIT_LE: ScanSyntax = { explicitVr: false, littleEndian: true };

export function tagString(tag: number): string {
  const h = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

class Scanner {
  private count = 0;
  maxDepthSeen = 0;
  unknownVr = 0;
  readonly topLevel: TopLevelElement[] = [];
  encapsulated: EncapsulatedPixelData | undefined;

  constructor(
    private readonly buf: Uint8Array,
    private readonly view: DataView,
    private readonly limits: ScanLimits,
    /** added to offsets in messages so they point into the original file */
    private readonly reportBase: number,
    private readonly offsetLabel: string,
  ) {}

  private fail(detail: string): never {
    throw new DomainError('INVALID_DICOM', detail);
  }

  private at(pos: number): string {
    return `${this.offsetLabel} ${pos + this.reportBase}`;
  }

  private u16(pos: number, le: boolean): number {
    return this.view.getUint16(pos, le);
  }
  private u32(pos: number, le: boolean): number {
    return this.view.getUint32(pos, le);
  }
  private tagAt(pos: number, le: boolean): number {
    return ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
  }

  private bump(): void {
    this.count += 1;
    if (this.count > this.limits.maxElements) {
      this.fail(`more than ${this.limits.maxElements} elements and items: refused as a parsing bomb`);
    }
  }

  get elementCount(): number {
    return this.count;
  }

  /** Scans elements from start to end; with stopAtItemDelimiter, returns the offset past (FFFE,E00D). */
  dataSet(start: number, end: number, syntax: ScanSyntax, depth: number, stopAtItemDelimiter: boolean): number {
    const le = syntax.littleEndian;
    let pos = start;
    while (pos < end) {
      if (end - pos < 8) {
        this.fail(`truncated element header at ${this.at(pos)}: ${end - pos} bytes remain, 8 needed`);
      }
      const tag = this.tagAt(pos, le);
      if (tag === ITEM_DELIMITER) {
        if (stopAtItemDelimiter) return pos + 8;
        this.fail(`item delimiter outside an item at ${this.at(pos)}`);
      }
      if (tag === ITEM || tag === SEQUENCE_DELIMITER) {
        this.fail(`unexpected ${tagString(tag)} in a data set at ${this.at(pos)}`);
      }
      let vr: string | undefined;
      let length: number;
      let header: number;
      if (syntax.explicitVr) {
        vr = String.fromCharCode(this.buf[pos + 4], this.buf[pos + 5]);
        if (!VALID_VRS.has(vr)) {
          const hex = `0x${this.buf[pos + 4].toString(16).padStart(2, '0')}${this.buf[pos + 5].toString(16).padStart(2, '0')}`;
          this.fail(`element ${tagString(tag)} at ${this.at(pos)} has no valid VR (bytes ${hex})`);
        }
        if (LONG_VRS.has(vr)) {
          if (end - pos < 12) {
            this.fail(`truncated element header at ${this.at(pos)}: ${end - pos} bytes remain, 12 needed`);
          }
          length = this.u32(pos + 8, le);
          header = 12;
        } else {
          length = this.u16(pos + 6, le);
          header = 8;
        }
      } else {
        length = this.u32(pos + 4, le);
        header = 8;
      }
      this.bump();
      if (vr === 'UN') this.unknownVr += 1;
      const valueOffset = pos + header;
      let next: number;
      let valueLength: number;
      const undefinedLength = length === UNDEFINED;
      if (undefinedLength) {
        if (tag === PIXEL_DATA && syntax.explicitVr && (vr === 'OB' || vr === 'OW')) {
          // nested encapsulated pixel data occurs in Icon Image Sequence items; only the top level is kept
          const keep = depth === 0;
          next = this.encapsulatedPixelData(valueOffset, end, le, keep);
        } else if (vr === 'SQ' || vr === 'UN' || !syntax.explicitVr) {
          // UN of undefined length holds an implicit VR little endian sequence (PS3.5 6.2.2)
          const inner = vr === 'UN' ? IMPLICIT_LE : syntax;
          next = this.sequence(tag, valueOffset, end, true, inner, depth + 1);
        } else {
          this.fail(`element ${tagString(tag)} at ${this.at(pos)} has undefined length but VR ${vr}`);
        }
        valueLength = next - valueOffset - 8;
      } else {
        if (length > end - valueOffset) {
          this.fail(
            `element ${tagString(tag)} declares ${length} bytes but ${end - valueOffset} remain at ${this.at(valueOffset)}`,
          );
        }
        next = valueOffset + length;
        valueLength = length;
        if (vr === 'SQ') {
          this.sequence(tag, valueOffset, next, false, syntax, depth + 1);
        } else if ((vr === undefined || vr === 'UN') && length >= 8) {
          // Implicit VR (or UN) gives no VR: a value that opens with an item tag is a sequence, as libraries read it.
          const inner = vr === 'UN' ? IMPLICIT_LE : syntax;
          if (this.tagAt(valueOffset, inner.littleEndian) === ITEM) {
            this.sequence(tag, valueOffset, next, false, inner, depth + 1);
          }
        }
      }
      if (depth === 0) {
        this.topLevel.push({ tag, vr, headerOffset: pos, valueOffset, valueLength, undefinedLength, end: next });
      }
      pos = next;
    }
    if (stopAtItemDelimiter) {
      this.fail(`item of undefined length has no item delimiter before ${this.at(end)}`);
    }
    return pos;
  }

  private sequence(
    owner: number,
    start: number,
    end: number,
    undefinedLength: boolean,
    syntax: ScanSyntax,
    depth: number,
  ): number {
    if (depth > this.limits.maxDepth) {
      this.fail(`sequence ${tagString(owner)} nests deeper than ${this.limits.maxDepth} levels at ${this.at(start)}`);
    }
    this.maxDepthSeen = Math.max(this.maxDepthSeen, depth);
    const le = syntax.littleEndian;
    let pos = start;
    while (pos < end) {
      if (end - pos < 8) {
        this.fail(`truncated item header in sequence ${tagString(owner)} at ${this.at(pos)}`);
      }
      const tag = this.tagAt(pos, le);
      const length = this.u32(pos + 4, le);
      if (tag === SEQUENCE_DELIMITER) {
        if (undefinedLength) return pos + 8;
        this.fail(`sequence delimiter inside defined-length sequence ${tagString(owner)} at ${this.at(pos)}`);
      }
      if (tag !== ITEM) {
        this.fail(`sequence ${tagString(owner)} holds ${tagString(tag)} where an item was expected at ${this.at(pos)}`);
      }
      this.bump();
      if (length === UNDEFINED) {
        pos = this.dataSet(pos + 8, end, syntax, depth, true);
      } else {
        if (length > end - pos - 8) {
          this.fail(`item in ${tagString(owner)} declares ${length} bytes but ${end - pos - 8} remain at ${this.at(pos + 8)}`);
        }
        this.dataSet(pos + 8, pos + 8 + length, syntax, depth, false);
        pos = pos + 8 + length;
      }
    }
    if (undefinedLength) {
      this.fail(`sequence ${tagString(owner)} has no sequence delimiter before ${this.at(end)}`);
    }
    return pos;
  }

  /** PS3.5 A.4: a Basic Offset Table item, then one item per fragment, then a sequence delimiter. */
  private encapsulatedPixelData(start: number, end: number, le: boolean, keep: boolean): number {
    let pos = start;
    const fragments: Fragment[] = [];
    let basicOffsetTable: number[] | undefined;
    while (pos < end) {
      if (end - pos < 8) this.fail(`truncated pixel data item header at ${this.at(pos)}`);
      const tag = this.tagAt(pos, le);
      const length = this.u32(pos + 4, le);
      if (tag === SEQUENCE_DELIMITER) {
        if (basicOffsetTable === undefined) this.fail(`encapsulated pixel data has no basic offset table item at ${this.at(start)}`);
        if (keep) this.encapsulated = { basicOffsetTable, fragments };
        return pos + 8;
      }
      if (tag !== ITEM) this.fail(`encapsulated pixel data holds ${tagString(tag)} where an item was expected at ${this.at(pos)}`);
      if (length === UNDEFINED || length > end - pos - 8) {
        this.fail(`pixel data item declares ${length} bytes but ${end - pos - 8} remain at ${this.at(pos + 8)}`);
      }
      this.bump();
      if (basicOffsetTable === undefined) {
        if (length % 4 !== 0) this.fail(`basic offset table length ${length} is not a multiple of 4 at ${this.at(pos)}`);
        basicOffsetTable = [];
        for (let i = 0; i < length; i += 4) basicOffsetTable.push(this.u32(pos + 8 + i, le));
      } else {
        fragments.push({ offset: pos + 8, length });
      }
      pos += 8 + length;
    }
    this.fail(`encapsulated pixel data has no sequence delimiter before ${this.at(end)}`);
  }
}

/**
 * Scans a data set (no preamble, no file meta) held in `buf`; throws DomainError('INVALID_DICOM') on the first
 * structural fault. `reportBase` shifts offsets in messages to the original file.
 */
export function scanDataSet(
  buf: Uint8Array,
  syntax: ScanSyntax,
  limits: ScanLimits = DEFAULT_SCAN_LIMITS,
  reportBase = 0,
  offsetLabel = 'offset',
): ScanResult {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const s = new Scanner(buf, view, limits, reportBase, offsetLabel);
  s.dataSet(0, buf.byteLength, syntax, 0, false);
  return {
    topLevel: s.topLevel,
    encapsulatedPixelData: s.encapsulated,
    elementCount: s.elementCount,
    maxDepthSeen: s.maxDepthSeen,
    unknownVrElements: s.unknownVr,
  };
}
