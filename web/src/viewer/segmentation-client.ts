import { api, must } from '../api/client.js';
import type { Segmentation } from './ai-proposal.js';
import type { Vec3 } from './series-geometry.js';

// The segmentation operations of the contract (openapi.yaml, tag segmentation): ask for a lesion under a point,
// follow the job to its end, list the caller's own segmentations on a series, and propagate a baseline lesion to
// a follow-up series. A reader only ever sees their own segmentations (the server's rule).

export const requestSegmentation = (trialId: string, seriesId: string, pointMm: Vec3): Promise<Segmentation> =>
  must(api.POST('/trials/{trialId}/series/{seriesId}/segmentations', { params: { path: { trialId, seriesId } }, body: { prompt: { kind: 'point', pointMm } } }));

export const getSegmentation = (trialId: string, segmentationId: string): Promise<Segmentation> =>
  must(api.GET('/trials/{trialId}/segmentations/{segmentationId}', { params: { path: { trialId, segmentationId } } }));

export const listSegmentations = (trialId: string, seriesId: string): Promise<Segmentation[]> =>
  must(api.GET('/trials/{trialId}/series/{seriesId}/segmentations', { params: { path: { trialId, seriesId } } }));

export const propagateSegmentation = (trialId: string, segmentationId: string, seriesId: string): Promise<Segmentation> =>
  must(api.POST('/trials/{trialId}/segmentations/{segmentationId}/propagations', { params: { path: { trialId, segmentationId } }, body: { seriesId } }));

const finished = (s: Segmentation) => s.state !== 'queued' && s.state !== 'running';
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new DOMException('stopped', 'AbortError'));
    });
  });

/** Follows a segmentation until it is done, failed or cancelled: every 0.5 s for 5 s, then every 2 s. */
export async function followSegmentation(trialId: string, s: Segmentation, onUpdate: (s: Segmentation) => void, signal: AbortSignal): Promise<Segmentation> {
  let current = s;
  for (let i = 0; !finished(current); i++) {
    await sleep(i < 10 ? 500 : 2000, signal);
    current = await getSegmentation(trialId, current.id);
    if (signal.aborted) break;
    onUpdate(current);
  }
  return current;
}
