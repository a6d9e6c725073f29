// Property tests (fast-check) of invariants the rules must keep whatever the measurements.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateSubjectResponse } from './evaluate-subject-response.js';
import type { NewLesionReadingInput, SubjectResponseInput } from './response-input.js';
import type { IrecistResponse, OverallResponse, TargetResponse } from './response-values.js';
import { buildSubject, type TargetSpec, type TimepointSpec } from './subject-builder.js';
import { assessTargets, measureTargets } from './target-lesions.js';

const RUNS = { numRuns: 300, seed: 20240108 }; // fixed seed: failures reproduce

const tenthMm = (min: number, max: number) => fc.integer({ min: min * 10, max: max * 10 }).map((t) => t / 10);

const targetSpecArb: fc.Arbitrary<TargetSpec> = fc.oneof(
  { weight: 8, arbitrary: tenthMm(0, 120) },
  { weight: 1, arbitrary: fc.constant('too_small' as const) },
  { weight: 1, arbitrary: fc.constant('disappeared' as const) },
  { weight: 1, arbitrary: fc.constant('not_evaluated' as const) },
);

interface Generated {
  readonly input: SubjectResponseInput;
}

const subjectArb: fc.Arbitrary<Generated> = fc
  .record({
    targets: fc.array(fc.record({ nodal: fc.boolean(), size: tenthMm(10, 100) }), { minLength: 0, maxLength: 5 }),
    nonTargets: fc.array(fc.boolean(), { minLength: 0, maxLength: 2 }),
    confirmation: fc.boolean(),
    sticky: fc.boolean(),
    reappearance: fc.boolean(),
    resetMode: fc.constantFrom('requires_target_shrinkage' as const, 'never' as const, 'always' as const),
    timepoints: fc.array(
      fc.record({
        gap: fc.integer({ min: 7, max: 90 }),
        assessed: fc.integer({ min: 0, max: 9 }).map((x) => x > 0),
        targets: fc.array(targetSpecArb, { minLength: 5, maxLength: 5 }),
        nt: fc.array(fc.constantFrom('present' as const, 'absent' as const, 'unequivocal_progression' as const, 'not_evaluated' as const), { minLength: 2, maxLength: 2 }),
        ntIncreased: fc.boolean(),
        newLesion: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
        nlSize: tenthMm(10, 40),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .filter((g) => g.targets.length + g.nonTargets.length > 0)
  .map((g) => {
    let day = 0;
    const known: string[] = [];
    const tps: TimepointSpec[] = g.timepoints.map((tp, k) => {
      day += tp.gap;
      if (!tp.assessed) return { day, assessed: false };
      if (tp.newLesion) known.push(`N${k + 1}`);
      const newLesions: NewLesionReadingInput[] = known.map((id) => ({ id, organ: 'lung', nodal: false, irecistType: 'NLT', status: 'present', diameterMm: tp.nlSize }));
      return { day, targets: tp.targets.slice(0, g.targets.length), nt: tp.nt.slice(0, g.nonTargets.length), ntIncreased: tp.ntIncreased, newLesions };
    });
    const input = buildSubject({
      criteria: ['RECIST1.1', 'iRECIST'],
      targets: g.targets.map((t) => (t.nodal ? { nodal: true, organ: 'lymph_node', diameterMm: Math.max(t.size, 15) } : t.size)),
      nonTargets: g.nonTargets.map((nodal) => ({ nodal, organ: nodal ? 'lymph_node' : 'bone' })),
      timepoints: tps,
      protocol: {
        confirmation: { required: g.confirmation },
        prPersistence: g.sticky ? 'sticky' : 'strict',
        pdOnReappearanceAfterCR: g.reappearance,
        irecist: { resetWithPersistingNewLesions: g.resetMode },
      },
    });
    return { input };
  });

const TARGET_RANK: Record<Exclude<TargetResponse, 'NE' | 'NA'>, number> = { CR: 3, PR: 2, SD: 1, PD: 0 };
const OVERALL_RANK: Record<OverallResponse, number> = { CR: 5, PR: 4, SD: 3, NON_CR_NON_PD: 3, NE: 2, PD: 0 };
const IRECIST_RANK: Record<IrecistResponse, number> = { iCR: 6, iPR: 5, iSD: 4, NON_iCR_NON_iUPD: 4, NE: 3, iUPD: 1, iCPD: 0 };

describe('response engine invariants', () => {
  it('shrinking every target never worsens the target response', () => {
    const lesions = fc.array(fc.record({ nodal: fc.boolean(), base: fc.integer({ min: 100, max: 1000 }), now: fc.integer({ min: 0, max: 1500 }), shrinkBy: fc.integer({ min: 0, max: 1500 }) }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(lesions, fc.integer({ min: 0, max: 100 }), (ls, nadirPercent) => {
        const targets = ls.map((l, i) => ({ id: `T${i + 1}`, organ: l.nodal ? 'lymph_node' : `o${i}`, nodal: l.nodal, diameterMm: l.base / 10 }));
        const baselineTenths = ls.reduce((s, l) => s + l.base, 0);
        const nadir = { tenths: Math.floor((baselineTenths * nadirPercent) / 100), at: 'TP0' };
        const before = ls.map((l, i) => ({ id: `T${i + 1}`, status: 'measured' as const, diameterMm: l.now / 10 }));
        const after = ls.map((l, i) => ({ id: `T${i + 1}`, status: 'measured' as const, diameterMm: Math.max(0, l.now - l.shrinkBy) / 10 }));
        const r1 = assessTargets(measureTargets(targets, before), baselineTenths, nadir).response;
        const r2 = assessTargets(measureTargets(targets, after), baselineTenths, nadir).response;
        expect(TARGET_RANK[r2 as keyof typeof TARGET_RANK]).toBeGreaterThanOrEqual(TARGET_RANK[r1 as keyof typeof TARGET_RANK]);
      }),
      RUNS,
    );
  });

  it('adding a new lesion never improves the overall response (RECIST 1.1 and iRECIST)', () => {
    fc.assert(
      fc.property(subjectArb, fc.nat(), ({ input }, pick) => {
        const assessedIdx = input.followups.map((f, i) => (f.assessed === false ? -1 : i)).filter((i) => i >= 0);
        fc.pre(assessedIdx.length > 0);
        const k = assessedIdx[pick % assessedIdx.length];
        const extra: NewLesionReadingInput = { id: 'NX', organ: 'brain', nodal: false, irecistType: 'NLNT', status: 'present' };
        const withNew: SubjectResponseInput = {
          ...input,
          followups: input.followups.map((f, i) => (i >= k && f.assessed !== false ? { ...f, newLesions: [...(f.newLesions ?? []), extra] } : f)),
        };
        const a = evaluateSubjectResponse(input).timepoints[k];
        const b = evaluateSubjectResponse(withNew).timepoints[k];
        if (a.recist11 && b.recist11) expect(OVERALL_RANK[b.recist11.overall]).toBeLessThanOrEqual(OVERALL_RANK[a.recist11.overall]);
        if (a.recist11) expect(b.recist11?.overall).toBe('PD');
        if (a.irecist && b.irecist) expect(IRECIST_RANK[b.irecist.overall]).toBeLessThanOrEqual(IRECIST_RANK[a.irecist.overall]);
      }),
      RUNS,
    );
  });

  it('the nadir never exceeds the baseline sum, and PD is always >= 5 mm over it', () => {
    fc.assert(
      fc.property(subjectArb, ({ input }) => {
        const e = evaluateSubjectResponse(input);
        for (const tp of e.timepoints) {
          for (const r of [tp.recist11, tp.irecist]) {
            if (!r || r.nadirMm === null) continue;
            expect(r.nadirMm).toBeLessThanOrEqual(e.baseline.sumMm);
            if (r.target === 'PD') expect((r.targetSumMm ?? 0) - r.nadirMm).toBeGreaterThanOrEqual(5 - 1e-9);
          }
        }
      }),
      RUNS,
    );
  });

  it('RECIST 1.1 stops at its first PD, and until then iRECIST agrees with it (primer 9)', () => {
    const same: Record<OverallResponse, IrecistResponse> = { CR: 'iCR', PR: 'iPR', SD: 'iSD', NON_CR_NON_PD: 'NON_iCR_NON_iUPD', NE: 'NE', PD: 'iUPD' };
    fc.assert(
      fc.property(subjectArb, ({ input }) => {
        const e = evaluateSubjectResponse(input);
        const firstPd = e.timepoints.findIndex((t) => t.recist11?.overall === 'PD');
        e.timepoints.forEach((t, i) => {
          if (firstPd >= 0 && i > firstPd) expect(t.recist11).toBeNull();
          else {
            expect(t.recist11).not.toBeNull();
            expect(t.irecist?.overall).toBe(same[t.recist11!.overall]);
          }
        });
      }),
      RUNS,
    );
  });

  it('is deterministic and does not modify its input', () => {
    fc.assert(
      fc.property(subjectArb, ({ input }) => {
        const copy = structuredClone(input);
        const a = JSON.stringify(evaluateSubjectResponse(input));
        expect(input).toEqual(copy);
        expect(JSON.stringify(evaluateSubjectResponse(copy))).toBe(a);
      }),
      { ...RUNS, numRuns: 100 },
    );
  });

  it('every response carries an explanation that names its timepoint', () => {
    fc.assert(
      fc.property(subjectArb, ({ input }) => {
        for (const tp of evaluateSubjectResponse(input).timepoints) {
          if (tp.recist11) expect(tp.recist11.explanation).toContain(tp.label);
          if (tp.irecist) expect(tp.irecist.explanation).toContain(tp.label);
        }
      }),
      { ...RUNS, numRuns: 100 },
    );
  });
});
