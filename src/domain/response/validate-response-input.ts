// Input validation for the response engine. Anything inconsistent is rejected with DomainError
// INVALID_RESPONSE_INPUT naming the field ("followups[1].targets[0].id: unknown target lesion 'T9'"); every
// problem found is listed in extras.errors. A clinical outcome (NE, a baseline violation) is never an error.
import { DomainError } from '../errors.js';
import { assertNever } from './assert-never.js';
import { toDayNumber } from './calendar-date.js';
import type {
  BaselineInput,
  BaselineNonTargetInput,
  BaselineTargetInput,
  NonTargetReadingInput,
  TargetReadingInput,
  ValidatedFollowup,
  ValidatedNewLesionReading,
  ValidatedSubject,
} from './response-input.js';
import {
  defaultResponseOptions,
  ICPD_SIZE_REFERENCES,
  IRECIST_PROGRESSION_DATE_RULES,
  IRRADIATED_LESION_POLICIES,
  PR_PERSISTENCE_MODES,
  RESET_WITH_PERSISTING_NEW_LESIONS_MODES,
  SD_DURATION_REFERENCES,
  withDefaultResponseOptions,
  type PartialResponseOptions,
} from './response-options.js';
import {
  CRITERIA,
  MEASUREMENT_METHODS,
  NEW_LESION_STATUSES,
  NEW_LESION_TYPES,
  NON_TARGET_STATUSES,
  TARGET_STATUSES,
  type Criterion,
} from './response-values.js';

export interface InputProblem {
  readonly path: string;
  readonly message: string;
}

/** Validates one subject's input and returns it with options resolved, or throws INVALID_RESPONSE_INPUT. */
export function validateSubjectResponseInput(raw: unknown): ValidatedSubject {
  const problems: InputProblem[] = [];
  const v = new Reader(problems);
  const root = v.object(raw, '', ['subjectId', 'criteria', 'protocol', 'baseline', 'followups']);
  if (!root) throw invalid(problems);

  const subjectId = v.optionalString(root, 'subjectId', '') ?? null;
  const criteria = readCriteria(v, root);
  const { options, sdReferenceDate } = readProtocol(v, root.protocol);
  const baseline = readBaseline(v, root.baseline);
  const followups = readFollowups(v, root.followups, baseline);

  if (problems.length > 0 || !baseline || !followups) throw invalid(problems);
  return { subjectId, criteria, options, sdReferenceDate, baseline, followups };
}

/** Validates only a protocol options object (partial allowed); used for the protocol files as well. */
export function validateResponseOptions(raw: unknown, path = 'protocol') {
  const problems: InputProblem[] = [];
  const result = readProtocol(new Reader(problems), raw, path, false);
  if (problems.length > 0) throw invalid(problems);
  return result.options;
}

function invalid(problems: readonly InputProblem[]): DomainError {
  const list = problems.length > 0 ? problems : [{ path: '', message: 'invalid input' }];
  const first = list[0];
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
  return new DomainError('INVALID_RESPONSE_INPUT', `${first.path ? `${first.path}: ` : ''}${first.message}${more}`, {
    errors: list.map((p) => ({ path: p.path, message: p.message })),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// criteria and protocol

function readCriteria(v: Reader, root: Record<string, unknown>): readonly Criterion[] {
  if (root.criteria === undefined) return ['RECIST1.1'];
  const list = v.array(root.criteria, 'criteria');
  if (!list) return ['RECIST1.1'];
  const out: Criterion[] = [];
  list.forEach((c, i) => {
    const value = v.oneOf(c, `criteria[${i}]`, CRITERIA);
    if (value === undefined) return;
    if (out.includes(value)) v.problem(`criteria[${i}]`, `duplicate criterion '${value}'`);
    else out.push(value);
  });
  // iRECIST is RECIST 1.1 plus confirmation of progression; both run on the same reads (primer 9).
  if (out.length > 0 && !out.includes('RECIST1.1')) {
    v.problem('criteria', "must include 'RECIST1.1' (iRECIST is evaluated alongside RECIST 1.1)");
  }
  if (list.length === 0) v.problem('criteria', 'must list at least one criterion');
  return out;
}

function readProtocol(v: Reader, raw: unknown, path = 'protocol', allowSubjectFields = true) {
  if (raw === undefined) return { options: defaultResponseOptions, sdReferenceDate: null };
  const keys = [
    'confirmation',
    'sdMinDurationDays',
    'sdDurationReference',
    'prPersistence',
    'pdOnReappearanceAfterCR',
    'baselineWindowDays',
    'irradiatedLesionsMeasurable',
    'nonMeasurableOnlyEligible',
    'tumourMarkersForCR',
    'fdgPet',
    'irecist',
    ...(allowSubjectFields ? ['sdReferenceDate'] : []),
  ];
  const p = v.object(raw, path, keys);
  if (!p) return { options: defaultResponseOptions, sdReferenceDate: null };
  const partial: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (value !== undefined) partial[key] = value;
  };
  if (p.confirmation !== undefined) {
    const c = v.object(p.confirmation, `${path}.confirmation`, [
      'required',
      'minDays',
      'maxInterveningNE',
      'acceptInterveningSD',
    ]);
    if (c) {
      const conf: Record<string, unknown> = {};
      const cp = `${path}.confirmation`;
      if (c.required !== undefined) conf.required = v.boolean(c.required, `${cp}.required`);
      if (c.minDays !== undefined) conf.minDays = v.integer(c.minDays, `${cp}.minDays`, 0);
      if (c.maxInterveningNE !== undefined) conf.maxInterveningNE = v.integer(c.maxInterveningNE, `${cp}.maxInterveningNE`, 0);
      if (c.acceptInterveningSD !== undefined) conf.acceptInterveningSD = v.boolean(c.acceptInterveningSD, `${cp}.acceptInterveningSD`);
      partial.confirmation = conf;
    }
  }
  if (p.sdMinDurationDays !== undefined) put('sdMinDurationDays', v.integer(p.sdMinDurationDays, `${path}.sdMinDurationDays`, 0));
  if (p.sdDurationReference !== undefined)
    put('sdDurationReference', v.oneOf(p.sdDurationReference, `${path}.sdDurationReference`, SD_DURATION_REFERENCES));
  if (p.prPersistence !== undefined) put('prPersistence', v.oneOf(p.prPersistence, `${path}.prPersistence`, PR_PERSISTENCE_MODES));
  if (p.pdOnReappearanceAfterCR !== undefined)
    put('pdOnReappearanceAfterCR', v.boolean(p.pdOnReappearanceAfterCR, `${path}.pdOnReappearanceAfterCR`));
  if (p.baselineWindowDays !== undefined) put('baselineWindowDays', v.integer(p.baselineWindowDays, `${path}.baselineWindowDays`, 0));
  if (p.irradiatedLesionsMeasurable !== undefined)
    put(
      'irradiatedLesionsMeasurable',
      v.oneOf(p.irradiatedLesionsMeasurable, `${path}.irradiatedLesionsMeasurable`, IRRADIATED_LESION_POLICIES),
    );
  if (p.nonMeasurableOnlyEligible !== undefined)
    put('nonMeasurableOnlyEligible', v.boolean(p.nonMeasurableOnlyEligible, `${path}.nonMeasurableOnlyEligible`));
  if (p.tumourMarkersForCR !== undefined) {
    const list = v.array(p.tumourMarkersForCR, `${path}.tumourMarkersForCR`);
    if (list) {
      const names: string[] = [];
      list.forEach((m, i) => {
        const name = v.nonEmptyString(m, `${path}.tumourMarkersForCR[${i}]`);
        if (name !== undefined && names.includes(name)) v.problem(`${path}.tumourMarkersForCR[${i}]`, `duplicate marker '${name}'`);
        else if (name !== undefined) names.push(name);
      });
      put('tumourMarkersForCR', names);
    }
  }
  if (p.fdgPet !== undefined) put('fdgPet', v.boolean(p.fdgPet, `${path}.fdgPet`));
  if (p.irecist !== undefined) {
    const ip = `${path}.irecist`;
    const i = v.object(p.irecist, ip, [
      'icpdMinDaysAfterIupd',
      'icpdWindowToleranceDays',
      'icpdMaxDaysAfterIupd',
      'icpdSizeReference',
      'resetWithPersistingNewLesions',
      'earlyScanNewLesionMayConfirm',
      'confirmThroughOtherCategory',
      'iupdBreaksConfirmation',
      'progressionDate',
    ]);
    if (i) {
      const ir: Record<string, unknown> = {};
      const set = (key: string, value: unknown) => {
        if (value !== undefined) ir[key] = value;
      };
      if (i.icpdMinDaysAfterIupd !== undefined) set('icpdMinDaysAfterIupd', v.integer(i.icpdMinDaysAfterIupd, `${ip}.icpdMinDaysAfterIupd`, 0));
      if (i.icpdWindowToleranceDays !== undefined)
        set('icpdWindowToleranceDays', v.integer(i.icpdWindowToleranceDays, `${ip}.icpdWindowToleranceDays`, 0));
      if (i.icpdMaxDaysAfterIupd !== undefined) set('icpdMaxDaysAfterIupd', v.integer(i.icpdMaxDaysAfterIupd, `${ip}.icpdMaxDaysAfterIupd`, 0));
      if (i.icpdSizeReference !== undefined)
        set('icpdSizeReference', v.oneOf(i.icpdSizeReference, `${ip}.icpdSizeReference`, ICPD_SIZE_REFERENCES));
      if (i.resetWithPersistingNewLesions !== undefined)
        set(
          'resetWithPersistingNewLesions',
          v.oneOf(i.resetWithPersistingNewLesions, `${ip}.resetWithPersistingNewLesions`, RESET_WITH_PERSISTING_NEW_LESIONS_MODES),
        );
      if (i.earlyScanNewLesionMayConfirm !== undefined)
        set('earlyScanNewLesionMayConfirm', v.boolean(i.earlyScanNewLesionMayConfirm, `${ip}.earlyScanNewLesionMayConfirm`));
      if (i.confirmThroughOtherCategory !== undefined)
        set('confirmThroughOtherCategory', v.boolean(i.confirmThroughOtherCategory, `${ip}.confirmThroughOtherCategory`));
      if (i.iupdBreaksConfirmation !== undefined)
        set('iupdBreaksConfirmation', v.boolean(i.iupdBreaksConfirmation, `${ip}.iupdBreaksConfirmation`));
      if (i.progressionDate !== undefined)
        set('progressionDate', v.oneOf(i.progressionDate, `${ip}.progressionDate`, IRECIST_PROGRESSION_DATE_RULES));
      partial.irecist = ir;
    }
  }
  let sdReferenceDate: string | null = null;
  if (allowSubjectFields && p.sdReferenceDate !== undefined && p.sdReferenceDate !== null) {
    sdReferenceDate = v.isoDate(p.sdReferenceDate, `${path}.sdReferenceDate`) ?? null;
  }
  return { options: withDefaultResponseOptions(partial as PartialResponseOptions), sdReferenceDate };
}

// ---------------------------------------------------------------------------------------------------------------
// baseline

function readBaseline(v: Reader, raw: unknown): BaselineInput | undefined {
  const b = v.object(raw, 'baseline', ['date', 'modality', 'sliceThicknessMm', 'targets', 'nonTargets']);
  if (!b) return undefined;
  const date = v.isoDate(b.date, 'baseline.date');
  const modality = b.modality === undefined ? undefined : v.oneOf(b.modality, 'baseline.modality', MEASUREMENT_METHODS);
  const sliceThicknessMm =
    b.sliceThicknessMm === undefined ? undefined : v.positiveNumber(b.sliceThicknessMm, 'baseline.sliceThicknessMm');
  const ids = new Set<string>();
  const claimId = (id: string | undefined, path: string) => {
    if (id === undefined) return;
    if (ids.has(id)) v.problem(path, `duplicate lesion id '${id}' at baseline`);
    ids.add(id);
  };

  const targets: BaselineTargetInput[] = [];
  (v.array(b.targets ?? [], 'baseline.targets') ?? []).forEach((t, i) => {
    const path = `baseline.targets[${i}]`;
    const o = v.object(t, path, [
      'id',
      'organ',
      'nodal',
      'diameterMm',
      'method',
      'sliceThicknessMm',
      'station',
      'previouslyIrradiated',
      'progressedSinceIrradiation',
    ]);
    if (!o) return;
    const id = v.nonEmptyString(o.id, `${path}.id`);
    claimId(id, `${path}.id`);
    const organ = v.nonEmptyString(o.organ, `${path}.organ`);
    const nodal = v.boolean(o.nodal, `${path}.nodal`);
    const diameterMm = v.positiveNumber(o.diameterMm, `${path}.diameterMm`);
    const method = o.method === undefined ? undefined : v.oneOf(o.method, `${path}.method`, MEASUREMENT_METHODS);
    const st = o.sliceThicknessMm === undefined ? undefined : v.positiveNumber(o.sliceThicknessMm, `${path}.sliceThicknessMm`);
    const station = v.optionalString(o, 'station', path);
    const previouslyIrradiated =
      o.previouslyIrradiated === undefined ? undefined : v.boolean(o.previouslyIrradiated, `${path}.previouslyIrradiated`);
    const progressedSinceIrradiation =
      o.progressedSinceIrradiation === undefined
        ? undefined
        : v.boolean(o.progressedSinceIrradiation, `${path}.progressedSinceIrradiation`);
    if (id === undefined || organ === undefined || nodal === undefined || diameterMm === undefined) return;
    targets.push({
      id,
      organ,
      nodal,
      diameterMm,
      ...(method !== undefined && { method }),
      ...(st !== undefined && { sliceThicknessMm: st }),
      ...(station !== undefined && { station }),
      ...(previouslyIrradiated !== undefined && { previouslyIrradiated }),
      ...(progressedSinceIrradiation !== undefined && { progressedSinceIrradiation }),
    });
  });

  const nonTargets: BaselineNonTargetInput[] = [];
  (v.array(b.nonTargets ?? [], 'baseline.nonTargets') ?? []).forEach((t, i) => {
    const path = `baseline.nonTargets[${i}]`;
    const o = v.object(t, path, ['id', 'organ', 'nodal', 'station']);
    if (!o) return;
    const id = v.nonEmptyString(o.id, `${path}.id`);
    claimId(id, `${path}.id`);
    const organ = v.nonEmptyString(o.organ, `${path}.organ`);
    const nodal = v.boolean(o.nodal, `${path}.nodal`);
    const station = v.optionalString(o, 'station', path);
    if (id === undefined || organ === undefined || nodal === undefined) return;
    nonTargets.push({ id, organ, nodal, ...(station !== undefined && { station }) });
  });

  if (date === undefined) return undefined;
  return {
    date,
    ...(modality !== undefined && { modality }),
    ...(sliceThicknessMm !== undefined && { sliceThicknessMm }),
    targets,
    nonTargets,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// follow-ups

function readFollowups(v: Reader, raw: unknown, baseline: BaselineInput | undefined): ValidatedFollowup[] | undefined {
  const list = v.array(raw, 'followups');
  if (!list || !baseline) return undefined;
  const targetIds = new Set(baseline.targets.map((t) => t.id));
  const nonTargetIds = new Set(baseline.nonTargets.map((t) => t.id));
  const labels = new Set<string>();
  let previousDate: string | undefined = baseline.date;
  let previousWhat = 'baseline.date';
  /** New lesions seen so far: id -> identity at first appearance (primer 9.2: they keep their identity). */
  const knownNew = new Map<string, { organ: string; nodal: boolean; irecistType: string; firstPath: string }>();
  const out: ValidatedFollowup[] = [];

  list.forEach((f, fi) => {
    const fp = `followups[${fi}]`;
    const o = v.object(f, fp, ['label', 'date', 'assessed', 'targets', 'nonTargets', 'newLesions', 'tumourMarkersNormal']);
    if (!o) return;
    const label = v.nonEmptyString(o.label, `${fp}.label`);
    if (label !== undefined) {
      if (labels.has(label)) v.problem(`${fp}.label`, `duplicate timepoint label '${label}'`);
      labels.add(label);
    }
    const date = v.isoDate(o.date, `${fp}.date`);
    if (date !== undefined && previousDate !== undefined && date <= previousDate) {
      v.problem(
        `${fp}.date`,
        previousWhat === 'baseline.date'
          ? `${date} is not after the baseline date ${previousDate}`
          : `${date} is not after ${previousWhat} ${previousDate}: follow-ups must be in date order`,
      );
    }
    if (date !== undefined) {
      previousDate = date;
      previousWhat = `${fp}.date`;
    }
    const assessed = o.assessed === undefined ? true : v.boolean(o.assessed, `${fp}.assessed`);
    const tumourMarkersNormal =
      o.tumourMarkersNormal === undefined ? null : (v.boolean(o.tumourMarkersNormal, `${fp}.tumourMarkersNormal`) ?? null);

    const rawTargets = v.array(o.targets ?? [], `${fp}.targets`) ?? [];
    const rawNonTargets = v.array(o.nonTargets ?? [], `${fp}.nonTargets`) ?? [];
    const rawNew = v.array(o.newLesions ?? [], `${fp}.newLesions`) ?? [];
    if (assessed === false) {
      // No imaging (primer 7.1: NE). Readings at an unassessed timepoint contradict it.
      if (rawTargets.length > 0) v.problem(`${fp}.targets`, 'must be empty when assessed is false');
      if (rawNonTargets.length > 0) v.problem(`${fp}.nonTargets`, 'must be empty when assessed is false');
      if (rawNew.length > 0) v.problem(`${fp}.newLesions`, 'must be empty when assessed is false');
      if (label !== undefined && date !== undefined)
        out.push({ label, date, assessed: false, targets: [], nonTargets: [], newLesions: [], tumourMarkersNormal });
      return;
    }

    const targets = readTargetReadings(v, rawTargets, fp, targetIds);
    const nonTargets = readNonTargetReadings(v, rawNonTargets, fp, nonTargetIds);
    const newLesions = readNewLesions(v, rawNew, fp, knownNew, targetIds, nonTargetIds);
    if (label !== undefined && date !== undefined && assessed !== undefined) {
      out.push({ label, date, assessed, targets, nonTargets, newLesions, tumourMarkersNormal });
    }
  });
  return out;
}

function readTargetReadings(v: Reader, raw: unknown[], fp: string, targetIds: ReadonlySet<string>): TargetReadingInput[] {
  const seen = new Set<string>();
  const out: TargetReadingInput[] = [];
  raw.forEach((t, i) => {
    const path = `${fp}.targets[${i}]`;
    const o = v.object(t, path, ['id', 'status', 'diameterMm', 'fragmentsMm', 'coalescedInto']);
    if (!o) return;
    const id = v.nonEmptyString(o.id, `${path}.id`);
    if (id !== undefined) {
      if (!targetIds.has(id)) v.problem(`${path}.id`, `unknown target lesion '${id}'`);
      else if (seen.has(id)) v.problem(`${path}.id`, `target lesion '${id}' is listed twice`);
      seen.add(id);
    }
    const status = v.oneOf(o.status, `${path}.status`, TARGET_STATUSES);
    if (status === undefined || id === undefined) return;
    const forbid = (key: 'diameterMm' | 'fragmentsMm' | 'coalescedInto') => {
      if (o[key] !== undefined) v.problem(`${path}.${key}`, `not allowed with status '${status}'`);
    };
    switch (status) {
      case 'measured': {
        forbid('fragmentsMm');
        forbid('coalescedInto');
        // Primer 3: a measurement that can be given is recorded as it is, however small (0 included).
        const d = v.nonNegativeNumber(o.diameterMm, `${path}.diameterMm`, "required with status 'measured'");
        if (d !== undefined) out.push({ id, status, diameterMm: d });
        return;
      }
      case 'too_small':
      case 'disappeared':
      case 'not_evaluated':
        // Primer 3: these are the reader's calls, stored as such, never as numbers.
        forbid('diameterMm');
        forbid('fragmentsMm');
        forbid('coalescedInto');
        out.push({ id, status });
        return;
      case 'split': {
        forbid('diameterMm');
        forbid('coalescedInto');
        const frags = v.array(o.fragmentsMm, `${path}.fragmentsMm`, "required with status 'split'");
        if (!frags) return;
        if (frags.length < 2) v.problem(`${path}.fragmentsMm`, 'a split lesion has at least 2 fragments');
        const values: number[] = [];
        frags.forEach((x, k) => {
          const d = v.nonNegativeNumber(x, `${path}.fragmentsMm[${k}]`);
          if (d !== undefined) values.push(d);
        });
        if (values.length === frags.length && frags.length >= 2) out.push({ id, status, fragmentsMm: values });
        return;
      }
      case 'coalesced': {
        forbid('diameterMm');
        forbid('fragmentsMm');
        const into = v.nonEmptyString(o.coalescedInto, `${path}.coalescedInto`, "required with status 'coalesced'");
        if (into === undefined) return;
        if (into === id) v.problem(`${path}.coalescedInto`, `target lesion '${id}' cannot coalesce into itself`);
        else if (!targetIds.has(into)) v.problem(`${path}.coalescedInto`, `unknown target lesion '${into}'`);
        out.push({ id, status, coalescedInto: into });
        return;
      }
      default:
        return assertNever(status);
    }
  });
  // Primer 3: every baseline target gets a reading at every assessed timepoint ('not_evaluated' if need be).
  for (const id of targetIds) {
    if (!seen.has(id)) v.problem(`${fp}.targets`, `missing baseline target lesion '${id}' (use status 'not_evaluated')`);
  }
  // Primer 3, coalesced: the merged mass is measured once, on one of the targets.
  const byId = new Map(out.map((r) => [r.id, r]));
  out.forEach((r) => {
    if (r.status !== 'coalesced') return;
    const host = byId.get(r.coalescedInto);
    if (host && host.status !== 'measured' && host.status !== 'split' && host.status !== 'too_small') {
      const i = raw.findIndex((x) => (x as { id?: unknown })?.id === r.id);
      v.problem(
        `${fp}.targets[${i}].coalescedInto`,
        `target lesion '${r.coalescedInto}' must carry the merged measurement (status measured, split or too_small), not '${host.status}'`,
      );
    }
  });
  return out;
}

function readNonTargetReadings(
  v: Reader,
  raw: unknown[],
  fp: string,
  nonTargetIds: ReadonlySet<string>,
): NonTargetReadingInput[] {
  const seen = new Set<string>();
  const out: NonTargetReadingInput[] = [];
  raw.forEach((t, i) => {
    const path = `${fp}.nonTargets[${i}]`;
    const o = v.object(t, path, ['id', 'status', 'increasedSincePrevious']);
    if (!o) return;
    const id = v.nonEmptyString(o.id, `${path}.id`);
    if (id !== undefined) {
      if (!nonTargetIds.has(id)) v.problem(`${path}.id`, `unknown non-target lesion '${id}'`);
      else if (seen.has(id)) v.problem(`${path}.id`, `non-target lesion '${id}' is listed twice`);
      seen.add(id);
    }
    const status = v.oneOf(o.status, `${path}.status`, NON_TARGET_STATUSES);
    const inc =
      o.increasedSincePrevious === undefined ? undefined : v.boolean(o.increasedSincePrevious, `${path}.increasedSincePrevious`);
    if (inc === true && (status === 'absent' || status === 'not_evaluated')) {
      v.problem(`${path}.increasedSincePrevious`, `cannot be true with status '${status}'`);
    }
    if (id === undefined || status === undefined) return;
    out.push({ id, status, ...(inc !== undefined && { increasedSincePrevious: inc }) });
  });
  for (const id of nonTargetIds) {
    if (!seen.has(id)) v.problem(`${fp}.nonTargets`, `missing baseline non-target lesion '${id}' (use status 'not_evaluated')`);
  }
  return out;
}

function readNewLesions(
  v: Reader,
  raw: unknown[],
  fp: string,
  known: Map<string, { organ: string; nodal: boolean; irecistType: string; firstPath: string }>,
  targetIds: ReadonlySet<string>,
  nonTargetIds: ReadonlySet<string>,
): ValidatedNewLesionReading[] {
  const seen = new Set<string>();
  const out: ValidatedNewLesionReading[] = [];
  raw.forEach((t, i) => {
    const path = `${fp}.newLesions[${i}]`;
    const o = v.object(t, path, [
      'id',
      'organ',
      'nodal',
      'irecistType',
      'status',
      'diameterMm',
      'increasedSincePrevious',
      'unequivocalProgression',
    ]);
    if (!o) return;
    const id = v.nonEmptyString(o.id, `${path}.id`);
    if (id !== undefined) {
      if (targetIds.has(id) || nonTargetIds.has(id)) v.problem(`${path}.id`, `'${id}' is a baseline lesion id, not a new lesion`);
      else if (seen.has(id)) v.problem(`${path}.id`, `new lesion '${id}' is listed twice`);
      seen.add(id);
    }
    const irecistType = v.oneOf(o.irecistType, `${path}.irecistType`, NEW_LESION_TYPES);
    const status = v.oneOf(o.status, `${path}.status`, NEW_LESION_STATUSES);
    const organIn = o.organ === undefined ? undefined : v.nonEmptyString(o.organ, `${path}.organ`);
    const nodalIn = o.nodal === undefined ? undefined : v.boolean(o.nodal, `${path}.nodal`);
    const inc =
      o.increasedSincePrevious === undefined ? undefined : v.boolean(o.increasedSincePrevious, `${path}.increasedSincePrevious`);
    const uneq =
      o.unequivocalProgression === undefined ? undefined : v.boolean(o.unequivocalProgression, `${path}.unequivocalProgression`);
    let diameterMm: number | undefined;
    if (irecistType === 'NLT') {
      // Primer 9.2: new target lesions are measured; the NLT sum is kept apart from the target sum.
      if (o.increasedSincePrevious !== undefined) v.problem(`${path}.increasedSincePrevious`, 'only for NLNT (an NLT is measured)');
      if (o.unequivocalProgression !== undefined) v.problem(`${path}.unequivocalProgression`, 'only for NLNT (an NLT is measured)');
      if (status === 'present') diameterMm = v.positiveNumber(o.diameterMm, `${path}.diameterMm`, 'required for a present NLT');
      else if (o.diameterMm !== undefined) v.problem(`${path}.diameterMm`, `not allowed with status '${status}'`);
    } else if (irecistType === 'NLNT') {
      if (o.diameterMm !== undefined) v.problem(`${path}.diameterMm`, 'an NLNT is not measured (only NLT carry diameterMm)');
      if ((inc === true || uneq === true) && status !== 'present') {
        v.problem(`${path}.${inc === true ? 'increasedSincePrevious' : 'unequivocalProgression'}`, `cannot be true with status '${status}'`);
      }
    }
    if (id === undefined || irecistType === undefined || status === undefined) return;

    const prior = known.get(id);
    let organ: string | undefined = organIn;
    let nodal: boolean | undefined = nodalIn;
    if (!prior) {
      // First appearance: a lesion appearing now (primer 9.2: an id not seen before is new now).
      if (status !== 'present') v.problem(`${path}.status`, `new lesion '${id}' must be 'present' when it first appears`);
      if (organ === undefined) v.problem(`${path}.organ`, `required when new lesion '${id}' first appears`);
      if (nodal === undefined) v.problem(`${path}.nodal`, `required when new lesion '${id}' first appears`);
      if (inc === true) v.problem(`${path}.increasedSincePrevious`, `new lesion '${id}' cannot have increased when it first appears`);
      if (uneq === true) v.problem(`${path}.unequivocalProgression`, `new lesion '${id}' cannot have progressed when it first appears`);
      if (organ !== undefined && nodal !== undefined) known.set(id, { organ, nodal, irecistType, firstPath: path });
    } else {
      if (organ !== undefined && organ !== prior.organ)
        v.problem(`${path}.organ`, `new lesion '${id}' was '${prior.organ}' at ${prior.firstPath}`);
      if (nodal !== undefined && nodal !== prior.nodal)
        v.problem(`${path}.nodal`, `new lesion '${id}' was nodal=${prior.nodal} at ${prior.firstPath}`);
      if (irecistType !== prior.irecistType)
        v.problem(`${path}.irecistType`, `new lesion '${id}' was designated ${prior.irecistType} at ${prior.firstPath}`);
      organ = prior.organ;
      nodal = prior.nodal;
    }
    if (organ === undefined || nodal === undefined) return;
    out.push({
      id,
      organ,
      nodal,
      irecistType,
      status,
      firstAppearance: !prior,
      ...(diameterMm !== undefined && { diameterMm }),
      ...(inc !== undefined && { increasedSincePrevious: inc }),
      ...(uneq !== undefined && { unequivocalProgression: uneq }),
    });
  });
  // The issue's contract: a new lesion is listed at every assessed timepoint after it first appears.
  for (const [id, k] of known) {
    if (!seen.has(id) && k.firstPath.startsWith(`${fp}.`) === false) {
      v.problem(`${fp}.newLesions`, `missing new lesion '${id}' first recorded at ${k.firstPath} (use status 'not_evaluated' or 'absent')`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// a small typed reader that records problems with their paths

class Reader {
  constructor(private readonly problems: InputProblem[]) {}

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  object(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.problem(path, `must be an object${value === undefined ? ' (missing)' : ''}`);
      return undefined;
    }
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) this.problem(path ? `${path}.${key}` : key, 'unknown field');
    }
    return o;
  }

  array(value: unknown, path: string, missing = 'must be an array'): unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.problem(path, value === undefined ? missing : 'must be an array');
      return undefined;
    }
    return value;
  }

  nonEmptyString(value: unknown, path: string, missing = 'required'): string | undefined {
    if (value === undefined) {
      this.problem(path, missing);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(path, 'must be a non-empty string');
      return undefined;
    }
    return value;
  }

  optionalString(o: Record<string, unknown>, key: string, path: string): string | undefined {
    if (o[key] === undefined) return undefined;
    return this.nonEmptyString(o[key], path ? `${path}.${key}` : key);
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.problem(path, value === undefined ? 'required (true or false)' : 'must be true or false');
      return undefined;
    }
    return value;
  }

  integer(value: unknown, path: string, min: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      this.problem(path, `must be an integer >= ${min}`);
      return undefined;
    }
    return value;
  }

  positiveNumber(value: unknown, path: string, missing = 'required'): number | undefined {
    if (value === undefined) {
      this.problem(path, missing);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.problem(path, `must be a number of millimetres > 0, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  nonNegativeNumber(value: unknown, path: string, missing = 'required'): number | undefined {
    if (value === undefined) {
      this.problem(path, missing);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.problem(path, `must be a number of millimetres >= 0, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      const got = value === undefined ? 'missing' : `'${String(value)}'`;
      this.problem(path, `${value === undefined ? 'required' : 'unknown value ' + got}; expected one of ${allowed.join(', ')}`);
      return undefined;
    }
    return value as T;
  }

  isoDate(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || toDayNumber(value) === undefined) {
      this.problem(path, value === undefined ? 'required (YYYY-MM-DD)' : `not an ISO calendar date (YYYY-MM-DD): ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }
}

