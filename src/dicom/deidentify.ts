// De-identification per PS3.15 Annex E (Basic Application Level Confidentiality Profile plus the protocol's options),
// applied recursively to a NEW dcmjs dataset; the source is never changed. dcmjs reads the canonical bytes up to the
// pixel data and writes the new data set; the pixel data element is copied byte for byte (converted to little
// endian for big endian input), so pixels are untouched and dcmjs's frame regrouping of encapsulated data is avoided.
import { createHash } from 'node:crypto';
import dcmjs from 'dcmjs';
import { DomainError } from '../domain/errors.js';
import { toImplicitLittleEndian } from './implicit-copy.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, buildFileMeta, type ParsedInstance } from './parse.js';
import {
  PROFILE_VERSION,
  enabledColumns,
  findProfileRow,
  resolveAction,
  type Action,
  type DeidentificationOptions,
} from './profile.js';
import { dateShiftDays, pseudonymousUid, sha256Hex, shiftDa, shiftDt, type TrialKey } from './pseudonyms.js';
import { detectQuarantine, type Quarantine } from './quarantine.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.js';

// dcmjs logs parse warnings to the console; SEC-12 keeps the logs to what we write ourselves.
dcmjs.log?.setLevel?.('silent');
dcmjs.log?.getLogger?.('validation.dcmjs').setLevel('silent');

/** A dcmjs (denaturalised) element: VR plus a Value array; SQ values are arrays of nested datasets. */
export interface DcmElement {
  vr: string;
  Value?: unknown[];
  [extra: string]: unknown;
}
export type DcmDataset = Record<string, DcmElement>;

export interface TrialContext {
  /** secret per-trial key: UIDs and date offsets are HMACs under it */
  readonly trialKey: TrialKey;
  readonly sponsorName: string;
  readonly protocolId: string;
  readonly protocolName?: string;
  readonly siteId: string;
  readonly siteName?: string;
  /** the enrolled subject's trial ID (DEID-04): becomes Patient Name, Patient ID and (0012,0040) */
  readonly subjectId: string;
  readonly timepointId: string;
  readonly timepointDescription?: string;
}

export const ACTION_NOTES = [
  'profile', // the Table E.1-1 row's action
  'private', // odd group, not safe-listed (PS3.15 E.3.10 absent)
  'safe-private', // kept by the Retain Safe Private Option
  'unknown-attribute', // public tag outside the data dictionary (DEID-01)
  'group-length', // (gggg,0000), retired and recomputed
  'person-name', // PN not in the table: emptied (Corelab rule, names always identify)
  'free-text', // LT/ST/UT not in the table (e.g. SR Text Value): emptied, since Clean Structured Content is not offered
  'date-shifted', // Retain Longitudinal Temporal Information with Modified Dates
  'date-unparseable', // a date that could not be shifted is emptied
  'descriptor-allowlisted', // Clean Descriptors: value on the protocol's allowlist
  'descriptor-removed', // Clean Descriptors: value not on the allowlist
  'after-pixel-data', // trailing elements after the pixel data
  'trial-attribute', // set from the trial context
] as const;
export type ActionNote = (typeof ACTION_NOTES)[number];

export interface ActionRecord {
  /** e.g. "(0040,A730)[2].(0040,A123)" */
  readonly path: string;
  readonly tag: string;
  readonly action: Action | 'SET';
  readonly note: ActionNote;
}

export interface LedgerEntry {
  /** sha256 (hex) of the source SOP Instance UID */
  readonly sourceUidDigest: string;
  readonly newUids: {
    readonly sopInstanceUid: string;
    readonly seriesInstanceUid: string | undefined;
    readonly studyInstanceUid: string | undefined;
    readonly frameOfReferenceUid: string | undefined;
  };
  readonly sha256Before: string;
  readonly sha256After: string;
  readonly profileVersion: string;
  readonly options: {
    readonly retainLongitudinalTemporalInformationModifiedDates: boolean;
    readonly retainPatientCharacteristics: boolean;
    readonly retainDeviceIdentity: boolean;
    readonly cleanDescriptors: boolean;
    readonly retainSafePrivate: boolean;
  };
}

export interface DeidentifiedInstance {
  readonly dataset: DcmDataset;
  /** the de-identified Part 10 file as written: the new header, then the source's pixel data bytes (not copied) */
  readonly chunks: readonly Uint8Array[];
  /** the chunks' total length */
  readonly bytes: number;
  /** the chunks joined into one buffer (made on first use: the ingest worker writes the chunks instead) */
  readonly part10: Uint8Array;
  readonly transferSyntaxUid: string;
  readonly actions: readonly ActionRecord[];
  readonly ledger: LedgerEntry;
  readonly quarantine: Quarantine | undefined;
}

// CID 7050 De-identification Method (PS3.16), the codes for what we apply.
const CID_7050 = {
  basic: ['113100', 'Basic Application Confidentiality Profile'],
  cleanDescriptors: ['113105', 'Clean Descriptors Option'],
  modifiedDates: ['113107', 'Retain Longitudinal Temporal Information Modified Dates Option'],
  patientCharacteristics: ['113108', 'Retain Patient Characteristics Option'],
  deviceIdentity: ['113109', 'Retain Device Identity Option'],
  safePrivate: ['113111', 'Retain Safe Private Option'],
} as const;

const FREE_TEXT_VRS = new Set(['LT', 'ST', 'UT']);
const PIXEL_TAGS = new Set([0x7fe00008, 0x7fe00009, 0x7fe00010]);

function tagLabel(key: string): string {
  return `(${key.slice(0, 4).toUpperCase()},${key.slice(4).toUpperCase()})`;
}

function isKnownPublic(key: string): boolean {
  const d = dcmjs.data.DicomMetaDictionary.dictionary as Record<string, unknown>;
  return d[tagLabel(key)] !== undefined;
}

function el(vr: string, value: unknown[]): DcmElement {
  return { vr, Value: value };
}

function dummyFor(vr: string): unknown[] | undefined {
  switch (vr) {
    case 'PN':
      return [{ Alphabetic: 'ANONYMIZED' }];
    case 'LO': case 'SH': case 'LT': case 'ST': case 'UT': case 'UC': case 'CS': case 'AE':
      return ['ANONYMIZED'];
    case 'DA':
      return ['19000101'];
    case 'TM':
      return ['000000'];
    case 'DT':
      return ['19000101000000'];
    case 'AS':
      return ['000Y'];
    case 'DS': case 'IS': case 'US': case 'SS': case 'UL': case 'SL': case 'FL': case 'FD': case 'SV': case 'UV':
      return [0];
    default:
      return undefined;
  }
}

class Deidentifier {
  readonly actions: ActionRecord[] = [];
  private readonly columns;
  private readonly shiftDays: number | undefined;
  private readonly safe: Map<string, Set<string>>; // "GGGG|creator" -> element offsets (2 hex, upper)
  private readonly allow: Set<string>;

  constructor(
    private readonly trial: TrialContext,
    private readonly options: DeidentificationOptions,
  ) {
    this.columns = enabledColumns(options);
    this.shiftDays = options.retainLongitudinalTemporalInformationModifiedDates
      ? dateShiftDays(trial.trialKey, trial.subjectId, options.dateShiftDays)
      : undefined;
    this.safe = new Map();
    for (const s of options.safePrivateTags) {
      const k = `${s.group.toUpperCase()}|${s.creator.trim()}`;
      if (!this.safe.has(k)) this.safe.set(k, new Set());
      this.safe.get(k)!.add(s.element.toUpperCase().padStart(2, '0'));
    }
    this.allow = new Set(options.descriptorAllowlist.map((v) => v.trim().toUpperCase()));
  }

  private record(path: string, key: string, action: Action | 'SET', note: ActionNote): void {
    this.actions.push({ path: path ? `${path}.${tagLabel(key)}` : tagLabel(key), tag: tagLabel(key), action, note });
  }

  uid(value: string): string {
    return pseudonymousUid(this.trial.trialKey, value);
  }

  private mapUids(e: DcmElement): DcmElement {
    return el(e.vr, (e.Value ?? []).map((v) => (typeof v === 'string' && v.length > 0 ? this.uid(v) : v)));
  }

  private shiftDates(e: DcmElement, days: number): { element: DcmElement; ok: boolean } {
    let ok = true;
    const values = (e.Value ?? []).map((v) => {
      if (typeof v !== 'string' || v.trim() === '') return v;
      const shifted = e.vr === 'DA' ? shiftDa(v, days) : shiftDt(v, days);
      if (shifted === undefined) ok = false;
      return shifted ?? '';
    });
    return { element: el(e.vr, ok ? values : []), ok };
  }

  private privateKept(ds: DcmDataset, key: string): boolean {
    if (this.safe.size === 0) return false;
    const group = key.slice(0, 4).toUpperCase();
    const elem = parseInt(key.slice(4), 16);
    if (elem < 0x1000) return false;
    const creatorKey = `${group}00${key.slice(4, 6).toUpperCase()}`;
    const creatorEl = ds[creatorKey] ?? ds[creatorKey.toLowerCase()];
    const creator = typeof creatorEl?.Value?.[0] === 'string' ? (creatorEl.Value[0] as string).trim() : undefined;
    if (!creator) return false;
    return this.safe.get(`${group}|${creator}`)?.has(key.slice(6).toUpperCase()) ?? false;
  }

  dataset(ds: DcmDataset, path: string): DcmDataset {
    const out: DcmDataset = {};
    const keptBlocks = new Set<string>();
    const keys = Object.keys(ds).sort();
    for (const key of keys) {
      const e = ds[key];
      const group = parseInt(key.slice(0, 4), 16);
      const elem = parseInt(key.slice(4), 16);
      if (group === 0x0002) continue; // file meta is rebuilt
      if (elem === 0x0000) {
        this.record(path, key, 'X', 'group-length');
        continue;
      }
      if (group % 2 === 1) {
        if (elem >= 0x0010 && elem <= 0x00ff) continue; // creators: decided once their blocks are known
        if (this.privateKept(ds, key)) {
          out[key] = e.vr === 'SQ' ? el('SQ', this.items(e, path, key)) : e;
          keptBlocks.add(`${key.slice(0, 4)}00${key.slice(4, 6)}`.toUpperCase());
          this.record(path, key, 'C', 'safe-private');
        } else {
          this.record(path, key, 'X', 'private');
        }
        continue;
      }
      const row = findProfileRow(key);
      if (row) {
        this.apply(out, ds, key, e, resolveAction(row, this.columns), path);
      } else if (!isKnownPublic(key)) {
        this.record(path, key, 'X', 'unknown-attribute');
      } else if (e.vr === 'PN') {
        out[key] = el('PN', []);
        this.record(path, key, 'Z', 'person-name');
      } else if (FREE_TEXT_VRS.has(e.vr)) {
        out[key] = el(e.vr, []);
        this.record(path, key, 'Z', 'free-text');
      } else if ((e.vr === 'DA' || e.vr === 'DT') && this.shiftDays !== undefined) {
        this.applyDateShift(out, key, e, path);
      } else if (e.vr === 'SQ') {
        out[key] = el('SQ', this.items(e, path, key));
      } else {
        out[key] = e;
      }
    }
    for (const key of keys) {
      const group = parseInt(key.slice(0, 4), 16);
      const elem = parseInt(key.slice(4), 16);
      if (group % 2 === 1 && elem >= 0x0010 && elem <= 0x00ff) {
        if (keptBlocks.has(key.toUpperCase())) out[key] = ds[key];
        else this.record(path, key, 'X', 'private');
      }
    }
    return out;
  }

  private items(e: DcmElement, path: string, key: string): DcmDataset[] {
    const here = path ? `${path}.${tagLabel(key)}` : tagLabel(key);
    return ((e.Value ?? []) as DcmDataset[]).map((item, i) => this.dataset(item ?? {}, `${here}[${i}]`));
  }

  private applyDateShift(out: DcmDataset, key: string, e: DcmElement, path: string): void {
    const { element, ok } = this.shiftDates(e, this.shiftDays!);
    out[key] = element;
    this.record(path, key, ok ? 'C' : 'Z', ok ? 'date-shifted' : 'date-unparseable');
  }

  private apply(out: DcmDataset, ds: DcmDataset, key: string, e: DcmElement, action: Action, path: string): void {
    switch (action) {
      case 'X':
        this.record(path, key, 'X', 'profile');
        return;
      case 'Z':
        out[key] = el(e.vr, []);
        this.record(path, key, 'Z', 'profile');
        return;
      case 'D': {
        if (e.vr === 'SQ') {
          out[key] = el('SQ', this.items(e, path, key));
        } else if (e.vr === 'UI') {
          out[key] = this.mapUids(e);
        } else {
          const dummy = dummyFor(e.vr);
          if (dummy === undefined) {
            this.record(path, key, 'X', 'profile');
            return;
          }
          out[key] = el(e.vr, dummy);
        }
        this.record(path, key, 'D', 'profile');
        return;
      }
      case 'K':
        out[key] = e.vr === 'SQ' ? el('SQ', this.items(e, path, key)) : e;
        return;
      case 'U':
      case 'U*':
        out[key] = e.vr === 'SQ' ? el('SQ', this.items(e, path, key)) : this.mapUids(e);
        this.record(path, key, action, 'profile');
        return;
      case 'C':
        this.clean(out, key, e, path);
        return;
    }
  }

  /** C: dates are shifted (Modified Dates option); times keep their value; descriptors keep allowlisted values. */
  private clean(out: DcmDataset, key: string, e: DcmElement, path: string): void {
    if ((e.vr === 'DA' || e.vr === 'DT') && this.shiftDays !== undefined) {
      this.applyDateShift(out, key, e, path);
      return;
    }
    if (e.vr === 'TM' || key.toUpperCase() === '00080201') {
      out[key] = e; // whole-day shifts leave time of day and UTC offset unchanged
      return;
    }
    if (e.vr === 'SQ') {
      this.record(path, key, 'X', 'descriptor-removed'); // coded descriptors: no allowlist for codes, removed
      return;
    }
    const values = (e.Value ?? []).map((v) => (typeof v === 'string' ? v : typeof v === 'object' && v && 'Alphabetic' in v ? String((v as { Alphabetic: unknown }).Alphabetic) : String(v)));
    if (values.length > 0 && values.every((v) => this.allow.has(v.trim().toUpperCase()))) {
      out[key] = e;
      this.record(path, key, 'C', 'descriptor-allowlisted');
    } else {
      out[key] = el(e.vr, []);
      this.record(path, key, 'C', 'descriptor-removed');
    }
  }
}

function codeItem(value: string, meaning: string): DcmDataset {
  return { '00080100': el('SH', [value]), '00080102': el('SH', ['DCM']), '00080104': el('LO', [meaning]) };
}

function firstString(ds: DcmDataset, key: string): string | undefined {
  const v = ds[key]?.Value?.[0];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Byte-swaps words of `unit` bytes in place (big endian source written as little endian). */
function swapInPlace(bytes: Uint8Array, unit: number): void {
  for (let i = 0; i + unit <= bytes.length; i += unit) bytes.subarray(i, i + unit).reverse();
}

/** The pixel data elements, re-encoded as explicit VR little endian by us (never by dcmjs). */
function pixelElements(p: ParsedInstance): Uint8Array[] {
  const out: Uint8Array[] = [];
  const bigEndian = !p.bodySyntax.littleEndian;
  for (const t of p.scan.topLevel) {
    if (!PIXEL_TAGS.has(t.tag)) continue;
    const header = new Uint8Array(12);
    const view = new DataView(header.buffer);
    view.setUint16(0, t.tag >>> 16, true);
    view.setUint16(2, t.tag & 0xffff, true);
    const start = p.bodyOffset + t.valueOffset;
    if (t.undefinedLength) {
      header.set([0x4f, 0x42], 4); // OB, PS3.5 A.4
      view.setUint32(8, 0xffffffff, true);
      out.push(header, p.canonical.subarray(start, p.bodyOffset + t.end));
      continue;
    }
    const vr = t.tag === 0x7fe00008 ? 'OF' : t.tag === 0x7fe00009 ? 'OD' : t.vr ?? (p.summary.bitsAllocated > 8 ? 'OW' : 'OB');
    const source = p.canonical.subarray(start, start + t.valueLength);
    // Little endian, even length: the source bytes as they are (a view, no copy); otherwise a padded or swapped copy.
    const value = !bigEndian && t.valueLength % 2 === 0 ? source : new Uint8Array(t.valueLength + (t.valueLength % 2));
    if (value !== source) value.set(source);
    if (bigEndian) {
      // PS3.5 7.3 and A.3: swap by the sample size; 8-bit samples held in OW are swapped as 16-bit words
      const unit = vr === 'OB' ? 1 : vr === 'OF' ? 4 : vr === 'OD' ? 8 : Math.max(2, p.summary.bitsAllocated / 8);
      if (unit > 1) swapInPlace(value, unit);
    }
    header.set([vr.charCodeAt(0), vr.charCodeAt(1)], 4);
    view.setUint32(8, value.length, true);
    out.push(header, value);
  }
  return out;
}

/**
 * De-identifies one parsed instance for a trial subject. Throws DomainError('UNPROCESSABLE') when the instance's
 * Clinical Trial Subject ID names another subject (DEID-04). The result carries the new dataset, its Part 10 bytes,
 * the actions taken (tags and actions only, never values), the ledger entry and any quarantine reason (DEID-07).
 */
export function deidentify(
  parsed: ParsedInstance,
  source: Uint8Array,
  trial: TrialContext,
  options: DeidentificationOptions,
  /** the source's sha256 when the caller already has it (the upload hashed it as it arrived): not hashed twice */
  sourceSha256?: string,
): DeidentifiedInstance {
  const firstPixel = parsed.scan.topLevel.find((t) => PIXEL_TAGS.has(t.tag));
  const bodyEnd = firstPixel ? firstPixel.headerOffset : parsed.canonical.length - parsed.bodyOffset;
  const body = parsed.canonical.subarray(parsed.bodyOffset);
  let forDcmjs: Uint8Array;
  if (!parsed.bodySyntax.littleEndian || parsed.scan.unknownVrElements > 0) {
    const head = buildFileMeta(parsed.summary.sopClassUid, parsed.summary.sopInstanceUid, IMPLICIT_VR_LITTLE_ENDIAN);
    forDcmjs = Buffer.concat([head, toImplicitLittleEndian(body, parsed.bodySyntax, bodyEnd)]);
  } else {
    forDcmjs = parsed.canonical.slice(0, parsed.bodyOffset + bodyEnd);
  }
  let dict: DcmDataset;
  try {
    dict = dcmjs.data.DicomMessage.readFile(forDcmjs.buffer.slice(forDcmjs.byteOffset, forDcmjs.byteOffset + forDcmjs.byteLength) as ArrayBuffer).dict as DcmDataset;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/multiple character sets/i.test(message)) {
      // ISO 2022 code extensions (PS3.5 6.1.2.5): dcmjs cannot decode them, so we cannot de-identify safely
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Specific Character Set (0008,0005) uses ISO 2022 code extensions, which the de-identification writer (dcmjs) does not support');
    }
    throw new DomainError('INVALID_DICOM', `dcmjs could not read the data set: ${message}`);
  }

  const existingSubject = firstString(dict, '00120040');
  if (existingSubject !== undefined && existingSubject !== trial.subjectId) {
    throw new DomainError(
      'UNPROCESSABLE',
      'Clinical Trial Subject ID (0012,0040) in the instance names a different subject than the one this upload is for',
      { reason: 'SUBJECT_MISMATCH' },
    );
  }

  const d = new Deidentifier(trial, options);
  const out = d.dataset(dict, '');
  for (const t of parsed.scan.topLevel) {
    if (firstPixel && t.tag > firstPixel.tag && !PIXEL_TAGS.has(t.tag)) {
      d.actions.push({ path: tagLabel(t.tag.toString(16).padStart(8, '0')), tag: tagLabel(t.tag.toString(16).padStart(8, '0')), action: 'X', note: 'after-pixel-data' });
    }
  }

  // DEID-04/08: the trial's pseudonyms and the clinical trial attributes (PS3.3 C.7.1.3, C.7.2.3).
  const set = (key: string, vr: string, value: unknown[]) => {
    out[key] = el(vr, value);
    d.actions.push({ path: tagLabel(key), tag: tagLabel(key), action: 'SET', note: 'trial-attribute' });
  };
  set('00100010', 'PN', [{ Alphabetic: trial.subjectId }]);
  set('00100020', 'LO', [trial.subjectId]);
  set('00120010', 'LO', [trial.sponsorName]);
  set('00120020', 'LO', [trial.protocolId]);
  if (trial.protocolName) set('00120021', 'LO', [trial.protocolName]);
  set('00120030', 'LO', [trial.siteId]);
  if (trial.siteName) set('00120031', 'LO', [trial.siteName]);
  set('00120040', 'LO', [trial.subjectId]);
  set('00120050', 'LO', [trial.timepointId]);
  if (trial.timepointDescription) set('00120051', 'ST', [trial.timepointDescription]);
  const codes: (readonly [string, string])[] = [CID_7050.basic];
  const methods = ['PS3.15 E.1-1 Basic Profile', PROFILE_VERSION];
  if (options.cleanDescriptors) codes.push(CID_7050.cleanDescriptors);
  if (options.retainLongitudinalTemporalInformationModifiedDates) codes.push(CID_7050.modifiedDates);
  if (options.retainPatientCharacteristics) codes.push(CID_7050.patientCharacteristics);
  if (options.retainDeviceIdentity) codes.push(CID_7050.deviceIdentity);
  if (options.safePrivateTags.length > 0) codes.push(CID_7050.safePrivate);
  for (const [, meaning] of codes.slice(1)) methods.push(meaning.slice(0, 64));
  set('00120062', 'CS', ['YES']);
  set('00120063', 'LO', methods);
  set('00120064', 'SQ', codes.map(([v, m]) => codeItem(v, m)));
  set('00280303', 'CS', [options.retainLongitudinalTemporalInformationModifiedDates ? 'MODIFIED' : 'REMOVED']);

  const sopClassUid = parsed.summary.sopClassUid;
  const newSop = d.uid(parsed.summary.sopInstanceUid);
  out['00080018'] = el('UI', [newSop]);
  const transferSyntaxUid = parsed.transferSyntax.encapsulated ? parsed.transferSyntax.uid : EXPLICIT_VR_LITTLE_ENDIAN;
  const meta: DcmDataset = {
    '00020001': el('OB', [Uint8Array.from([0, 1]).buffer]),
    '00020002': el('UI', [sopClassUid]),
    '00020003': el('UI', [newSop]),
    '00020010': el('UI', [transferSyntaxUid]),
    '00020012': el('UI', [IMPLEMENTATION_CLASS_UID]),
    '00020013': el('SH', [IMPLEMENTATION_VERSION_NAME]),
  };
  const dicomDict = new dcmjs.data.DicomDict(meta);
  dicomDict.dict = out;
  let written: Uint8Array;
  try {
    written = new Uint8Array(dicomDict.write({ allowInvalidVRLength: true }) as ArrayBuffer);
  } catch (e) {
    throw new DomainError('UNPROCESSABLE', `dcmjs could not write the de-identified data set: ${e instanceof Error ? e.message : String(e)}`);
  }
  const chunks = [written, ...pixelElements(parsed)];
  const after = createHash('sha256');
  let bytes = 0;
  for (const c of chunks) {
    after.update(c);
    bytes += c.length;
  }
  let joined: Uint8Array | undefined;

  const uidOf = (key: string) => firstString(out, key);
  return {
    dataset: out,
    chunks,
    bytes,
    get part10() {
      return (joined ??= Buffer.concat(chunks));
    },
    transferSyntaxUid,
    actions: d.actions,
    quarantine: detectQuarantine(parsed.summary),
    ledger: {
      sourceUidDigest: sha256Hex(parsed.summary.sopInstanceUid),
      newUids: {
        sopInstanceUid: newSop,
        seriesInstanceUid: uidOf('0020000E'),
        studyInstanceUid: uidOf('0020000D'),
        frameOfReferenceUid: uidOf('00200052'),
      },
      sha256Before: sourceSha256 ?? sha256Hex(source),
      sha256After: after.digest('hex'),
      profileVersion: PROFILE_VERSION,
      options: {
        retainLongitudinalTemporalInformationModifiedDates: options.retainLongitudinalTemporalInformationModifiedDates,
        retainPatientCharacteristics: options.retainPatientCharacteristics,
        retainDeviceIdentity: options.retainDeviceIdentity,
        cleanDescriptors: options.cleanDescriptors,
        retainSafePrivate: options.safePrivateTags.length > 0,
      },
    },
  };
}
