// Rebuilds the response engine's input for one assessor from the exported TU and TR rows, so that the
// conformance check can ask the engine whether RS follows from TR (primer section 9 item 25).
// What SDTM carries comes from the rows: which lesions exist (TU), every measurement, state and not-done (TR),
// scan dates, nodal vs non-nodal (LPERP vs LDIAM), NEW TARGET vs NEW NON-TARGET. What SDTM cannot carry comes
// from the source read (the engine's validated input): protocol options, criteria, modality and slice thickness,
// the engine's organ names, whether a 0 mm target disappeared or coalesced (and into what), tumour markers, and
// an increase on top of unequivocal progression (TUMSTATE holds one state).
import type {
  FollowupInput,
  NewLesionReadingInput,
  NonTargetReadingInput,
  SubjectResponseInput,
  TargetReadingInput,
  ValidatedSubject,
} from '../../domain/response/index.js';
import type { SubjectAssessment, SubjectVisit } from '../sdtm/assessment.js';
import type { SdtmRow } from '../sdtm/dataset.js';
import { lesionLinks, linkPrefix } from '../sdtm/subject-plan.js';
import { NOT_DONE, REASONS_NOT_DONE, TOO_SMALL_TO_MEASURE } from '../sdtm/terminology.js';

export function engineInputFromTr(
  template: SubjectAssessment,
  read: ValidatedSubject,
  visits: readonly SubjectVisit[],
  tuRows: readonly SdtmRow[],
  trRows: readonly SdtmRow[],
): SubjectResponseInput {
  const links = lesionLinks(linkPrefix(template.assessor.evalId), read);
  const identified = new Set(tuRows.map((r) => String(r.TULNKID)));
  const tuByLink = new Map(tuRows.map((r) => [String(r.TULNKID), r] as const));
  const baselineVisit = visits.find((v) => v.timepointLabel === null);
  const rowsAt = (visitNum: number | undefined) => trRows.filter((r) => r.VISITNUM === visitNum);
  const lesionRow = (rows: readonly SdtmRow[], link: string, tests: readonly string[]) =>
    rows.find((r) => r.TRLNKID === link && tests.includes(String(r.TRTESTCD)));
  // A missing number stays NaN so that the engine rejects the input (ENGINE_FAILED) instead of guessing.
  const num = (r: SdtmRow | undefined) => (r && typeof r.TRSTRESN === 'number' ? r.TRSTRESN : Number.NaN);
  const firstDate = (rows: readonly SdtmRow[]) => rows.find((r) => typeof r.TRDTC === 'string')?.TRDTC as string | undefined;

  const tb = read.baseline;
  const baseRows = rowsAt(baselineVisit?.visitNum);
  const targets = tb.targets
    .filter((t) => identified.has(links.targets.get(t.id)!))
    .map((t) => {
      const row = lesionRow(baseRows, links.targets.get(t.id)!, ['LDIAM', 'LPERP']);
      return { ...t, nodal: row ? row.TRTESTCD === 'LPERP' : t.nodal, diameterMm: num(row) };
    });
  const nonTargets = tb.nonTargets.filter((n) => identified.has(links.nonTargets.get(n.id)!));
  const baseline = { ...tb, date: firstDate(baseRows) ?? tb.date, targets, nonTargets };

  const followups: FollowupInput[] = [];
  for (const tf of read.followups) {
    const visit = visits.find((v) => v.timepointLabel === tf.label);
    const rows = rowsAt(visit?.visitNum);
    if (!visit || rows.length === 0) continue; // no TR at this visit: the engine will not see the timepoint
    const date = firstDate(rows) ?? tf.date;
    const lesionRows = rows.filter((r) => r.TRLNKID !== null);
    if (lesionRows.length > 0 && lesionRows.every((r) => r.TRSTAT === NOT_DONE && r.TRREASND === REASONS_NOT_DONE.scanNotPerformed)) {
      followups.push({ label: tf.label, date, assessed: false, targets: [], nonTargets: [], newLesions: [] });
      continue;
    }
    const fTargets: TargetReadingInput[] = [];
    for (const t of targets) {
      const link = links.targets.get(t.id)!;
      const fragments = rows
        .filter((r) => typeof r.TRLNKID === 'string' && r.TRLNKID.startsWith(`${link}.`))
        .sort((a, b) => Number(String(a.TRLNKID).slice(link.length + 1)) - Number(String(b.TRLNKID).slice(link.length + 1)));
      if (fragments.length > 0) {
        fTargets.push({ id: t.id, status: 'split', fragmentsMm: fragments.map(num) });
        continue;
      }
      const row = lesionRow(rows, link, ['LDIAM', 'LPERP']);
      if (!row) continue;
      if (row.TRSTAT === NOT_DONE) fTargets.push({ id: t.id, status: 'not_evaluated' });
      else if (row.TRORRES === TOO_SMALL_TO_MEASURE) fTargets.push({ id: t.id, status: 'too_small' });
      else if (num(row) === 0) {
        const was = tf.targets.find((x) => x.id === t.id);
        fTargets.push(was?.status === 'coalesced' ? { id: t.id, status: 'coalesced', coalescedInto: was.coalescedInto } : { id: t.id, status: 'disappeared' });
      } else fTargets.push({ id: t.id, status: 'measured', diameterMm: num(row) });
    }
    const fNonTargets: NonTargetReadingInput[] = [];
    for (const n of nonTargets) {
      const row = lesionRow(rows, links.nonTargets.get(n.id)!, ['TUMSTATE']);
      if (!row) continue;
      const source = tf.nonTargets.find((x) => x.id === n.id);
      fNonTargets.push(nonTargetFromRow(n.id, row, source?.status === 'unequivocal_progression' && source.increasedSincePrevious === true));
    }
    const fNew: NewLesionReadingInput[] = [];
    const templateNew = new Map<string, NewLesionReadingInput & { organ: string; nodal: boolean }>();
    for (const f of read.followups) for (const n of f.newLesions) if (!templateNew.has(n.id)) templateNew.set(n.id, n);
    for (const [id, link] of links.newLesions) {
      const state = lesionRow(rows, link, ['TUMSTATE']);
      if (!state || !identified.has(link)) continue;
      const tmpl = templateNew.get(id)!;
      const cls = tuByLink.get(link)?.TUSTRESC;
      const irecistType = cls === 'NEW TARGET' ? 'NLT' : cls === 'NEW NON-TARGET' ? 'NLNT' : tmpl.irecistType;
      const size = lesionRow(rows, link, ['LDIAM', 'LPERP']);
      const status = state.TRSTAT === NOT_DONE ? 'not_evaluated' : readState(state, ['PRESENT', 'INCREASED', 'UNEQUIVOCAL', 'ABSENT']) === 'ABSENT' ? 'absent' : 'present';
      const source = tf.newLesions.find((x) => x.id === id);
      fNew.push({
        id,
        organ: tmpl.organ,
        nodal: size ? size.TRTESTCD === 'LPERP' : tmpl.nodal,
        irecistType,
        status,
        ...(size ? { diameterMm: num(size) } : {}),
        ...(state.TRSTRESC === 'INCREASED' || (state.TRSTRESC === 'UNEQUIVOCAL' && source?.increasedSincePrevious === true) ? { increasedSincePrevious: true } : {}),
        ...(state.TRSTRESC === 'UNEQUIVOCAL' ? { unequivocalProgression: true } : {}),
      });
    }
    followups.push({
      label: tf.label,
      date,
      assessed: true,
      targets: fTargets,
      nonTargets: fNonTargets,
      newLesions: fNew,
      ...(tf.tumourMarkersNormal !== null ? { tumourMarkersNormal: tf.tumourMarkersNormal } : {}),
    });
  }
  const source = template.input;
  return {
    ...(source.subjectId !== undefined ? { subjectId: source.subjectId } : {}),
    ...(source.criteria !== undefined ? { criteria: source.criteria } : {}),
    ...(source.protocol !== undefined ? { protocol: source.protocol } : {}),
    baseline,
    followups,
  };
}

/** The TUMSTATE of a row when it is one of `allowed`; anything else cannot be given to the engine. */
function readState(row: SdtmRow, allowed: readonly string[]): string {
  if (typeof row.TRSTRESC === 'string' && allowed.includes(row.TRSTRESC)) return row.TRSTRESC;
  throw new Error(`${String(row.TRLNKID)} at VISITNUM ${String(row.VISITNUM)}: TUMSTATE ${JSON.stringify(row.TRSTRESC)} is not a state the engine reads`);
}

function nonTargetFromRow(id: string, row: SdtmRow, increasedOnUnequivocal: boolean): NonTargetReadingInput {
  if (row.TRSTAT === NOT_DONE) return { id, status: 'not_evaluated' };
  switch (readState(row, ['PRESENT', 'ABSENT', 'UNEQUIVOCAL', 'INCREASED'])) {
    case 'ABSENT':
      return { id, status: 'absent' };
    case 'UNEQUIVOCAL':
      return increasedOnUnequivocal ? { id, status: 'unequivocal_progression', increasedSincePrevious: true } : { id, status: 'unequivocal_progression' };
    case 'INCREASED':
      return { id, status: 'present', increasedSincePrevious: true };
    default:
      return { id, status: 'present' };
  }
}
