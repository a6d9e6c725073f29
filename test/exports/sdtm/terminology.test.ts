// The RS / METHOD terminology maps exactly the response engine's value sets (src/domain/response/response-values.ts):
// every engine value has a CT term, distinct values stay distinct, and the codelists hold nothing the engine
// cannot produce. (A value added to the engine fails to compile in terminology.ts; this checks the mapping.)
import { describe, expect, it } from 'vitest';
import {
  IRECIST_RESPONSES,
  MEASUREMENT_METHODS,
  NON_TARGET_RESPONSES,
  OVERALL_RESPONSES,
  TARGET_RESPONSES,
} from '../../../src/domain/response/index.js';
import {
  CODELISTS,
  IRECIST_RESULTS,
  RECIST_RESULTS,
  RS_REASONS_NOT_DONE,
  irecistOverallResult,
  isCodelistTerm,
  methodOfModality,
  nonTargetResponseOutcome,
  recistOverallResult,
  rsOutcomeText,
  targetResponseOutcome,
} from '../../../src/exports/sdtm/terminology.js';

describe('engine responses -> RSSTRESC (C96785)', () => {
  it.each(TARGET_RESPONSES.map((r) => [r, targetResponseOutcome(r)] as const))('target %s', (r, o) => {
    if (r === 'NA') expect(o).toEqual({ kind: 'not-done', reason: RS_REASONS_NOT_DONE.noTargets });
    else expect(o).toEqual({ kind: 'result', value: r });
  });
  it.each(NON_TARGET_RESPONSES.map((r) => [r, nonTargetResponseOutcome(r)] as const))('non-target %s', (r, o) => {
    if (r === 'NA') expect(o).toEqual({ kind: 'not-done', reason: RS_REASONS_NOT_DONE.noNonTargets });
    else expect(o.kind === 'result' && isCodelistTerm('ONCRSR_RECIST', o.value)).toBe(true);
  });
  it('maps NON_CR_NON_PD and NON_iCR_NON_iUPD to the CT spellings, iRECIST in mixed case', () => {
    expect(nonTargetResponseOutcome('NON_CR_NON_PD')).toEqual({ kind: 'result', value: 'NON-CR/NON-PD' });
    expect(recistOverallResult('NON_CR_NON_PD')).toBe('NON-CR/NON-PD');
    expect(irecistOverallResult('NON_iCR_NON_iUPD')).toBe('NON-iCR/NON-iUPD');
    expect(IRECIST_RESPONSES.map(irecistOverallResult)).toEqual(['iCR', 'iPR', 'iSD', 'NON-iCR/NON-iUPD', 'iUPD', 'iCPD', 'NE']);
  });
  it('maps every overall response one to one onto exactly the codelist terms', () => {
    expect(new Set(OVERALL_RESPONSES.map(recistOverallResult))).toEqual(new Set(RECIST_RESULTS));
    expect(RECIST_RESULTS.length).toBe(OVERALL_RESPONSES.length);
    expect(new Set(IRECIST_RESPONSES.map(irecistOverallResult))).toEqual(new Set(IRECIST_RESULTS));
    expect(IRECIST_RESULTS.length).toBe(IRECIST_RESPONSES.length);
    expect(CODELISTS.ONCRSR_RECIST.terms).toBe(RECIST_RESULTS);
    expect(CODELISTS.ONCRSR_IRECIST.terms).toBe(IRECIST_RESULTS);
  });
  it('writes a NOT DONE outcome with its reason for comparison with RS rows', () => {
    expect(rsOutcomeText(targetResponseOutcome('NA'))).toBe('NOT DONE (Subject does not have target tumors)');
    expect(rsOutcomeText(targetResponseOutcome('PR'))).toBe('PR');
  });
});

describe('engine measurement method -> METHOD (C85492)', () => {
  it.each(MEASUREMENT_METHODS.map((m) => [m, methodOfModality(m)] as const))('%s -> %s', (_m, term) => {
    expect(isCodelistTerm('METHOD', term)).toBe(true);
  });
  it('gives distinct terms', () => {
    expect(new Set(MEASUREMENT_METHODS.map(methodOfModality)).size).toBe(MEASUREMENT_METHODS.length);
  });
});
