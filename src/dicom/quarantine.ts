// DEID-07: objects whose pixels may carry burned-in identifying text go to a QC masking queue, never to readers.
// Headers cannot prove text is absent (pydicom#375, CTP#16), so the rule errs towards quarantine.
import type { InstanceSummary } from './parse.js';

export const QUARANTINE_REASONS = [
  'BURNED_IN_ANNOTATION', // (0028,0301) Burned In Annotation = YES
  'SECONDARY_CAPTURE', // SC SOP classes: screenshots and scanned documents
  'SCREEN_SAVE', // Image Type (0008,0008) contains SCREEN SAVE
  'ULTRASOUND', // US: patient details are routinely burned into the image
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export interface Quarantine {
  readonly reasons: readonly QuarantineReason[];
  /** one line for the QC query, without any identifying value */
  readonly reason: string;
}

const SECONDARY_CAPTURE_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture Image Storage
  '1.2.840.10008.5.1.4.1.1.7.1', // Multi-frame Single Bit SC
  '1.2.840.10008.5.1.4.1.1.7.2', // Multi-frame Grayscale Byte SC
  '1.2.840.10008.5.1.4.1.1.7.3', // Multi-frame Grayscale Word SC
  '1.2.840.10008.5.1.4.1.1.7.4', // Multi-frame True Color SC
]);
const ULTRASOUND_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.6.1', // US Image Storage
  '1.2.840.10008.5.1.4.1.1.6.2', // Enhanced US Volume Storage
  '1.2.840.10008.5.1.4.1.1.3.1', // US Multi-frame Image Storage
  '1.2.840.10008.5.1.4.1.1.6', // US Image Storage (retired)
  '1.2.840.10008.5.1.4.1.1.3', // US Multi-frame Image Storage (retired)
]);

const DESCRIPTIONS: Record<QuarantineReason, string> = {
  BURNED_IN_ANNOTATION: 'Burned In Annotation (0028,0301) is YES',
  SECONDARY_CAPTURE: 'secondary capture SOP class',
  SCREEN_SAVE: 'Image Type (0008,0008) contains SCREEN SAVE',
  ULTRASOUND: 'ultrasound image (burned-in patient data is common)',
};

export function detectQuarantine(s: InstanceSummary): Quarantine | undefined {
  const reasons: QuarantineReason[] = [];
  if (s.burnedInAnnotation?.trim().toUpperCase() === 'YES') reasons.push('BURNED_IN_ANNOTATION');
  if (SECONDARY_CAPTURE_CLASSES.has(s.sopClassUid)) reasons.push('SECONDARY_CAPTURE');
  if (s.imageType.some((t) => t.trim().toUpperCase() === 'SCREEN SAVE')) reasons.push('SCREEN_SAVE');
  if (s.modality === 'US' || ULTRASOUND_CLASSES.has(s.sopClassUid)) reasons.push('ULTRASOUND');
  if (reasons.length === 0) return undefined;
  return { reasons, reason: `quarantined for burned-in text review: ${reasons.map((r) => DESCRIPTIONS[r]).join('; ')}` };
}
