// iRECIST over one subject's timepoints (primer section 9): the same categories as RECIST 1.1 against the
// iRECIST nadir (9.1), new lesions followed as NLT / NLNT (9.2), iUPD episodes opened by a first progression (9.3),
// confirmed as iCPD by further growth or by progression newly appearing in another category (9.4), kept open
// across NE (9.5), and kept or reset when not confirmed (9.6).
import { toDayNumber } from './calendar-date.js';
import { baselineSumTenths } from './baseline-check.js';
import { assertNever } from './assert-never.js';
import { checkNewLesionDesignations } from './new-lesion-designation.js';
import { assessCategories, responseEstablished } from './recist11-evaluation.js';
import type { ResponseAt, ResponseLevel } from './response-confirmation.js';
import type { ValidatedFollowup, ValidatedNewLesionReading, ValidatedSubject } from './response-input.js';
import type { IrecistTimepoint, IupdEpisode, NewLesionViolation } from './response-output.js';
import type { IrecistCategory, IrecistResponse, OverallResponse, ReasonCode, ReviewFlag } from './response-values.js';
import type { Nadir } from './target-lesions.js';
import {
  formatMm,
  formatPercent,
  formatSignedMm,
  ICPD_GROWTH_TENTHS,
  meetsProgression,
  percentChange,
  tenthsToMm,
  toTenths,
  type Tenths,
} from './tenths-of-millimetre.js';
import { nextNadir, targetSumFacts } from './timepoint-facts.js';
import { combineRecist11, findReappearance } from './timepoint-response.js';

export interface IrecistRun {
  /** Aligned with the follow-ups; null after the first iCPD. */
  readonly timepoints: readonly (IrecistTimepoint | null)[];
  readonly sequence: readonly ResponseAt[];
  readonly episodes: readonly IupdEpisode[];
  readonly newLesionViolations: readonly NewLesionViolation[];
}

/** The references recorded at an iUPD assessment (primer 9.3). */
interface IupdReferences {
  readonly label: string;
  /** Complete target sum at the iUPD; null when incomplete or no targets. */
  readonly targetTenths: Tenths | null;
  /** Complete NLT sum at the iUPD (0 without NLT); null when an NLT was not evaluated. */
  readonly nltTenths: Tenths | null;
  readonly newLesionCount: number;
}

interface OpenEpisode {
  readonly index: number;
  readonly openedAt: string;
  readonly openedOn: string;
  readonly openedDay: number;
  readonly triggers: readonly IrecistCategory[];
  readonly first: IupdReferences;
  latest: IupdReferences;
}

interface NewLesionFacts {
  readonly appeared: readonly ValidatedNewLesionReading[];
  readonly present: readonly ValidatedNewLesionReading[];
  readonly anyNotEvaluated: boolean;
  readonly hasNlt: boolean;
  /** Sum of the present NLT (a lower bound when an NLT was not evaluated). */
  readonly nltPresentTenths: Tenths;
  readonly nltComplete: boolean;
  readonly nlntIncreased: readonly string[];
  readonly nlntUnequivocal: readonly string[];
}

function newLesionFacts(f: ValidatedFollowup): NewLesionFacts {
  const nlt = f.newLesions.filter((n) => n.irecistType === 'NLT');
  const nlnt = f.newLesions.filter((n) => n.irecistType === 'NLNT');
  return {
    appeared: f.newLesions.filter((n) => n.firstAppearance),
    present: f.newLesions.filter((n) => n.status === 'present'),
    anyNotEvaluated: f.newLesions.some((n) => n.status === 'not_evaluated'),
    hasNlt: nlt.length > 0,
    nltPresentTenths: nlt.reduce((s, n) => s + (n.status === 'present' && n.diameterMm !== undefined ? toTenths(n.diameterMm) : 0), 0),
    nltComplete: nlt.every((n) => n.status !== 'not_evaluated'),
    nlntIncreased: nlnt.filter((n) => n.status === 'present' && n.increasedSincePrevious === true).map((n) => n.id),
    nlntUnequivocal: nlnt.filter((n) => n.status === 'present' && n.unequivocalProgression === true).map((n) => n.id),
  };
}

const TO_IRECIST: Record<Exclude<OverallResponse, 'PD'>, IrecistResponse> = {
  CR: 'iCR',
  PR: 'iPR',
  SD: 'iSD',
  NON_CR_NON_PD: 'NON_iCR_NON_iUPD',
  NE: 'NE',
};

export function irecistLevel(r: IrecistResponse): ResponseLevel {
  switch (r) {
    case 'iCR':
      return 'CR';
    case 'iPR':
      return 'PR';
    case 'iSD':
      return 'SD';
    case 'NON_iCR_NON_iUPD':
      return 'NON_CR_NON_PD';
    case 'iUPD':
      return 'UPD';
    case 'iCPD':
      return 'PD';
    case 'NE':
      return 'NE';
    default:
      return assertNever(r);
  }
}

function episodeState(state: IrecistTimepoint['episode']['state'], ep: OpenEpisode | null): IrecistTimepoint['episode'] {
  return ep
    ? { state, episode: ep.index, openedAt: ep.openedAt, openedOn: ep.openedOn, triggers: ep.triggers }
    : { state: 'none', episode: null, openedAt: null, openedOn: null, triggers: [] };
}

export function evaluateIrecist(subject: ValidatedSubject): IrecistRun {
  const { baseline, options } = subject;
  const io = options.irecist;
  const hasTargets = baseline.targets.length > 0;
  const baselineTenths = hasTargets ? baselineSumTenths(baseline) : null;
  const targetIds = baseline.targets.map((t) => t.id);

  let nadir: Nadir = { tenths: baselineTenths ?? 0, at: 'baseline' }; // primer 9.1 / 13.14: never stops
  let nltNadir: Nadir | null = null; // primer 13.10: smallest NLT sum since the NLT first appeared
  let knownNewLesions = 0;
  let previousEvaluable: { response: IrecistResponse; label: string; targetTenths: Tenths | null } | null = null;
  let episode: OpenEpisode | null = null;
  let stopped = false;
  const episodes: IupdEpisode[] = [];
  const timepoints: (IrecistTimepoint | null)[] = [];
  const sequence: ResponseAt[] = [];

  const closeEpisode = (ep: OpenEpisode, outcome: 'confirmed' | 'reset', f: ValidatedFollowup, confirmedBy: ReasonCode[]) => {
    episodes[ep.index] = {
      ...episodes[ep.index],
      outcome,
      closedAt: f.label,
      closedOn: f.date,
      confirmedBy,
      daysToClosure: (toDayNumber(f.date) as number) - ep.openedDay,
    };
  };

  for (const f of subject.followups) {
    if (stopped) {
      timepoints.push(null); // iBOR stops at the first iCPD (primer 9.8)
      continue;
    }
    const day = toDayNumber(f.date) as number;
    const nadirUsed = hasTargets ? nadir : null;

    if (!f.assessed) {
      // Primer 9.5: NE; an open episode stays open.
      const tp: IrecistTimepoint = {
        ...targetSumFacts(null, baselineTenths, nadirUsed, targetIds),
        target: hasTargets ? 'NE' : 'NA',
        nonTarget: baseline.nonTargets.length > 0 ? 'NE' : 'NA',
        newLesions: false,
        newLesionsAppeared: [],
        newLesionCount: knownNewLesions,
        nltSumMm: null,
        nlntIncreased: false,
        overall: 'NE',
        episode: episodeState('open', episode),
        reasons: episode ? ['NO_IMAGING', 'IUPD_NE_EPISODE_OPEN'] : ['NO_IMAGING'],
        flags: [],
        explanation: `NE: no imaging at ${f.label}` + (episode ? `; iUPD episode from ${episode.openedAt} stays open` : ''),
      };
      timepoints.push(tp);
      sequence.push({ label: f.label, date: f.date, day, level: 'NE' });
      continue;
    }

    const c = assessCategories(subject, f, nadir);
    const nl = newLesionFacts(f);
    const hadNewLesionsBefore = knownNewLesions > 0;
    knownNewLesions += nl.appeared.length;
    const completeTarget = c.measurement?.complete ? c.measurement.sumTenths : null;
    const nltRef: Tenths | null = !nl.hasNlt ? 0 : nl.nltComplete ? nl.nltPresentTenths : null;
    const refsHere: IupdReferences = { label: f.label, targetTenths: completeTarget, nltTenths: nltRef, newLesionCount: knownNewLesions };
    const appearedText = nl.appeared.map((n) => `${n.id} (${n.irecistType}, ${n.organ})`).join(', ');
    const categoryText = `target ${c.target.explanation}; non-target ${c.nonTarget.explanation}`;
    const flags: ReviewFlag[] = [...c.target.flags];

    let overall: IrecistResponse;
    let reasons: ReasonCode[];
    let explanation: string;
    let tpEpisode: IrecistTimepoint['episode'];

    if (episode) {
      const ep: OpenEpisode = episode;
      const days = day - ep.openedDay;
      // Primer 9.4: growth confirms only at least icpdMinDaysAfterIupd (less the protocol tolerance) after the iUPD.
      const lateEnough = days >= io.icpdMinDaysAfterIupd - io.icpdWindowToleranceDays;
      const ref = io.icpdSizeReference === 'first_iupd' ? ep.first : ep.latest;
      const confirm: { reason: ReasonCode; text: string }[] = [];
      const S = c.measurement?.sumTenths ?? null;

      // 1. A category that triggered the iUPD grows further (cumulative from the reference iUPD, primer 13.8).
      if (ep.triggers.includes('target') && S !== null && ref.targetTenths !== null && S - ref.targetTenths >= ICPD_GROWTH_TENTHS) {
        confirm.push({
          reason: 'ICPD_TARGET_PLUS5',
          text: `target sum ${formatMm(S)}${c.measurement?.complete ? '' : ' (partial)'} is ${formatSignedMm(S - ref.targetTenths)} over ${formatMm(ref.targetTenths)} at iUPD ${ref.label} (>= +5 mm)`,
        });
      }
      const ntIncreased = f.nonTargets.filter((r) => r.increasedSincePrevious === true).map((r) => r.id);
      if (ep.triggers.includes('nonTarget') && ntIncreased.length > 0) {
        confirm.push({ reason: 'ICPD_NON_TARGET_INCREASE', text: `non-target ${ntIncreased.join(', ')} increased further` });
      }
      if (ep.triggers.includes('newLesion')) {
        if (ref.nltTenths !== null && nl.nltPresentTenths - ref.nltTenths >= ICPD_GROWTH_TENTHS) {
          confirm.push({
            reason: 'ICPD_NLT_PLUS5',
            text: `NLT sum ${formatMm(nl.nltPresentTenths)} is ${formatSignedMm(nl.nltPresentTenths - ref.nltTenths)} over ${formatMm(ref.nltTenths)} at iUPD ${ref.label} (>= +5 mm)`,
          });
        }
        if (nl.nlntIncreased.length > 0) confirm.push({ reason: 'ICPD_NLNT_INCREASE', text: `NLNT ${nl.nlntIncreased.join(', ')} increased` });
        if (nl.appeared.length > 0) confirm.push({ reason: 'ICPD_NEW_LESION_COUNT', text: `additional new lesion(s) ${appearedText}` });
      }
      // 2. Progression newly appearing in a category that had not progressed (FAQ; primer 13.13).
      if (io.confirmThroughOtherCategory) {
        if (!ep.triggers.includes('newLesion') && nl.appeared.length > 0) {
          confirm.push({ reason: 'ICPD_NEW_LESION_COUNT', text: `new lesion(s) ${appearedText} after a ${ep.triggers.join('/')} iUPD` });
        }
        if (!ep.triggers.includes('target') && c.target.response === 'PD') {
          confirm.push({ reason: 'ICPD_TARGET_NEWLY_PD', text: `targets now meet PD: ${c.target.explanation}` });
        }
        if (!ep.triggers.includes('nonTarget') && c.nonTarget.response === 'PD') {
          confirm.push({ reason: 'ICPD_NON_TARGET_NEWLY_UNEQUIVOCAL', text: `non-targets now ${c.nonTarget.explanation}` });
        }
      }
      // Primer 9.4 / 13.9: an early scan confirms only by an additional new lesion, and only with the override.
      const earlyOverride = !lateEnough && io.earlyScanNewLesionMayConfirm && confirm.some((x) => x.reason === 'ICPD_NEW_LESION_COUNT');
      const timing = `${days} days after iUPD at ${ep.openedAt}`;

      if (confirm.length > 0 && (lateEnough || earlyOverride)) {
        const used = earlyOverride && !lateEnough ? confirm.filter((x) => x.reason === 'ICPD_NEW_LESION_COUNT') : confirm;
        if (days > io.icpdMaxDaysAfterIupd) flags.push('ICPD_CONFIRMATION_LATE');
        overall = 'iCPD';
        reasons = unique(used.map((x) => x.reason));
        explanation =
          `iCPD at ${f.label}, ${timing}` +
          (earlyOverride && !lateEnough ? ` (< ${io.icpdMinDaysAfterIupd}; earlyScanNewLesionMayConfirm)` : '') +
          (days > io.icpdMaxDaysAfterIupd ? ` (later than the recommended ${io.icpdMaxDaysAfterIupd} days: flagged)` : '') +
          `: ${used.map((x) => x.text).join('; ')}`;
        closeEpisode(ep, 'confirmed', f, reasons);
        episode = null;
        tpEpisode = episodeState('confirmed', ep);
        stopped = true;
      } else {
        // Primer 9.6: iUPD persists while progression is still present; otherwise the bar resets.
        const persisting: string[] = [];
        if (c.target.response === 'PD') persisting.push(`target still PD (${c.target.explanation})`);
        if (c.nonTarget.response === 'PD') persisting.push(`non-targets still ${c.nonTarget.explanation}`);
        if (nl.appeared.length > 0) persisting.push(`new lesion(s) ${appearedText}`);
        const oldPresent = nl.present.filter((n) => !n.firstAppearance);
        if (oldPresent.length > 0) {
          const block = persistingNewLesionsBlockReset(subject, c.measurement?.complete ? c.measurement.sumTenths : null, previousEvaluable?.targetTenths ?? null);
          if (block) persisting.push(`new lesion(s) ${oldPresent.map((n) => n.id).join(', ')} still present (${block})`);
        }
        const undecidable =
          (hasTargets && c.target.response === 'NE') ||
          (ep.triggers.includes('nonTarget') && c.nonTarget.response === 'NE') ||
          nl.anyNotEvaluated;

        if (persisting.length > 0) {
          overall = 'iUPD';
          const tooEarly = confirm.length > 0 && !lateEnough;
          reasons = [tooEarly ? 'IUPD_PERSISTS_TOO_EARLY_TO_CONFIRM' : 'IUPD_PERSISTS'];
          explanation =
            `iUPD persists at ${f.label} (episode from ${ep.openedAt}, ${timing}): ${persisting.join('; ')}` +
            (tooEarly ? `; growth (${confirm.map((x) => x.text).join('; ')}) is too early to confirm (< ${io.icpdMinDaysAfterIupd - io.icpdWindowToleranceDays} days)` : '; not confirmed');
          ep.latest = refsHere;
          tpEpisode = episodeState('open', ep);
        } else if (undecidable) {
          overall = 'NE';
          reasons = ['IUPD_NE_EPISODE_OPEN'];
          explanation = `NE at ${f.label}: progression neither confirmed nor excluded (${categoryText}${nl.anyNotEvaluated ? '; a new lesion not evaluated' : ''}); iUPD episode from ${ep.openedAt} stays open`;
          tpEpisode = episodeState('open', ep);
        } else {
          const r = resetResponse(c, nl);
          overall = r.overall;
          reasons = unique(['RESET', ...r.reasons]);
          explanation = `${overall} at ${f.label}: iUPD from ${ep.openedAt} not confirmed and progression no longer present, bar reset; ${categoryText}${r.note}`;
          closeEpisode(ep, 'reset', f, []);
          episode = null;
          tpEpisode = episodeState('reset', ep);
        }
      }
    } else {
      // Primer 9.3: a first progression in any category opens an iUPD episode.
      const triggers: { category: IrecistCategory; reason: ReasonCode; text: string }[] = [];
      if (c.target.response === 'PD') triggers.push({ category: 'target', reason: c.target.reason, text: `target ${c.target.explanation}` });
      if (c.nonTarget.response === 'PD') triggers.push({ category: 'nonTarget', reason: 'NT_UNEQUIVOCAL', text: `non-target ${c.nonTarget.explanation}` });
      if (nl.appeared.length > 0) triggers.push({ category: 'newLesion', reason: 'NEW_LESION', text: `new lesion(s) ${appearedText}` });
      if (hadNewLesionsBefore) {
        // After a reset, recorded new lesions progress in RECIST 1.1 terms (primer 9.3, 13.10).
        if (nltNadir !== null && nl.nltComplete && nl.hasNlt && meetsProgression(nl.nltPresentTenths, nltNadir.tenths)) {
          triggers.push({
            category: 'newLesion',
            reason: 'NEW_LESION_PROGRESSION_AFTER_RESET',
            text: `NLT sum ${formatMm(nl.nltPresentTenths)} is ${formatPercent(percentChange(nltNadir.tenths, nl.nltPresentTenths))} and ${formatSignedMm(nl.nltPresentTenths - nltNadir.tenths)} over NLT nadir ${formatMm(nltNadir.tenths)} at ${nltNadir.at}`,
          });
        }
        if (nl.nlntUnequivocal.length > 0) {
          triggers.push({ category: 'newLesion', reason: 'NEW_LESION_PROGRESSION_AFTER_RESET', text: `unequivocal progression of NLNT ${nl.nlntUnequivocal.join(', ')}` });
        }
      }
      // Primer 6 applies under iRECIST too: reappearance after an iCR is a first progression.
      const reappearance =
        options.pdOnReappearanceAfterCR && previousEvaluable?.response === 'iCR'
          ? findReappearance(c.measurement, baseline.nonTargets, f.nonTargets)
          : null;
      if (reappearance) {
        if (reappearance.inTargets) triggers.push({ category: 'target', reason: 'REAPPEARANCE_AFTER_CR', text: `reappearance after iCR: ${reappearance.evidence.join('; ')}` });
        else triggers.push({ category: 'nonTarget', reason: 'REAPPEARANCE_AFTER_CR', text: `reappearance after iCR: ${reappearance.evidence.join('; ')}` });
        if (reappearance.singleSmallNodeOnly) flags.push('REAPPEARANCE_SINGLE_SMALL_NODE');
      }

      if (triggers.length > 0) {
        const categories = unique(triggers.map((t) => t.category));
        const index = episodes.length;
        episodes.push({
          openedAt: f.label,
          openedOn: f.date,
          triggers: categories,
          references: {
            targetSumMm: completeTarget === null ? null : tenthsToMm(completeTarget),
            nltSumMm: nltRef === null ? null : tenthsToMm(nltRef),
            newLesionCount: knownNewLesions,
          },
          outcome: 'open',
          closedAt: null,
          closedOn: null,
          confirmedBy: [],
          daysToClosure: null,
        });
        episode = { index, openedAt: f.label, openedOn: f.date, openedDay: day, triggers: categories, first: refsHere, latest: refsHere };
        overall = 'iUPD';
        reasons = unique(['IUPD_OPENED', ...triggers.map((t) => t.reason)]);
        explanation = `iUPD at ${f.label} (triggers: ${categories.join(', ')}): ${triggers.map((t) => t.text).join('; ')}; needs confirmation at an assessment >= ${io.icpdMinDaysAfterIupd - io.icpdWindowToleranceDays} days later`;
        tpEpisode = episodeState('open', episode);
      } else {
        const r = resetResponse(c, nl);
        overall = r.overall;
        reasons = r.reasons;
        explanation = `${overall} at ${f.label}: ${categoryText}${r.note}`;
        tpEpisode = episodeState('none', null);
        // Primer 7.4 under iRECIST: with `sticky`, an established iPR continues while the numbers say iSD.
        if (overall === 'iSD' && options.prPersistence === 'sticky') {
          const established = responseEstablished(sequence, subject);
          if (established) {
            overall = 'iPR';
            reasons = unique(['PR_CONTINUING', ...reasons]);
            explanation = `iPR continuing (prPersistence sticky; i${established}) at ${f.label}: ${categoryText}${r.note}`;
          }
        }
      }
    }

    const tp: IrecistTimepoint = {
      ...targetSumFacts(c.measurement, baselineTenths, nadirUsed, targetIds),
      target: c.target.response,
      nonTarget: c.nonTarget.response,
      newLesions: nl.present.length > 0,
      newLesionsAppeared: nl.appeared.map((n) => n.id),
      newLesionCount: knownNewLesions,
      nltSumMm: nl.hasNlt && nl.nltComplete ? tenthsToMm(nl.nltPresentTenths) : null,
      nlntIncreased: nl.nlntIncreased.length > 0,
      overall,
      episode: tpEpisode,
      reasons,
      flags,
      explanation,
    };
    timepoints.push(tp);
    sequence.push({ label: f.label, date: f.date, day, level: irecistLevel(overall) });
    nadir = nextNadir(nadir, c.measurement, f.label); // iUPD and post-RECIST-PD sums count (primer 9.1)
    if (nl.hasNlt && nl.nltComplete && (nltNadir === null || nl.nltPresentTenths < nltNadir.tenths)) {
      nltNadir = { tenths: nl.nltPresentTenths, at: f.label };
    }
    if (overall !== 'NE') previousEvaluable = { response: overall, label: f.label, targetTenths: completeTarget };
  }

  return { timepoints, sequence, episodes, newLesionViolations: checkNewLesionDesignations(subject) };
}

/**
 * Primer 9.6 / 13.7: do previously recorded new lesions that are still present block a reset? Returns the reason
 * they block, or null when they do not.
 */
function persistingNewLesionsBlockReset(
  subject: ValidatedSubject,
  targetTenths: Tenths | null,
  previousTargetTenths: Tenths | null,
): string | null {
  const mode = subject.options.irecist.resetWithPersistingNewLesions;
  switch (mode) {
    case 'always':
      return null;
    case 'never':
      return 'resetWithPersistingNewLesions never';
    case 'requires_target_shrinkage':
      if (targetTenths !== null && previousTargetTenths !== null && targetTenths < previousTargetTenths) return null;
      return targetTenths !== null && previousTargetTenths !== null
        ? `target sum ${formatMm(targetTenths)} not below ${formatMm(previousTargetTenths)} at the previous evaluable assessment`
        : 'no complete target sums to show shrinkage';
    default:
      return assertNever(mode);
  }
}

/** The usual RECIST 1.1 rules without progression (primer 9.6): iCR needs every new lesion gone as well. */
function resetResponse(
  c: ReturnType<typeof assessCategories>,
  nl: NewLesionFacts,
): { overall: IrecistResponse; reasons: ReasonCode[]; note: string } {
  const combined = combineRecist11({ target: c.target.response, nonTarget: c.nonTarget.response, newLesion: false, reappearanceAfterCR: null });
  // Callers have ruled out every PD source; a PD here would be an engine defect.
  if (combined.overall === 'PD') throw new Error('iRECIST reset evaluated with progression present');
  let overall = TO_IRECIST[combined.overall];
  const reasons: ReasonCode[] = unique([combined.reason, c.target.reason, c.nonTarget.reason]);
  let note = '';
  if (overall === 'iCR' && nl.present.length > 0) {
    overall = c.target.response === 'NA' ? 'NON_iCR_NON_iUPD' : 'iPR';
    reasons.unshift('NEW_LESION_STILL_PRESENT');
    note = `; new lesion(s) ${nl.present.map((n) => n.id).join(', ')} still present, so not iCR`;
  } else if (nl.present.length > 0) {
    note = `; recorded new lesion(s) ${nl.present.map((n) => n.id).join(', ')} still present`;
  }
  return { overall, reasons, note };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
