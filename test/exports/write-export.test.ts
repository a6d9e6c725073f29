import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { ExportInput } from '../../src/exports/sdtm/assessment.js';
import { type ExportResult, assertDownloadable, writeExport } from '../../src/exports/write-export.js';
import { smallTrial } from './fixtures/trial.js';
import { pandasUnavailableReason, readXptWithPandas } from './pandas-reader.js';

const DATA_FILES = ['tu.xpt', 'tr.xpt', 'rs.xpt', 'define.xml', 'tu.csv', 'tr.csv', 'rs.csv', 'conformance.json'];
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function exportTo(input: ExportInput, generatedAt: string): Promise<{ dir: string; result: ExportResult }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'corelab-export-'));
  const result = await writeExport(input, {
    dir,
    generatedAt: new Date(generatedAt),
    generatedBy: 'biostat@example.org',
    platformVersion: '0.1.0',
  });
  return { dir, result };
}

describe('writeExport: three subjects, two readers, one adjudication', () => {
  let first: { dir: string; result: ExportResult };
  let second: { dir: string; result: ExportResult };
  beforeAll(async () => {
    first = await exportTo(smallTrial(), '2024-08-02T10:00:00Z');
    second = await exportTo(smallTrial(), '2024-09-15T17:45:12Z');
  });

  it('passes its conformance check with no findings', () => {
    expect(first.result.findings).toEqual([]);
    expect(first.result.manifest.status).toBe('passed');
    expect(() => assertDownloadable(first.result.manifest)).not.toThrow();
  });

  it('writes every file and lists each in the manifest with its size and SHA-256', () => {
    const names = first.result.manifest.files.map((f) => f.name);
    expect(names.sort()).toEqual([...DATA_FILES, 'tumor-response.xlsx'].sort());
    expect(readdirSync(first.dir).sort()).toEqual([...names, 'manifest.json'].sort());
    for (const f of first.result.manifest.files) {
      const full = path.join(first.dir, f.name);
      expect(f.sha256).toBe(sha256(full));
      expect(f.sizeBytes).toBe(readFileSync(full).length);
    }
    const manifest = JSON.parse(readFileSync(path.join(first.dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ status: 'passed', platformVersion: '0.1.0', generatedBy: 'biostat@example.org', parameters: { studyId: 'ONC-IMG-01', cutoff: '2024-08-01', subjects: 3 } });
  });

  it('gives byte-identical data files for the same data and cut-off; only the manifest and workbook change', () => {
    for (const name of DATA_FILES) {
      expect(Buffer.compare(readFileSync(path.join(first.dir, name)), readFileSync(path.join(second.dir, name))), name).toBe(0);
    }
    const a = first.result.manifest;
    const b = second.result.manifest;
    expect(a.generatedAt).not.toBe(b.generatedAt);
    expect(a.files.filter((f) => f.role !== 'workbook')).toEqual(b.files.filter((f) => f.role !== 'workbook'));
  });

  it('writes CSV with the same rows, columns and values as the XPT', () => {
    for (const d of ['TU', 'TR', 'RS'] as const) {
      const ds = first.result.datasets![d];
      const lines = readFileSync(path.join(first.dir, `${d.toLowerCase()}.csv`), 'utf8').split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines[0]).toBe(ds.variables.map((v) => v.name).join(','));
      expect(lines.length - 2).toBe(ds.rows.length);
      ds.rows.forEach((r, i) => {
        // no value in this trial contains a comma or quote, so splitting is exact
        const cells = lines[i + 1].split(',');
        expect(cells).toEqual(ds.variables.map((v) => (r[v.name] === null ? '' : String(r[v.name]))));
      });
    }
  });

  it('writes a workbook with cover, domain sheets, summary and agreement; text stays text', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(first.dir, 'tumor-response.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Cover', 'TU', 'TR', 'RS', 'Response summary', 'Reader agreement']);
    const cover = wb.getWorksheet('Cover')!;
    const coverText = cover.getSheetValues().flat().map(String).join('|');
    expect(coverText).toContain('ONC-IMG-01');
    expect(coverText).toContain('2024-08-02T10:00:00.000Z');
    expect(coverText).toContain(first.result.manifest.files.find((f) => f.name === 'tr.xpt')!.sha256);
    const tr = wb.getWorksheet('TR')!;
    expect(tr.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(tr.autoFilter).toBeTruthy();
    const header = (tr.getRow(1).values as unknown[]).slice(1);
    const ds = first.result.datasets!.TR;
    expect(header).toEqual(ds.variables.map((v) => v.name));
    const dtcCol = header.indexOf('TRDTC') + 1;
    const nCol = header.indexOf('TRSTRESN') + 1;
    expect(tr.getRow(2).getCell(dtcCol).value).toBe(ds.rows[0].TRDTC);
    expect(typeof tr.getRow(2).getCell(dtcCol).value).toBe('string');
    expect(tr.getRow(2).getCell(nCol).value).toBe(ds.rows[0].TRSTRESN);
    expect(tr.rowCount).toBe(ds.rows.length + 1);
    expect(tr.getColumn(dtcCol).width).toBeGreaterThanOrEqual(10);
    const agreement = wb.getWorksheet('Reader agreement')!;
    const agreementText = agreement.getSheetValues().flat().map(String).join('|');
    expect(agreementText).toContain('ONC-IMG-01-101-0001'); // reader 1 PR vs reader 2 PD at week 16
  });

  const noPandas = pandasUnavailableReason();
  if (noPandas) console.log(`skipping pandas read-back of the export: ${noPandas}`);
  it.skipIf(noPandas !== undefined).each(['TU', 'TR', 'RS'] as const)('pandas read_sas reads %s back row by row', (d) => {
    const ds = first.result.datasets![d];
    const p = readXptWithPandas(path.join(first.dir, `${d.toLowerCase()}.xpt`));
    expect(p.member).toEqual({ name: d, label: ds.label });
    expect(p.fields.map((f) => [f.name, f.label, f.ntype, f.length])).toEqual(ds.variables.map((v) => [v.name, v.label, v.type === 'Num' ? 'numeric' : 'char', v.length]));
    expect(p.rows.length).toBe(ds.rows.length);
    p.rows.forEach((row, i) => {
      expect(row, `${d} row ${i + 1}`).toEqual(ds.variables.map((v) => ds.rows[i][v.name] ?? null));
    });
  });

  it.skipIf(noPandas !== undefined)('define.xml parses with an independent XML parser and lists the three datasets', () => {
    const script = [
      'import sys, xml.etree.ElementTree as E',
      'ns = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.0"}',
      'root = E.parse(sys.argv[1]).getroot()',
      'groups = root.findall("odm:Study/odm:MetaDataVersion/odm:ItemGroupDef", ns)',
      'print(" ".join(g.get("Name") + ":" + str(len(g.findall("odm:ItemRef", ns))) for g in groups))',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script, path.join(first.dir, 'define.xml')], { encoding: 'utf8' }).trim();
    const ds = first.result.datasets!;
    expect(out).toBe(`TU:${ds.TU.variables.length} TR:${ds.TR.variables.length} RS:${ds.RS.variables.length}`);
  });

  it.skipIf(noPandas !== undefined)('pandas sees the values the primer prescribes', () => {
    const tr = readXptWithPandas(path.join(first.dir, 'tr.xpt'));
    const col = (n: string) => tr.columns.indexOf(n);
    const find = (subject: string, link: string, visit: number, testcd = 'LDIAM') =>
      tr.rows.find((r) => r[col('USUBJID')] === subject && r[col('TRLNKID')] === link && r[col('VISITNUM')] === visit && r[col('TRTESTCD')] === testcd)!;
    const s2 = 'ONC-IMG-01-101-0002';
    const tooSmall = find(s2, 'R1-T01', 2);
    expect([tooSmall[col('TRORRES')], tooSmall[col('TRSTRESC')], tooSmall[col('TRSTRESN')], tooSmall[col('TRSTRESU')]]).toEqual(['TOO SMALL TO MEASURE', '5', 5, 'mm']);
    const gone = find(s2, 'R1-T01', 3);
    expect([gone[col('TRORRES')], gone[col('TRSTRESN')]]).toEqual(['0', 0]);
    const notDone = find(s2, 'R2-T01', 2);
    expect([notDone[col('TRSTAT')], notDone[col('TRREASND')], notDone[col('TRORRES')], notDone[col('TRSTRESN')]]).toEqual(['NOT DONE', 'SCAN NOT PERFORMED', null, null]);
    const fragment = find(s2, 'R1-T02.2', 3);
    expect(fragment[col('TRSTRESN')]).toBe(8);
    const baselineT1 = find(s2, 'R2-T01', 1);
    expect([baselineT1[col('TRORRES')], baselineT1[col('TRSTRESN')]]).toEqual(['26.4', 26.4]);
    const rs = readXptWithPandas(path.join(first.dir, 'rs.xpt'));
    const rc = (n: string) => rs.columns.indexOf(n);
    const irecist = rs.rows.filter((r) => r[rc('RSCAT')] === 'iRECIST');
    const overall = irecist.filter((r) => r[rc('RSTESTCD')] === 'OVRLRESP' || r[rc('RSTESTCD')] === 'BESTRESP').map((r) => r[rc('RSSTRESC')]);
    expect(new Set(overall)).toEqual(new Set(['iPR', 'iUPD', 'NE']));
    // category records repeat with i-prefixed, mixed-case values (primer 3.7, 2.4)
    const categories = irecist.filter((r) => r[rc('RSTESTCD')] === 'TRGRESP' || r[rc('RSTESTCD')] === 'NTRGRESP').map((r) => r[rc('RSSTRESC')]);
    expect(new Set(categories)).toEqual(new Set(['iPR', 'NON-iCR/NON-iUPD', 'NE']));
  });
});

describe('a failing export is marked failed and cannot be downloaded', () => {
  it('reports the findings when a required value is missing', async () => {
    const input = smallTrial();
    const broken: ExportInput = {
      ...input,
      subjects: input.subjects.map((s, i) => (i === 0 ? { ...s, assessments: s.assessments.map((a) => ({ ...a, locations: { ...a.locations, T2: undefined as never } })) } : s)),
    };
    const { result } = await exportTo(broken, '2024-08-02T10:00:00Z');
    expect(result.manifest.status).toBe('failed');
    expect(result.findings.some((f) => f.code === 'REQUIRED_VALUE_NULL' && f.variable === 'TULOC')).toBe(true);
    expect(() => assertDownloadable(result.manifest)).toThrow(DomainError);
  });

  it('reports a builder failure instead of throwing', async () => {
    const input = smallTrial();
    const broken: ExportInput = { ...input, subjects: [{ ...input.subjects[0], visits: input.subjects[0].visits.filter((v) => v.timepointLabel !== 'TP2') }] };
    const { result } = await exportTo(broken, '2024-08-02T10:00:00Z');
    expect(result.manifest.status).toBe('failed');
    expect(result.findings.map((f) => f.code)).toEqual(['BUILD_FAILED']);
  });

  it('fails the build when the response engine rejects a read (the export writes what the engine reads)', async () => {
    const input = smallTrial();
    const broken: ExportInput = {
      ...input,
      subjects: input.subjects.map((s, i) => (i === 0 ? { ...s, assessments: s.assessments.map((a, j) => (j === 0 ? { ...a, input: { ...a.input, protocol: { confirmation: false } as never } } : a)) } : s)),
    };
    const { result } = await exportTo(broken, '2024-08-02T10:00:00Z');
    expect(result.manifest.status).toBe('failed');
    expect(result.findings.map((f) => [f.code, f.message])).toEqual([['BUILD_FAILED', 'ONC-IMG-01-101-0002 RADIOLOGIST 1: protocol.confirmation: must be an object']]);
  });

  it('rejects a cut-off that is not ISO 8601 before writing anything', async () => {
    const input = smallTrial();
    await expect(exportTo({ ...input, study: { ...input.study, cutoff: '01/08/2024' } }, '2024-08-02T10:00:00Z')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses a non-ASCII value as a finding, not as corrupt bytes', async () => {
    const input = smallTrial();
    const broken: ExportInput = { ...input, study: { ...input.study, readingCentre: 'Zentrum f\u00fcr Bildgebung' } };
    const { result } = await exportTo(broken, '2024-08-02T10:00:00Z');
    expect(result.manifest.status).toBe('failed');
    expect(result.findings.filter((f) => f.code === 'XPT_WRITE_FAILED').map((f) => f.domain)).toEqual(['TU', 'TR', 'RS']);
  });
});
