// The demo trial's ground truth: per subject, lesions whose true diameters evolve across visits (shrink, grow,
// disappear, appear), and the scripted readers' measurements of them (true size + N(0, 1.5 mm) reader noise; on
// every third subject reader 2 reads follow-ups larger, sees small new lesions late and calls scars too small to
// measure, so the readers' responses differ and the charter's adjudication triggers fire). Pure and deterministic from the seed: no I/O, no clock.
import type { NewLesionEntry, NonTargetEntry, ReadContent, TargetEntry } from '../domain/reading/read-content.js';

export const DEMO_VISITS = [
  { code: 'BASELINE', visitNum: 1, label: 'Baseline', dayOffset: 0 },
  { code: 'TP1', visitNum: 2, label: 'Week 8', dayOffset: 56 },
  { code: 'TP2', visitNum: 3, label: 'Week 16', dayOffset: 112 },
  { code: 'TP3', visitNum: 4, label: 'Week 24', dayOffset: 168 },
] as const;

export const DEMO_PATTERNS = ['responder', 'progressor', 'new-lesion', 'stable', 'complete-response'] as const;
export type DemoPattern = (typeof DEMO_PATTERNS)[number];

export interface DemoLesion {
  id: string;
  organ: string;
  location: string;
  nodal: boolean;
  /** centre in patient coordinates of the synthetic series (mm) */
  centerMm: [number, number, number];
  /** true diameter at each visit (0: absent); a lesion absent at baseline and present later is new */
  trueMm: number[];
  /** measurable at baseline and chosen as target (RECIST 1.1: >= 10 mm), else followed as non-target */
  role: 'target' | 'non-target' | 'new';
}

export interface DemoSubject {
  code: string;
  pattern: DemoPattern;
  /** reader 2 reads follow-ups larger than reader 1 (discordant course) */
  discordant: boolean;
  lesions: DemoLesion[];
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box-Muller) from a uniform source. */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Where lesions sit in the synthetic body (x, y in mm from the image centre; z along the 40-slice stack). */
const SITES = [
  { organ: 'liver', location: 'right hepatic lobe', nodal: false, center: [55, 35, 90] as [number, number, number] },
  { organ: 'lung', location: 'left lower lobe', nodal: false, center: [-60, -10, 60] as [number, number, number] },
  { organ: 'lung', location: 'right upper lobe', nodal: false, center: [62, -20, 130] as [number, number, number] },
  { organ: 'lymph node', location: 'mediastinal', nodal: true, center: [0, -25, 110] as [number, number, number] },
];

export function demoSubjects(count: number, seed = 20261122): DemoSubject[] {
  const rand = mulberry32(seed);
  const out: DemoSubject[] = [];
  for (let i = 0; i < count; i++) {
    const pattern = DEMO_PATTERNS[i % DEMO_PATTERNS.length];
    const size = () => round1(14 + rand() * 16); // 14-30 mm at baseline
    const t1 = size();
    const t2 = size();
    const node = round1(16 + rand() * 6); // short axis, pathological (>= 15 mm)
    const course = (start: number, f: number[]) => f.map((x) => (x === 0 ? 0 : round1(start * x)));
    let lesions: DemoLesion[];
    switch (pattern) {
      case 'responder':
        lesions = [
          { ...site(0), id: 'L1', trueMm: course(t1, [1, 0.62, 0.55, 0.5]), role: 'target' },
          { ...site(1), id: 'L2', trueMm: course(t2, [1, 0.65, 0.5, 0]), role: 'target' },
          { ...site(2), id: 'L3', trueMm: [7, 7, 6, 6], role: 'non-target' },
        ];
        break;
      case 'progressor':
        lesions = [
          { ...site(0), id: 'L1', trueMm: course(t1, [1, 1.1, 1.35, 1.5]), role: 'target' },
          { ...site(3), id: 'L2', trueMm: course(node, [1, 1.05, 1.3, 1.45]), role: 'target' },
        ];
        break;
      case 'new-lesion':
        lesions = [
          { ...site(0), id: 'L1', trueMm: course(t1, [1, 0.9, 0.85, 0.85]), role: 'target' },
          { ...site(1), id: 'L2', trueMm: course(t2, [1, 0.95, 0.9, 0.9]), role: 'target' },
          { ...site(2), id: 'L3', trueMm: [0, 0, 12, 16], role: 'new' },
        ];
        break;
      case 'stable':
        lesions = [
          { ...site(1), id: 'L1', trueMm: course(t1, [1, 0.95, 1.02, 0.97]), role: 'target' },
          { ...site(3), id: 'L2', trueMm: course(node, [1, 1, 0.96, 1]), role: 'target' },
          { ...site(0), id: 'L3', trueMm: [8, 8, 8, 8], role: 'non-target' },
        ];
        break;
      case 'complete-response':
        lesions = [
          { ...site(0), id: 'L1', trueMm: course(t1, [1, 0.5, 0, 0]), role: 'target' },
          { ...site(2), id: 'L2', trueMm: course(t2, [1, 0.45, 0, 0]), role: 'target' },
        ];
        break;
    }
    // Every third subject is read discordantly (reader 2 reads follow-ups about 25 % larger).
    out.push({ code: `DEMO-${String(i + 1).padStart(4, '0')}`, pattern, discordant: i % 3 === 1, lesions });
  }
  return out;
}

function site(k: number) {
  const s = SITES[k];
  return { organ: s.organ, location: s.location, nodal: s.nodal, centerMm: s.center };
}

/** One scripted reader's reading of one visit: what they enter through the reading API. */
export function scriptedRead(subject: DemoSubject, visitIndex: number, readerNo: 1 | 2, rand: () => number): ReadContent {
  const bias = readerNo === 2 && subject.discordant && visitIndex > 0 ? 1.25 : 1;
  const measure = (trueMm: number) => Math.max(1, round1(trueMm * bias + 1.5 * gaussian(rand)));
  const manual = (mm: number) => ({ finalMm: mm, decision: 'manual' as const });
  const targets = subject.lesions.filter((l) => l.role === 'target');
  const nonTargets = subject.lesions.filter((l) => l.role === 'non-target');
  if (visitIndex === 0) {
    return {
      imaging: { modality: 'CT', sliceThicknessMm: 5 },
      targets: targets.map((l): TargetEntry => ({ id: l.id, organ: l.organ, location: l.location, nodal: l.nodal, measurement: manual(measure(l.trueMm[0])) })),
      nonTargets: nonTargets.map((l): NonTargetEntry => ({ id: l.id, organ: l.organ, location: l.location, nodal: l.nodal })),
    };
  }
  // The discordant reader 2 sees a new lesion only once it reaches 14 mm, and calls a vanished target's scar
  // "too small to measure" rather than gone: the two readers then differ in progression date or best response.
  const misses = readerNo === 2 && subject.discordant;
  const seen = (mm: number) => mm > 0 && (!misses || mm >= 14);
  const newLesions: NewLesionEntry[] = subject.lesions
    .filter((l) => l.role === 'new' && l.trueMm.slice(0, visitIndex + 1).some(seen))
    .map((l) => {
      const mm = l.trueMm[visitIndex];
      return mm > 0
        ? { id: l.id, organ: l.organ, location: l.location, nodal: l.nodal, irecistType: 'NLT' as const, status: 'present' as const, measurement: manual(measure(mm)) }
        : { id: l.id, organ: l.organ, location: l.location, nodal: l.nodal, irecistType: 'NLT' as const, status: 'absent' as const };
    });
  return {
    targets: targets.map((l): TargetEntry => {
      const mm = l.trueMm[visitIndex];
      if (mm === 0) return misses ? { id: l.id, status: 'too_small' } : { id: l.id, status: 'disappeared' };
      return { id: l.id, status: 'measured', measurement: manual(measure(mm)) };
    }),
    nonTargets: nonTargets.map((l): NonTargetEntry => ({ id: l.id, status: l.trueMm[visitIndex] > 0 ? 'present' : 'absent' })),
    newLesions,
  };
}

/** The lesions visible in the series of one visit (for the synthetic CT). */
export function visibleLesions(subject: DemoSubject, visitIndex: number): Array<{ centerMm: [number, number, number]; diameterMm: number }> {
  return subject.lesions.filter((l) => l.trueMm[visitIndex] > 0).map((l) => ({ centerMm: l.centerMm, diameterMm: l.trueMm[visitIndex] }));
}
