// Who may see a timepoint's images, and through which blinding view. One function for every image route, so the
// rule is written once: core-lab staff (qc, admin) see every series of the trial; a reader sees a timepoint's
// images only while holding a read of it that has opened (a read still waiting on the previous timepoint's
// signature does not show the next images early, BL-06); an adjudicator only while assigned an adjudication of
// that subject that covers the timepoint. Anyone else gets 404, exactly as for a timepoint that does not exist
// (BL-03, SEC-02).
import type { DbOrTrx } from '../../db/connect.js';
import type { TimepointsTable } from '../../db/schema.js';
import type { Viewer } from '../../domain/blinding/viewer.js';
import { DomainError } from '../../domain/errors.js';
import { type Caller, isCoreLab } from '../reading/caller.js';
import { trialParadigm } from '../reading/reading-records.js';

export interface ImageAccess {
  viewer: Viewer;
  timepoint: TimepointsTable;
}

const notFound = (what: string): never => {
  throw new DomainError('NOT_FOUND', `${what} not found`);
};

export async function imageAccess(db: DbOrTrx, caller: Caller, trialId: string, timepointId: string, what = `timepoint ${timepointId}`): Promise<ImageAccess> {
  const timepoint = await db.selectFrom('timepoints').selectAll().where('id', '=', timepointId).where('trial_id', '=', trialId).executeTakeFirst();
  if (!timepoint) return notFound(what);
  const { paradigm } = await trialParadigm(db, trialId);
  // A reader is blinded on their own work even when they also hold a staff role (as for reads).
  if (caller.trialRoles.includes('reader')) {
    const read = await db.selectFrom('reads').select('id').where('timepoint_id', '=', timepointId).where('reader_id', '=', caller.userId).where('state', '!=', 'waiting').executeTakeFirst();
    if (read) return { viewer: { kind: 'reader', reveal: paradigm.reveal }, timepoint };
  }
  if (caller.trialRoles.includes('adjudicator')) {
    const covering = await db
      .selectFrom('adjudications')
      .innerJoin('timepoints as through', 'through.id', 'adjudications.through_timepoint_id')
      .select('adjudications.id')
      .where('adjudications.subject_id', '=', timepoint.subject_id)
      .where('adjudications.assignee_id', '=', caller.userId)
      .where('adjudications.state', '!=', 'superseded')
      .where('through.visit_num', '>=', timepoint.visit_num)
      .executeTakeFirst();
    if (covering) return { viewer: { kind: 'adjudicator', reveal: paradigm.reveal }, timepoint };
  }
  if (isCoreLab(caller)) return { viewer: { kind: 'core_lab', reveal: paradigm.reveal }, timepoint };
  return notFound(what);
}

/** A series' timepoint, then the same rule; a series the caller may not see is 404 like a missing one. */
export async function seriesAccess(db: DbOrTrx, caller: Caller, trialId: string, seriesId: string) {
  const series = await db.selectFrom('series').selectAll().where('id', '=', seriesId).where('trial_id', '=', trialId).executeTakeFirst();
  if (!series) return notFound(`series ${seriesId}`);
  const access = await imageAccess(db, caller, trialId, series.timepoint_id, `series ${seriesId}`);
  // Blinded viewers see only series assembled from released (non-quarantined) instances.
  if (access.viewer.kind !== 'core_lab' && !series.volume_json) return notFound(`series ${seriesId}`);
  return { ...access, series };
}
