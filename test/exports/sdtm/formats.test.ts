import { describe, expect, it } from 'vitest';
import { csvField } from '../../../src/exports/csv.js';
import { cohensKappa } from '../../../src/exports/reader-agreement.js';
import { cutoffInstant, isIsoDate, studyDay } from '../../../src/exports/sdtm/iso-date.js';
import { formatNumber, percentChangeTenths, roundHalfAway, toTenths } from '../../../src/exports/sdtm/result-format.js';
import { formatXptDatetime, isXptDatetime } from '../../../src/exports/xpt/layout.js';

describe('ISO 8601 dates and study days (SDTMIG 4.4)', () => {
  it.each([
    ['2024-01-10', true], ['2024-02-29', true], ['2023-02-29', false], ['2024-13-01', false], ['2024-04-31', false],
    ['2024-01-10T09:30', true], ['2024-01-10T24:00', false], ['2024-1-10', false], ['10/01/2024', false], ['', false],
  ])('%s valid: %s', (text, ok) => expect(isIsoDate(text)).toBe(ok));

  it.each([
    ['2024-01-15', '2024-01-15', 1], ['2024-01-14', '2024-01-15', -1], ['2024-01-10', '2024-01-15', -5],
    ['2024-03-06', '2024-01-15', 52], ['2024-05-01', '2024-01-15', 108],
  ])('study day of %s with RFSTDTC %s is %d (no day 0)', (dtc, rf, dy) => expect(studyDay(dtc, rf)).toBe(dy));

  it('reads a date-only cut-off as UTC midnight', () => {
    expect(cutoffInstant('2024-08-01').toISOString()).toBe('2024-08-01T00:00:00.000Z');
    expect(cutoffInstant('2024-08-01T12:30:00Z').toISOString()).toBe('2024-08-01T12:30:00.000Z');
    expect(() => cutoffInstant('01/08/2024')).toThrow(RangeError);
  });
});

describe('numeric results at 0.1 precision', () => {
  it.each([[0.05, 1], [-0.05, -1], [0.04, 0], [-21.35, -214], [32, 320]])('toTenths(%p) = %p', (x, t) => expect(toTenths(x)).toBe(t));
  it.each([[-0, '0'], [0, '0'], [32, '32'], [-21.3, '-21.3'], [12.5, '12.5']])('formatNumber(%p) = %s', (x, s) => expect(formatNumber(x)).toBe(s));
  it('rounds halves away from zero and percent changes exactly', () => {
    expect([roundHalfAway(2.5), roundHalfAway(-2.5), roundHalfAway(-0.4)]).toEqual([3, -3, 0]);
    expect(percentChangeTenths(370, 470)).toBe(-213); // worked example: -21.3 %
    expect(percentChangeTenths(300, 320)).toBe(-63); // -6.25 % -> -6.3 %
  });
});

describe('CSV fields (RFC 4180)', () => {
  it.each([
    [null, ''], [-21.3, '-21.3'], [-0, '0'], ['PRESENT', 'PRESENT'], ['a,b', '"a,b"'], ['say "x"', '"say ""x"""'], ['two\nlines', '"two\nlines"'], [' lead', '" lead"'],
  ] as const)('%p -> %s', (value, text) => expect(csvField(value)).toBe(text));
});

describe("Cohen's kappa", () => {
  it('is 1 for perfect agreement with several categories, 0 at chance, null with one category', () => {
    expect(cohensKappa([['PR', 'PR'], ['SD', 'SD'], ['PD', 'PD']])).toBe(1);
    expect(cohensKappa([['PR', 'PR'], ['PR', 'SD'], ['SD', 'PR'], ['SD', 'SD']])).toBe(0);
    expect(cohensKappa([['PR', 'PR'], ['PR', 'PR']])).toBeNull();
    expect(cohensKappa([])).toBeNull();
  });
  it('matches a hand computation', () => {
    // po = 0.7; pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.4
    const pairs: [string, string][] = [...Array(4).fill(['PR', 'PR']), ...Array(1).fill(['PR', 'SD']), ...Array(2).fill(['SD', 'PR']), ...Array(3).fill(['SD', 'SD'])];
    expect(cohensKappa(pairs)).toBeCloseTo(0.4, 12);
  });
});

describe('XPT header datetimes', () => {
  it('formats ddMMMyy:hh:mm:ss in UTC and validates calendar days', () => {
    expect(formatXptDatetime(new Date(Date.UTC(2024, 5, 3, 9, 30, 0)))).toBe('03JUN24:09:30:00');
    expect(isXptDatetime('03JUN24:09:30:00')).toBe(true);
    expect(isXptDatetime('30FEB24:09:30:00')).toBe(false);
    expect(isXptDatetime('03Jun24:09:30:00')).toBe(false);
    expect(isXptDatetime('03JUN24:24:00:00')).toBe(false);
  });
});
