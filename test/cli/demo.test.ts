// `corelab demo --out DIR --subjects 2` as a child process, the way a newcomer runs it: the files of the data cut,
// a manifest that passed the platform's conformance check, read reports and the printed summary with checksums;
// the measurements in TR are the synthetic lesions' true sizes plus reader noise. Then `corelab export` on the
// demo's data folder gives the same data files for the same cut-off (P11-CPY-02).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_VISITS, demoSubjects } from '../../src/demo/demo-scenario.js';
import { openPlatform } from '../../src/main.js';
import { pandasUnavailableReason, readXptWithPandas } from '../exports/pandas-reader.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/corelab.js');
const pandasMissing = pandasUnavailableReason();
if (pandasMissing) console.log(`demo.test: pandas read-back skipped: ${pandasMissing}`);

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function corelab(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.DATABASE_SCHEMA;
  delete base.CORELAB_SECRET_KEY;
  delete base.DATA_DIR;
  return spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: { ...base, CORELAB_WORKERS: '2', ...env }, encoding: 'utf8', timeout: 300_000 });
}

describe('corelab demo', () => {
  let out: string;
  let run: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'corelab-demo-'));
    run = corelab(['demo', '--out', out, '--subjects', '2']);
  }, 320_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('finishes and writes the data cut, its manifest (passed), the read reports and a summary', () => {
    expect(run.status, `${run.stderr}`).toBe(0);
    for (const f of ['tu.xpt', 'tr.xpt', 'rs.xpt', 'define.xml', 'tu.csv', 'tr.csv', 'rs.csv', 'tumor-response.xlsx', 'conformance.json', 'manifest.json', 'summary.json', 'reports/DEMO-0001.pdf', 'reports/DEMO-0002.pdf']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.status).toBe('passed');
    expect(manifest.findings.errors).toBe(0);
    expect(manifest.parameters).toMatchObject({ studyId: 'DEMO-ONC-001', subjects: 2 });
    for (const f of manifest.files) expect(sha256(path.join(out, f.name)), f.name).toBe(f.sha256);
    expect(JSON.parse(readFileSync(path.join(out, 'conformance.json'), 'utf8')).filter((f: any) => f.severity === 'error')).toEqual([]);
    for (const r of ['DEMO-0001', 'DEMO-0002']) {
      const pdf = readFileSync(path.join(out, 'reports', `${r}.pdf`)).toString('latin1');
      expect(pdf.slice(0, 5)).toBe('%PDF-');
      // the readers measured with the AI: each report carries measured-slice thumbnails (PNG image XObjects)
      expect(pdf.match(/\/Subtype \/Image/g)?.length ?? 0, r).toBeGreaterThan(0);
    }

    const stdout = String(run.stdout);
    expect(stdout).toContain('subjects 2, visits 8, DICOM instances 320');
    expect(stdout).toContain(`reads signed ${2 * 2 * DEMO_VISITS.length}`);
    // the discordant subject is always adjudicated; the responder too when the readers' noise (and the AI proposals
    // they accept within 1.5 mm) puts them on either side of a response threshold at some visit
    expect(stdout).toMatch(/adjudications [1-9]\d* \((1 of 2 subjects, rate 50|2 of 2 subjects, rate 100) %\)/);
    // the readers measured with AI segmentation: a proposal for every measured lesion, each accepted or edited
    expect(stdout).toMatch(/measurements: AI-assisted: [1-9]\d* proposals, \d+ accepted and \d+ edited by the readers/);
    for (const f of manifest.files) expect(stdout).toContain(`${f.sha256}  ${f.name}`);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ subjects: 2, export: { state: 'passed' } });
    expect([1, 2]).toContain(summary.adjudicatedSubjects);
    expect(summary.login.password).toBeUndefined();
    expect(summary.ai.proposals).toBe(summary.ai.accepted + summary.ai.edited);
    expect(summary.ai.propagated).toBeGreaterThan(0);
    expect(summary.ai.found).toBeGreaterThan(0);
  });

  it.skipIf(pandasMissing !== undefined)('RS holds the adjudicator\'s decision on the discordant subject', () => {
    const rs = readXptWithPandas(path.join(out, 'rs.xpt'));
    const col = (n: string) => rs.columns.indexOf(n);
    const adjudicated = new Set(rs.rows.filter((r) => r[col('RSEVAL')] === 'ADJUDICATOR').map((r) => String(r[col('USUBJID')])));
    expect([...adjudicated].some((u) => u.endsWith('DEMO-0002')), [...adjudicated].join(', ')).toBe(true);
  });

  // A TR value is the reader's own measurement (truth + N(0, 1.5 mm)) or an AI proposal the reader accepted because
  // it lay within 1.5 mm of that measurement: the 6 mm bound (4 sigma of the reader noise) is not widened for it.
  it.skipIf(pandasMissing !== undefined)('TR holds the synthetic lesions\' true sizes plus reader noise (|error| < 6 mm, 4 sigma)', () => {
    const tr = readXptWithPandas(path.join(out, 'tr.xpt'));
    const col = (n: string) => tr.columns.indexOf(n);
    const truth = demoSubjects(2);
    let checked = 0;
    for (const r of tr.rows) {
      if (r[col('TRTESTCD')] !== 'LDIAM' && r[col('TRTESTCD')] !== 'LPERP') continue;
      if (r[col('TRGRPID')] !== 'TARGET') continue;
      const subject = truth.find((s) => String(r[col('USUBJID')]).endsWith(s.code))!;
      const visitIndex = DEMO_VISITS.findIndex((v) => v.visitNum === r[col('VISITNUM')]);
      const link = String(r[col('TRLNKID')]);
      const k = Number(link.replace(/^R\d-T/, '')) - 1;
      const lesion = subject.lesions.filter((l) => l.role === 'target')[k];
      const value = Number(r[col('TRSTRESN')]);
      const trueMm = lesion.trueMm[visitIndex];
      // reader 2 of a discordant subject reads follow-ups 25 % larger
      const bias = subject.discordant && link.startsWith('R2') && visitIndex > 0 ? 1.25 : 1;
      if (r[col('TRORRES')] === 'TOO SMALL TO MEASURE' || trueMm === 0) continue;
      expect(Math.abs(value - trueMm * bias), `${r[col('USUBJID')]} ${link} visit ${visitIndex}`).toBeLessThan(6);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('corelab export on the demo\'s data folder gives the same data files for the same cut-off; a bad cut-off exits non-zero', () => {
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const again = path.join(out, 'again');
    const r = corelab(['export', '--trial', 'DEMO-ONC-001', '--cutoff', manifest.parameters.cutoff, '--out', again], { DATA_DIR: path.join(out, 'data'), CORELAB_SCRYPT_LOG_N: '14' });
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['tu.xpt', 'tr.xpt', 'rs.xpt', 'define.xml', 'tu.csv', 'tr.csv', 'rs.csv', 'conformance.json']) {
      expect(sha256(path.join(again, name)), name).toBe(manifest.files.find((f: any) => f.name === name).sha256);
      expect(r.stdout).toContain(`  ${name}`);
    }
    const bad = corelab(['export', '--trial', 'DEMO-ONC-001', '--cutoff', '2026-02-30', '--out', path.join(out, 'bad')], { DATA_DIR: path.join(out, 'data') });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('not a calendar date');
  });

  it('corelab export exits 1 with the findings when the cut fails its conformance check', async () => {
    // A stored response that no longer follows from the measurements: the export's engine check refuses the cut.
    const platform = await openPlatform(loadConfig({ DATA_DIR: path.join(out, 'data'), LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv));
    try {
      const v = await platform.ctx.db.selectFrom('read_versions').selectAll().where('evaluation_json', 'like', '%"recist11":{%').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      const evaluation = JSON.parse(v.evaluation_json!);
      for (const tp of evaluation.engine.timepoints) if (tp.recist11) tp.recist11.overall = tp.recist11.overall === 'CR' ? 'SD' : 'CR';
      await platform.ctx.db.updateTable('read_versions').set({ evaluation_json: JSON.stringify(evaluation) }).where('id', '=', v.id).execute();
    } finally {
      await platform.close();
    }
    const failed = path.join(out, 'failed');
    const r = corelab(['export', '--trial', 'DEMO-ONC-001', '--cutoff', '2099-01-01', '--out', failed], { DATA_DIR: path.join(out, 'data') });
    expect(r.status, r.stdout).toBe(1);
    expect(r.stderr).toMatch(/failed its conformance check \([1-9]\d* errors\)/);
    const findings = r.stderr.trim().split('\n').slice(1).map((l) => JSON.parse(l));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.severity === 'error' && typeof f.code === 'string')).toBe(true);
    expect(existsSync(path.join(failed, 'tu.xpt'))).toBe(false);
  });
});
