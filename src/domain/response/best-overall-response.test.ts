import { describe, expect, it } from 'vitest';
import { irecistBestOverallResponse, recist11BestOverallResponse } from './best-overall-response.js';
import { evaluateSubjectResponse } from './evaluate-subject-response.js';
import type { ResponseAt, ResponseLevel } from './response-confirmation.js';
import { withDefaultResponseOptions, type PartialResponseOptions } from './response-options.js';
import type { IrecistResponse, OverallResponse } from './response-values.js';
import { buildSubject, isoPlusDays } from './subject-builder.js';

const REF = '2024-01-01';
const REF_DAY = Date.UTC(2024, 0, 1) / 86_400_000;
const sd = { referenceDay: REF_DAY, referenceDate: REF, minDays: 42 };

/** 'CR@42' -> CR at day 42 after the reference. */
function seq(...items: string[]): ResponseAt[] {
  return items.map((s, i) => {
    const [level, day] = s.split('@');
    return { label: `TP${i + 1}`, date: isoPlusDays(REF, Number(day)), day: REF_DAY + Number(day), level: level as ResponseLevel };
  });
}
const confirmed = (extra: PartialResponseOptions = {}) => withDefaultResponseOptions({ ...extra, confirmation: { required: true, ...extra.confirmation } });
const unconfirmed = (extra: PartialResponseOptions = {}) => withDefaultResponseOptions({ ...extra, confirmation: { required: false, ...extra.confirmation } });

describe('RECIST 1.1 Table 3: BOR when confirmation is required (every row)', () => {
  it.each<[string, string[], OverallResponse]>([
    ['CR, CR >= 28 days -> CR', ['CR@42', 'CR@70'], 'CR'],
    ['CR, CR 27 days later is not confirmation (min SD met) -> SD', ['CR@42', 'CR@69'], 'SD'],
    ['CR, PR, min SD met -> SD', ['CR@42', 'PR@84'], 'SD'],
    ['CR, PR, min SD not met -> PD (footnote)', ['CR@28', 'PR@56'], 'PD'],
    ['CR, SD, min SD met -> SD', ['CR@42', 'SD@84'], 'SD'],
    ['CR, SD, min SD not met -> PD (footnote)', ['CR@28', 'SD@56'], 'PD'],
    ['CR, PD, min SD met -> SD', ['CR@42', 'PD@84'], 'SD'],
    ['CR, PD, min SD not met -> PD', ['CR@28', 'PD@56'], 'PD'],
    ['CR, NE, min SD met -> SD', ['CR@42', 'NE@84'], 'SD'],
    ['CR, NE, min SD not met -> NE', ['CR@28', 'NE@56'], 'NE'],
    ['PR, CR -> PR', ['PR@42', 'CR@84'], 'PR'],
    ['PR, PR -> PR', ['PR@42', 'PR@84'], 'PR'],
    ['PR, SD -> SD', ['PR@42', 'SD@84'], 'SD'],
    ['PR, PD, min SD met -> SD', ['PR@42', 'PD@84'], 'SD'],
    ['PR, PD, min SD not met -> PD', ['PR@28', 'PD@56'], 'PD'],
    ['PR, NE, min SD met -> SD', ['PR@42', 'NE@84'], 'SD'],
    ['PR, NE, min SD not met -> NE', ['PR@28', 'NE@56'], 'NE'],
    ['NE, NE -> NE', ['NE@42', 'NE@84'], 'NE'],
  ])('%s', (_name, items, bor) => {
    expect(recist11BestOverallResponse(seq(...items), confirmed(), sd, true).response).toBe(bor);
  });

  it('PR then CR gives PR unless the CR is itself confirmed', () => {
    expect(recist11BestOverallResponse(seq('PR@42', 'CR@84'), confirmed(), sd, true).response).toBe('PR');
    expect(recist11BestOverallResponse(seq('PR@42', 'CR@84', 'CR@126'), confirmed(), sd, true).response).toBe('CR');
  });

  it('responses too early to confirm do not break the chain: CR, CR (+14 d), CR (+28 d) -> CR', () => {
    expect(recist11BestOverallResponse(seq('CR@42', 'CR@56', 'CR@70'), confirmed(), sd, true).response).toBe('CR');
  });

  it('confirmation minDays is inclusive (28 days confirms, 27 does not)', () => {
    expect(recist11BestOverallResponse(seq('PR@42', 'PR@70'), confirmed(), sd, true).response).toBe('PR');
    expect(recist11BestOverallResponse(seq('PR@42', 'PR@69'), confirmed(), sd, true).response).toBe('SD');
  });

  it('non-target-only disease: the SD level is non-CR/non-PD', () => {
    expect(recist11BestOverallResponse(seq('CR@42', 'NON_CR_NON_PD@84'), confirmed(), sd, false).response).toBe('NON_CR_NON_PD');
    expect(recist11BestOverallResponse(seq('NON_CR_NON_PD@42'), confirmed(), sd, false).response).toBe('NON_CR_NON_PD');
  });

  it('dates: BOR date is the first confirmed response, first response date likewise, progression the first PD', () => {
    const r = recist11BestOverallResponse(seq('SD@42', 'PR@84', 'PR@126', 'PD@168'), confirmed(), sd, true);
    expect(r).toMatchObject({ response: 'PR', date: isoPlusDays(REF, 84), firstResponseDate: isoPlusDays(REF, 84), progressionDate: isoPlusDays(REF, 168) });
    expect(r.explanation).toBe('PR at TP2 confirmed by PR at TP3, 42 days later (>= 28)');
  });
});

describe('primer 8.2: BOR without confirmation', () => {
  it.each<[string, string[], OverallResponse]>([
    ["the paper's example SD, PR, PD -> PR", ['SD@42', 'PR@84', 'PD@126'], 'PR'],
    ['a single CR -> CR', ['SD@42', 'CR@84'], 'CR'],
    ['SD at day 42 meets 42 days (inclusive)', ['SD@42'], 'SD'],
    ['SD at day 41 then PD -> PD', ['SD@41', 'PD@84'], 'PD'],
    ['SD at day 41 then NE -> NE', ['SD@41', 'NE@84'], 'NE'],
    ['SD early, SD late -> SD', ['SD@20', 'SD@60'], 'SD'],
    ['PD first -> PD', ['PD@42'], 'PD'],
    ['no assessment -> NE', [], 'NE'],
  ])('%s', (_name, items, bor) => {
    expect(recist11BestOverallResponse(seq(...items), unconfirmed(), sd, true).response).toBe(bor);
  });

  it('the SD reference date is the protocol option: treatment start given per subject', () => {
    const subject = buildSubject({ targets: [30], timepoints: [{ day: 40, targets: [28] }], protocol: { confirmation: { required: false }, sdReferenceDate: '2023-12-30' } });
    // 40 days after the 2024-01-01 baseline is 42 days after 2023-12-30.
    const e = evaluateSubjectResponse(subject);
    expect(e.sdReference).toEqual({ date: '2023-12-30', source: 'sdReferenceDate' });
    expect(e.bestOverallResponse.recist11).toBe('SD');
    const byScan = evaluateSubjectResponse({ ...subject, protocol: { ...subject.protocol, sdDurationReference: 'baseline_scan' } });
    expect(byScan.sdReference.source).toBe('baseline_scan');
    expect(byScan.bestOverallResponse.recist11).toBe('NE');
  });
});

describe('primer 8.3 / 13.5: what may lie between a response and its confirmation', () => {
  it.each<[string, string[], PartialResponseOptions, OverallResponse]>([
    ['one NE allowed by default', ['PR@42', 'NE@56', 'PR@84'], {}, 'PR'],
    ['two NE exceed the default', ['PR@42', 'NE@56', 'NE@70', 'PR@84'], {}, 'SD'],
    ['two NE with maxInterveningNE 2', ['PR@42', 'NE@56', 'NE@70', 'PR@84'], { confirmation: { required: true, maxInterveningNE: 2 } }, 'PR'],
    ['no NE with maxInterveningNE 0', ['PR@42', 'NE@56', 'PR@84'], { confirmation: { required: true, maxInterveningNE: 0 } }, 'SD'],
    ['PR, SD, PR does not confirm by default', ['PR@42', 'SD@56', 'PR@84'], {}, 'SD'],
    ['PR, SD, PR confirms with acceptInterveningSD', ['PR@42', 'SD@56', 'PR@84'], { confirmation: { required: true, acceptInterveningSD: true } }, 'PR'],
    ['CR, SD, CR never confirms a CR', ['CR@42', 'SD@56', 'CR@84'], { confirmation: { required: true, acceptInterveningSD: true } }, 'SD'],
  ])('%s', (_name, items, options, bor) => {
    expect(recist11BestOverallResponse(seq(...items), confirmed(options), sd, true).response).toBe(bor);
  });
});

describe('primer 9.8: iBOR', () => {
  const ibor = (items: string[], options = unconfirmed()) => irecistBestOverallResponse(seq(...items), options, sd, true).response;
  // The paper's examples, which assume no confirmation of response.
  it.each<[string[], IrecistResponse]>([
    [['CR@42', 'CR@84', 'UPD@126', 'PD@168'], 'iCR'],
    [['UPD@42', 'PR@84', 'CR@126', 'CR@168'], 'iCR'],
    [['UPD@42', 'PR@84', 'PR@126'], 'iPR'],
    [['UPD@42', 'SD@84', 'SD@126'], 'iSD'],
    [['UPD@42', 'PD@84'], 'iCPD'],
    [['UPD@42', 'UPD@56', 'PD@84'], 'iCPD'],
    [['UPD@42', 'NE@84', 'NE@126', 'NE@168'], 'iUPD'],
    [['NE@42'], 'NE'],
    [['SD@20', 'UPD@42', 'PD@84'], 'iCPD'], // SD too early does not count
  ])('%j -> %s', (items, bor) => expect(ibor(items)).toBe(bor));

  it('with confirmation: iPR, iPR confirms; iUPD in between breaks it (13.11) unless the option says otherwise', () => {
    expect(ibor(['PR@42', 'PR@84'], confirmed())).toBe('iPR');
    expect(ibor(['PR@42', 'UPD@56', 'PR@84'], confirmed())).toBe('iSD');
    expect(ibor(['PR@42', 'UPD@56', 'PR@84'], confirmed({ irecist: { iupdBreaksConfirmation: false } }))).toBe('iPR');
  });

  it('non-target-only disease: the SD level is non-iCR/non-iUPD', () => {
    expect(irecistBestOverallResponse(seq('NON_CR_NON_PD@42'), unconfirmed(), sd, false).response).toBe('NON_iCR_NON_iUPD');
  });
});
