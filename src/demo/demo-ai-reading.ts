// The demo's readers measure with AI assistance, through the segmentation API as the reading screen would: at a
// lesion's first measurement the reader clicks at its centre (the demo knows the centres in patient mm); at later
// visits the platform follows the reader's own earlier segmentation into the new series, and the reader clicks
// only when it is not found. The proposal (long axis; short axis for a lymph node) is accepted when it agrees with
// the reader's own reading within ACCEPT_WITHIN_MM, else edited to the reader's value; both are recorded in the
// read's AI fields with the model's id, version, sha256 and the segmentation.
import type { Measurement, ReadContent } from '../domain/reading/read-content.js';
import type { DemoClient } from './demo-client.js';
import type { DemoSubject } from './demo-scenario.js';

/** A reader takes the AI value when it is within this of their own (a fraction of a 2.5 mm pixel, the demo's CT). */
export const ACCEPT_WITHIN_MM = 1.5;

export interface AiReadingStats {
  proposals: number;
  accepted: number;
  edited: number;
  /** lesions followed into a later visit by propagation, and how many were found there */
  propagated: number;
  found: number;
}

export const emptyAiStats = (): AiReadingStats => ({ proposals: 0, accepted: 0, edited: 0, propagated: 0, found: 0 });

const round1 = (v: number) => Math.round(v * 10) / 10;

/** What one reader remembers between visits: their last segmentation of each lesion (subject/lesion -> id). */
export type LesionMemory = Map<string, string>;

interface Proposal {
  segmentationId: string;
  mm: number;
  provenance: { modelId: string; modelVersion: string; modelSha256: string };
}

async function finished(reader: DemoClient, trialId: string, segmentation: { id: string; jobId: string }): Promise<any> {
  const job = await reader.waitForJob(segmentation.jobId);
  if (job.state !== 'succeeded') throw new Error(`segmentation ${segmentation.id}: job ${job.state}`);
  return reader.json('GET', `/trials/${trialId}/segmentations/${segmentation.id}`);
}

/**
 * Adds AI proposals to a scripted read of one visit: every measured target and new lesion gets a segmentation (all
 * of a read's run together in the pool), and its measurement records what the reader did with the proposal.
 */
export async function withAiMeasurements(
  reader: DemoClient,
  trialId: string,
  timepointId: string,
  subject: DemoSubject,
  content: ReadContent,
  memory: LesionMemory,
  stats: AiReadingStats,
): Promise<ReadContent> {
  const [series] = await reader.json('GET', `/trials/${trialId}/timepoints/${timepointId}/series`);
  const entries = [...content.targets, ...(content.newLesions ?? [])].filter((e) => e.measurement);
  const click = (centreMm: [number, number, number]) =>
    reader.json('POST', `/trials/${trialId}/series/${series.id}/segmentations`, { prompt: { kind: 'point', pointMm: centreMm } });
  // Submit every lesion's request first, then wait: the segmentation pool works on them side by side.
  const requested = await Promise.all(
    entries.map(async (e) => {
      const lesion = subject.lesions.find((l) => l.id === e.id)!;
      const key = `${subject.code}/${lesion.id}`;
      const earlier = memory.get(key);
      const seg = earlier ? await reader.json('POST', `/trials/${trialId}/segmentations/${earlier}/propagations`, { seriesId: series.id }) : await click(lesion.centerMm);
      return { e, lesion, key, seg, propagated: Boolean(earlier) };
    }),
  );
  const proposals = await Promise.all(
    requested.map(async ({ e, lesion, key, seg, propagated }): Promise<[typeof e, Proposal | undefined]> => {
      let done = await finished(reader, trialId, seg);
      if (propagated) {
        stats.propagated++;
        if (done.outcome === 'found') stats.found++;
        // not found by the platform, but the reader sees the lesion: they click at it
        else done = await finished(reader, trialId, await click(lesion.centerMm));
      }
      if (!done.measurement || !done.provenance) return [e, undefined];
      memory.set(key, done.id);
      const axis = lesion.nodal ? done.measurement.shortAxis : done.measurement.longAxis;
      return [e, { segmentationId: done.id, mm: round1(axis.lengthMm), provenance: done.provenance }];
    }),
  );
  for (const [e, proposal] of proposals) {
    if (!proposal || !e.measurement) continue;
    const own = e.measurement.finalMm;
    const accepted = Math.abs(proposal.mm - own) <= ACCEPT_WITHIN_MM;
    const m: Measurement = {
      finalMm: accepted ? proposal.mm : own,
      aiProposalMm: proposal.mm,
      aiSource: { modelId: proposal.provenance.modelId, version: proposal.provenance.modelVersion, sha256: proposal.provenance.modelSha256, segmentationId: proposal.segmentationId },
      decision: accepted ? 'accepted' : 'edited',
    };
    e.measurement = m;
    stats.proposals++;
    if (m.decision === 'accepted') stats.accepted++;
    else stats.edited++;
  }
  return content;
}
