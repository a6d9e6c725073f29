// The charter's adjudication triggers (BL-07), evaluated deterministically on the two readers' signed responses
// for a subject up to a timepoint. Each finding says what differs so the adjudicator sees it.
import type { AdjudicationTrigger, ReadingParadigm, ResponseCriteria } from './paradigm.js';

export interface ReaderCourse {
  /** follow-up timepoints in order, with the read's response of record for the compared criteria */
  timepoints: Array<{ label: string; date: string; response: string | null }>;
  bestOverallResponse: string | null;
}

export interface TriggerFinding {
  trigger: AdjudicationTrigger;
  /** the timepoint concerned (timepoint_response_differs) */
  label?: string;
  reader1: string | null;
  reader2: string | null;
  /** progression: reader1/reader2 name the timepoint of progression (blinded label, never the date); days apart
   *  is null when one reader has no progression */
  daysApart?: number | null;
}

/**
 * The date of progression of one read under the compared criteria: RECIST 1.1, the first PD; iRECIST, the date of
 * the iUPD that opened the episode the first iCPD confirms (response-criteria note §13.12). Null: no progression.
 */
export function progressionPoint(course: ReaderCourse, criteria: ResponseCriteria): { label: string; date: string } | null {
  const at = (t: { label: string; date: string }) => ({ label: t.label, date: t.date });
  if (criteria === 'RECIST1.1') {
    const pd = course.timepoints.find((t) => t.response === 'PD');
    return pd ? at(pd) : null;
  }
  let episodeStart: ReaderCourse['timepoints'][number] | null = null;
  for (const t of course.timepoints) {
    if (t.response === 'iUPD') episodeStart ??= t;
    else if (t.response === 'iCPD') return at(episodeStart ?? t);
    else if (t.response !== 'NE') episodeStart = null;
  }
  return null;
}

/** Calendar days from a to b (ISO dates; times ignored). */
export function daysBetween(a: string, b: string): number {
  const day = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / 86_400_000;
  return Math.round(day(b) - day(a));
}

export function evaluateTriggers(adjudication: ReadingParadigm['adjudication'], r1: ReaderCourse, r2: ReaderCourse): TriggerFinding[] {
  const out: TriggerFinding[] = [];
  for (const trigger of adjudication.triggers) {
    switch (trigger) {
      case 'best_overall_response_differs':
        if (r1.bestOverallResponse !== r2.bestOverallResponse) {
          out.push({ trigger, reader1: r1.bestOverallResponse, reader2: r2.bestOverallResponse });
        }
        break;
      case 'progression_date_differs': {
        const p1 = progressionPoint(r1, adjudication.criteria);
        const p2 = progressionPoint(r2, adjudication.criteria);
        if (p1 === null && p2 === null) break;
        const apart = p1 !== null && p2 !== null ? Math.abs(daysBetween(p1.date, p2.date)) : null;
        // One reader with progression and the other without is the widest disagreement there is.
        if (apart === null || apart > adjudication.progressionDateToleranceDays) {
          out.push({ trigger, reader1: p1?.label ?? null, reader2: p2?.label ?? null, daysApart: apart });
        }
        break;
      }
      case 'timepoint_response_differs':
        for (const t1 of r1.timepoints) {
          const t2 = r2.timepoints.find((t) => t.label === t1.label);
          if (t2 && t1.response !== t2.response) out.push({ trigger, label: t1.label, reader1: t1.response, reader2: t2.response });
        }
        break;
    }
  }
  return out;
}
