import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INVALID_RESPONSE_INPUT_TYPE, responseEvaluate } from './response-evaluate.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/response/', import.meta.url));
const inputs = readdirSync(FIXTURES).filter((f) => f.endsWith('.input.json')).sort();
const read = (name: string) => readFileSync(`${FIXTURES}${name}`, 'utf8');

describe('corelab response evaluate: the fixtures other teams use', () => {
  it('has the fixture set, the issue example among them', () => {
    expect(inputs).toContain('issue-example.input.json');
    expect(inputs.length).toBeGreaterThanOrEqual(6);
  });

  it.each(inputs)('%s gives its expected output', (file) => {
    const base = file.replace('.input.json', '');
    const r = responseEvaluate(read(file));
    const files = readdirSync(FIXTURES);
    if (files.includes(`${base}.expected.json`)) {
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(read(`${base}.expected.json`)));
    } else {
      expect(r.stdout).toBe('');
      expect(r.exitCode).toBe(2);
      expect(JSON.parse(r.stderr)).toEqual(JSON.parse(read(`${base}.expected-error.json`)));
    }
  });
});

describe('corelab response evaluate: output contract', () => {
  it('prints the fields named by the issue (the minimum shape)', () => {
    const out = JSON.parse(responseEvaluate(read('issue-example.input.json')).stdout);
    expect(out.baseline).toMatchObject({ valid: true, violations: [], sumMm: 32 });
    expect(out.timepoints[0]).toMatchObject({ label: 'TP1' });
    expect(Object.keys(out.timepoints[0].recist11)).toEqual(
      expect.arrayContaining(['target', 'nonTarget', 'newLesions', 'overall', 'targetSumMm', 'nadirMm', 'explanation', 'percentChangeFromBaseline', 'percentChangeFromNadir']),
    );
    expect(Object.keys(out.timepoints[0].irecist)).toEqual(expect.arrayContaining(['overall', 'explanation']));
    expect(out.bestOverallResponse).toMatchObject({ recist11: 'PD', irecist: 'iUPD', recist11Date: '2024-02-19' });
    expect(out.dates.recist11).toEqual({ firstResponseDate: null, progressionDate: '2024-02-19', bestOverallResponseDate: '2024-02-19' });
    expect(out.irecist.episodes[0]).toMatchObject({ openedAt: 'TP1', triggers: ['newLesion'], outcome: 'open' });
    expect(out.irecist.icpd).toEqual({ confirmed: false, confirmedAt: null, confirmedOn: null, progressionDate: null });
  });
});

describe('corelab response evaluate: invalid input exits 2 with problem+json on stderr', () => {
  it.each([
    ['malformed JSON', '{"baseline": ', 'input is not valid JSON'],
    ['empty input', '', 'input is not valid JSON'],
    ['not an object', '[1, 2]', 'must be an object'],
    ['unknown lesion', JSON.stringify({ baseline: { date: '2024-01-08', targets: [{ id: 'T1', organ: 'liver', nodal: false, diameterMm: 32 }], nonTargets: [] }, followups: [{ label: 'TP1', date: '2024-02-19', targets: [{ id: 'T9', status: 'disappeared' }] }] }), "followups[0].targets[0].id: unknown target lesion 'T9'"],
  ])('%s', (_name, text, detail) => {
    const r = responseEvaluate(text);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    const problem = JSON.parse(r.stderr);
    expect(problem).toMatchObject({ type: INVALID_RESPONSE_INPUT_TYPE, title: 'Invalid response input', status: 422 });
    expect(problem.detail).toContain(detail);
    expect(Array.isArray(problem.errors)).toBe(true);
  });
});
