import dcmjs from 'dcmjs';
import { createHash } from 'node:crypto';

// Synthetic chest/abdomen CT as real DICOM Part 10 files: an elliptical body with lungs, soft tissue and fat, and
// spherical lesions of known diameter. Used by `corelab demo`, the ingest benchmark and end-to-end tests. The
// patient attributes are fake but identifying-looking, so de-identification has something to remove.

export interface SyntheticLesion {
  /** centre in patient coordinates (mm); the volume's origin is the first slice's top-left voxel */
  centerMm: [number, number, number];
  diameterMm: number;
  hu?: number;
}

export interface SyntheticSeriesSpec {
  patientName: string;
  patientId: string;
  birthDate: string; // YYYYMMDD
  studyDate: string; // YYYYMMDD
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  seriesNumber?: number;
  columns?: number;
  rows?: number;
  slices: number;
  pixelSpacingMm?: number;
  sliceThicknessMm?: number;
  lesions: SyntheticLesion[];
  /** deterministic noise seed */
  seed?: number;
  /** free-text canaries for de-identification tests (e.g. institution, physician) */
  extra?: Record<string, string>;
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

/** Deterministic UID under 2.25 from a label (tests and demo data only). */
export function syntheticUid(label: string): string {
  const h = createHash('sha256').update(label).digest();
  return `2.25.${BigInt(`0x${h.subarray(0, 16).toString('hex')}`).toString(10)}`;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** HU of the phantom body at an in-plane point (mm from the image centre). */
function bodyHu(x: number, y: number, halfW: number, halfH: number): number {
  const body = (x / (halfW * 0.9)) ** 2 + (y / (halfH * 0.75)) ** 2;
  if (body > 1) return -1000;
  if (body > 0.85) return -100; // subcutaneous fat
  const lungL = ((x + halfW * 0.38) / (halfW * 0.28)) ** 2 + ((y + halfH * 0.05) / (halfH * 0.45)) ** 2;
  const lungR = ((x - halfW * 0.38) / (halfW * 0.28)) ** 2 + ((y + halfH * 0.05) / (halfH * 0.45)) ** 2;
  if (lungL < 1 || lungR < 1) return -850;
  return 40; // soft tissue / mediastinum
}

export function syntheticCtSeries(spec: SyntheticSeriesSpec): Buffer[] {
  const cols = spec.columns ?? 256;
  const rows = spec.rows ?? 256;
  const ps = spec.pixelSpacingMm ?? 1.2;
  const st = spec.sliceThicknessMm ?? 2.5;
  const rand = mulberry32(spec.seed ?? 1);
  const origin = [-(cols * ps) / 2, -(rows * ps) / 2, 0];
  const files: Buffer[] = [];
  for (let k = 0; k < spec.slices; k++) {
    const z = origin[2] + k * st;
    const pixels = new Int16Array(rows * cols);
    for (let j = 0; j < rows; j++) {
      const y = origin[1] + j * ps;
      for (let i = 0; i < cols; i++) {
        const x = origin[0] + i * ps;
        let hu = bodyHu(x, y, (cols * ps) / 2, (rows * ps) / 2);
        for (const l of spec.lesions) {
          const r = l.diameterMm / 2;
          const d2 = (x - l.centerMm[0]) ** 2 + (y - l.centerMm[1]) ** 2 + (z - l.centerMm[2]) ** 2;
          if (d2 <= r * r) hu = l.hu ?? 60;
        }
        const noise = (rand() + rand() + rand() - 1.5) * 12; // ~N(0, 6 HU)
        pixels[i + j * cols] = Math.round(hu + noise) + 1024; // stored with intercept -1024
      }
    }
    const sop = syntheticUid(`${spec.seriesInstanceUid}/${k}`);
    const dataset: Record<string, unknown> = {
      SOPClassUID: CT_IMAGE_STORAGE,
      SOPInstanceUID: sop,
      StudyInstanceUID: spec.studyInstanceUid,
      SeriesInstanceUID: spec.seriesInstanceUid,
      FrameOfReferenceUID: spec.frameOfReferenceUid,
      Modality: 'CT',
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      PatientName: spec.patientName,
      PatientID: spec.patientId,
      PatientBirthDate: spec.birthDate,
      PatientSex: 'O',
      StudyDate: spec.studyDate,
      SeriesDate: spec.studyDate,
      AcquisitionDate: spec.studyDate,
      ContentDate: spec.studyDate,
      StudyTime: '101500',
      AccessionNumber: `ACC${spec.patientId}`,
      StudyID: '1',
      SeriesNumber: String(spec.seriesNumber ?? 2),
      InstanceNumber: String(k + 1),
      AcquisitionNumber: '1',
      KVP: '120',
      ConvolutionKernel: 'STANDARD',
      ContrastBolusAgent: 'IOHEXOL',
      SliceThickness: String(st),
      PixelSpacing: [String(ps), String(ps)],
      ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
      ImagePositionPatient: [String(origin[0]), String(origin[1]), String(z)],
      SliceLocation: String(z),
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: rows,
      Columns: cols,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleIntercept: '-1024',
      RescaleSlope: '1',
      WindowCenter: '40',
      WindowWidth: '400',
      ...spec.extra,
      PixelData: [pixels.buffer],
      _vrMap: { PixelData: 'OW' },
    };
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: sop,
      TransferSyntaxUID: EXPLICIT_VR_LE,
      ImplementationClassUID: '2.25.177916346112446573404497196367786498719',
    };
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    files.push(Buffer.from(dict.write()));
  }
  return files;
}
