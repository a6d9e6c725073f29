// A read that names the segmentation an AI proposal came from must name a real one: a finished segmentation of this
// trial that the reader requested themselves, produced by the model the proposal names. Checked where read content is
// written (draft, correction), so a read report never links a lesion to someone else's or to no segmentation.
import type { DbOrTrx } from '../../db/connect.js';
import { DomainError } from '../../domain/errors.js';
import type { Measurement, ReadContent } from '../../domain/reading/read-content.js';

export async function assertAiSourcesAreOwn(db: DbOrTrx, trialId: string, readerId: string, content: ReadContent): Promise<void> {
  const named: Array<{ pointer: string; m: Measurement; id: string }> = [];
  content.targets.forEach((t, i) => t.measurement?.aiSource?.segmentationId && named.push({ pointer: `/targets/${i}/measurement/aiSource`, m: t.measurement, id: t.measurement.aiSource.segmentationId }));
  (content.newLesions ?? []).forEach((l, i) => l.measurement?.aiSource?.segmentationId && named.push({ pointer: `/newLesions/${i}/measurement/aiSource`, m: l.measurement, id: l.measurement.aiSource.segmentationId }));
  if (named.length === 0) return;
  const rows = await db
    .selectFrom('segmentations')
    .select(['id', 'state', 'model_id', 'model_version', 'model_sha256'])
    .where('trial_id', '=', trialId)
    .where('requested_by', '=', readerId)
    .where('id', 'in', named.map((n) => n.id))
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const errors: Array<{ pointer: string; detail: string }> = [];
  for (const n of named) {
    const row = byId.get(n.id);
    const src = n.m.aiSource!;
    if (!row || row.state !== 'done') errors.push({ pointer: `${n.pointer}/segmentationId`, detail: 'is not a finished segmentation of yours in this trial' });
    else if (row.model_id !== src.modelId || row.model_version !== src.version || row.model_sha256 !== src.sha256) {
      errors.push({ pointer: n.pointer, detail: `names model ${src.modelId} ${src.version}, but the segmentation was made by ${row.model_id} ${row.model_version} (sha256 ${row.model_sha256})` });
    }
  }
  if (errors.length > 0) throw new DomainError('UNPROCESSABLE', `an AI source does not match its segmentation: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, { errors });
}
