// Transfer syntaxes we recognise (PS3.5 section 10 and Annex A), with how their data set and pixel data are encoded.
export const PIXEL_CODECS = [
  'native',
  'jpeg-baseline', // 8-bit DCT (process 1)
  'jpeg-extended', // 12-bit DCT (processes 2 and 4)
  'jpeg-lossless', // process 14 (any predictor, or selection value 1)
  'jpeg-ls',
  'jpeg-2000',
  'htj2k',
  'rle',
  'deflate-frame', // Deflated Image Frame Compression: each frame a raw deflate stream
  'video', // MPEG-2/4, HEVC: not decoded here
] as const;
export type PixelCodec = (typeof PIXEL_CODECS)[number];

export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
  readonly deflated: boolean;
  readonly encapsulated: boolean;
  readonly codec: PixelCodec;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

function native(uid: string, name: string, explicitVr: boolean, littleEndian: boolean, deflated = false): TransferSyntax {
  return { uid, name, explicitVr, littleEndian, deflated, encapsulated: false, codec: 'native' };
}
function encapsulated(uid: string, name: string, codec: PixelCodec): TransferSyntax {
  return { uid, name, explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, codec };
}

export const TRANSFER_SYNTAXES: readonly TransferSyntax[] = [
  native(IMPLICIT_VR_LITTLE_ENDIAN, 'Implicit VR Little Endian', false, true),
  native(EXPLICIT_VR_LITTLE_ENDIAN, 'Explicit VR Little Endian', true, true),
  native(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, 'Deflated Explicit VR Little Endian', true, true, true),
  native(EXPLICIT_VR_BIG_ENDIAN, 'Explicit VR Big Endian (retired)', true, false),
  encapsulated('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline'),
  encapsulated('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended'),
  encapsulated('1.2.840.10008.1.2.4.57', 'JPEG Lossless (Process 14)', 'jpeg-lossless'),
  encapsulated('1.2.840.10008.1.2.4.70', 'JPEG Lossless SV1', 'jpeg-lossless'),
  encapsulated('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls'),
  encapsulated('1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', 'jpeg-ls'),
  encapsulated('1.2.840.10008.1.2.4.90', 'JPEG 2000 Lossless', 'jpeg-2000'),
  encapsulated('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg-2000'),
  encapsulated('1.2.840.10008.1.2.4.201', 'HTJ2K Lossless', 'htj2k'),
  encapsulated('1.2.840.10008.1.2.4.202', 'HTJ2K Lossless RPCL', 'htj2k'),
  encapsulated('1.2.840.10008.1.2.4.203', 'HTJ2K', 'htj2k'),
  encapsulated('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
  encapsulated('1.2.840.10008.1.2.8.1', 'Deflated Image Frame Compression', 'deflate-frame'),
  encapsulated('1.2.840.10008.1.2.4.100', 'MPEG2 MP@ML', 'video'),
  encapsulated('1.2.840.10008.1.2.4.101', 'MPEG2 MP@HL', 'video'),
  encapsulated('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 HP@4.1', 'video'),
  encapsulated('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD', 'video'),
  encapsulated('1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 HP@4.2 2D', 'video'),
  encapsulated('1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 HP@4.2 3D', 'video'),
  encapsulated('1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo HP@4.2', 'video'),
  encapsulated('1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main', 'video'),
  encapsulated('1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10', 'video'),
];

const BY_UID = new Map(TRANSFER_SYNTAXES.map((t) => [t.uid, t]));

export function findTransferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}
