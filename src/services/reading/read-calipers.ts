// The calipers of a read's measurements are checked where content is written (draft, sign, correction) against the
// series the reader may view at that timepoint: released volumes only, as the image routes show them to a blinded
// reader (image-access.ts). The rule itself is pure: src/domain/reading/measurement-caliper.ts.
import type { DbOrTrx } from '../../db/connect.js';
import type { ReadsTable } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import { caliperProblems, measurementsWithNodal } from '../../domain/reading/measurement-caliper.js';
import type { ReadContent } from '../../domain/reading/read-content.js';
import type { VolumeGeometry } from '../../domain/volume.js';
import type { StoredVolume } from '../ingest/images.js';
import { ownSignedReads } from './read-evaluation.js';
import { parseContent, subjectTimepoints } from './reading-records.js';

export async function assertCalipersValid(db: DbOrTrx, read: ReadsTable, content: ReadContent): Promise<void> {
  if (!measurementsWithNodal(content).some((x) => x.m.caliper)) return;
  const rows = await db.selectFrom('series').select(['id', 'volume_json']).where('trial_id', '=', read.trial_id).where('timepoint_id', '=', read.timepoint_id).where('volume_json', 'is not', null).execute();
  const series = new Map<string, VolumeGeometry>(rows.map((r) => [r.id, (JSON.parse(r.volume_json!) as StoredVolume).geometry]));
  // Follow-up targets name their baseline lesion by id; whether it is a node (short axis) is the baseline's.
  const timepoints = await subjectTimepoints(db, read.subject_id);
  const index = timepoints.findIndex((t) => t.id === read.timepoint_id);
  const baselineRead = index > 0 ? (await ownSignedReads(db, read, timepoints, 1))[0] : undefined;
  const problems = caliperProblems(content, series, baselineRead && parseContent(baselineRead.version));
  if (problems.length > 0) throw new DomainError('UNPROCESSABLE', `a caliper does not match: ${problems.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`, { errors: problems });
}
