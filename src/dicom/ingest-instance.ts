// One file through the library layer, as the ingest worker runs it: safe parse, subject check and de-identification,
// then (optionally) a pixel decode so that a file no decoder can read is refused now rather than at reading time.
// Refusals are DomainErrors; quarantine is an outcome, not an error (DEID-07).
import { deidentify, type DeidentifiedInstance, type TrialContext } from './deidentify.js';
import { DEFAULT_PARSE_LIMITS, parseDicom, type InstanceSummary, type ParseLimits } from './parse.js';
import { decodePixelData } from './pixels.js';
import type { DeidentificationOptions } from './profile.js';

export const INGEST_OUTCOMES = ['ingested', 'quarantined'] as const;
export type IngestOutcome = (typeof INGEST_OUTCOMES)[number];

export interface IngestedInstance {
  readonly outcome: IngestOutcome;
  readonly summary: InstanceSummary;
  readonly deidentified: DeidentifiedInstance;
  /** frames decoded to check the pixel data (0 when decoding was not asked for or there are no pixels) */
  readonly framesDecoded: number;
}

export interface IngestInstanceOptions {
  readonly decodePixels: boolean;
  /** which frames to decode as the check: every frame (default) or the first and last only (cheap for big multi-frames) */
  readonly framesToCheck?: 'all' | 'first-and-last';
  readonly limits?: ParseLimits;
}

export async function ingestInstance(
  bytes: Uint8Array,
  trial: TrialContext,
  options: DeidentificationOptions,
  run: IngestInstanceOptions = { decodePixels: true },
): Promise<IngestedInstance> {
  const parsed = parseDicom(bytes, run.limits ?? DEFAULT_PARSE_LIMITS);
  const deidentified = deidentify(parsed, bytes, trial, options);
  let framesDecoded = 0;
  if (run.decodePixels && parsed.summary.pixelData) {
    const n = parsed.summary.numberOfFrames;
    const frames = run.framesToCheck === 'first-and-last' ? [...new Set([0, n - 1])] : undefined;
    framesDecoded = (await decodePixelData(parsed, frames)).frames.size;
  }
  return {
    outcome: deidentified.quarantine ? 'quarantined' : 'ingested',
    summary: parsed.summary,
    deidentified,
    framesDecoded,
  };
}
