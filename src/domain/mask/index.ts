// Public surface of binary lesion masks (pure: no I/O): encoding, provenance, connected components.
export { type MaskDims, assertMaskFits, countMaskVoxels } from './binary-mask.js';
export {
  MASK_RLE_FORMAT,
  MASK_RLE_VERSIONS,
  MAX_MASK_VOXELS,
  type MaskRleVersion,
  type RleMask,
  decodeMaskRle,
  decodeMaskRleSlab,
  encodeMaskBoxRle,
  encodeMaskRle,
} from './mask-rle.js';
export {
  MASK_ORIGINS,
  STORED_MASK_FORMAT,
  STORED_MASK_VERSIONS,
  type MaskOrigin,
  type MaskProvenance,
  type ModelRef,
  type StoredMask,
  canonicalProvenance,
  decodeStoredMask,
  parseStoredMask,
  storedMaskToJson,
  toStoredMask,
} from './stored-mask.js';
export { type ComponentChoice, largestConnectedComponent, selectConnectedComponent } from './connected-component.js';
