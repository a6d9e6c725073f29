// Small DICOM files written with dcmjs for tests (never by the code under test's own writer path).
import dcmjs from 'dcmjs';

export type Attrs = Record<string, { vr: string; Value: unknown[] }>;

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A Part 10 file (explicit VR little endian) holding `attrs`; SOP Class/Instance go into the file meta too. */
export function writeDicom(attrs: Attrs): Uint8Array {
  const sopClass = (attrs['00080016']?.Value[0] as string | undefined) ?? CT_IMAGE_STORAGE;
  const sopInstance = (attrs['00080018']?.Value[0] as string | undefined) ?? '1.2.3.4';
  const meta = {
    '00020001': { vr: 'OB', Value: [Uint8Array.from([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [sopClass] },
    '00020003': { vr: 'UI', Value: [sopInstance] },
    '00020010': { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] },
    '00020012': { vr: 'UI', Value: ['1.2.3.4.5'] },
  };
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = attrs;
  return new Uint8Array(dict.write());
}

export interface SliceSpec {
  study?: string;
  series?: string;
  sop: string;
  position: [number, number, number];
  orientation?: [number, number, number, number, number, number];
  acquisition?: number;
  thickness?: number;
  tilt?: number;
  rows?: number;
  columns?: number;
  fill?: number;
}

/** A tiny CT slice (int16, rescale -1024) with the geometry given. */
export function writeCtSlice(s: SliceSpec): Uint8Array {
  const rows = s.rows ?? 4;
  const columns = s.columns ?? 3;
  const pixels = new Int16Array(rows * columns).map((_, i) => (s.fill ?? 1000) + i);
  const attrs: Attrs = {
    '00080016': { vr: 'UI', Value: [CT_IMAGE_STORAGE] },
    '00080018': { vr: 'UI', Value: [s.sop] },
    '00080060': { vr: 'CS', Value: ['CT'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
    '00100020': { vr: 'LO', Value: ['MRN-1'] },
    '00180050': { vr: 'DS', Value: [s.thickness ?? 99] },
    '0020000D': { vr: 'UI', Value: [s.study ?? '1.2.3.100'] },
    '0020000E': { vr: 'UI', Value: [s.series ?? '1.2.3.200'] },
    '00200012': { vr: 'IS', Value: [s.acquisition ?? 1] },
    '00200032': { vr: 'DS', Value: s.position },
    '00200037': { vr: 'DS', Value: s.orientation ?? [1, 0, 0, 0, 1, 0] },
    '00200052': { vr: 'UI', Value: ['1.2.3.300'] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': { vr: 'US', Value: [rows] },
    '00280011': { vr: 'US', Value: [columns] },
    '00280030': { vr: 'DS', Value: [0.5, 0.7] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [16] },
    '00280102': { vr: 'US', Value: [15] },
    '00280103': { vr: 'US', Value: [1] },
    '00281052': { vr: 'DS', Value: [-1024] },
    '00281053': { vr: 'DS', Value: [1] },
    '7FE00010': { vr: 'OW', Value: [pixels.buffer] },
  };
  if (s.tilt !== undefined) attrs['00181120'] = { vr: 'DS', Value: [s.tilt] };
  return writeDicom(attrs);
}
