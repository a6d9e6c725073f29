// @req P11-CPY-01 P11-CPY-02 P11-SIG-01 P11-AT-01 SEC-06: a trial with two subjects, two readers and one
// adjudication, read through the API; a biostatistician exports a data cut through the API (durable job, worker
// pool), downloads every file; each XPT is read back with an independent reader (pandas read_sas) and checked row
// by row against the signed read versions in the database; exports, downloads and failures are audited; a failing
// export cannot be downloaded; readers and sponsors never reach exports. The read report PDF shows every
// signature's manifestation and the lesion rows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReadReport } from '../../reports/read-report/render.js';
import { readReportData } from '../../src/services/exports/read-report.js';
import { assignReaders } from '../../src/services/reading/reader-assignment.js';
import { SYSTEM_ACTOR } from '../../src/services/service-context.js';
import type { ReadContent } from '../../src/domain/reading/read-content.js';
import { type PandasXpt, pandasUnavailableReason, readXptWithPandas } from '../exports/pandas-reader.js';
import { type ReadingTrial, STANDARD_VISITS, addSubject, baseline, followup, readIdOf, releaseTimepoint, setupReadingTrial } from '../helpers/reading-fixture.js';
import { DIALECT, TEST_PASSWORD, type TestPlatform, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';

const pandasMissing = pandasUnavailableReason();
if (pandasMissing) console.log(`exports.test: pandas read-back skipped: ${pandasMissing}`);

const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The text an uncompressed pdfkit content stream draws: hex strings of each TJ array, decoded (WinAnsi). */
export function pdfText(pdf: Buffer): string[] {
  const lines: string[] = [];
  for (const m of pdf.toString('latin1').matchAll(/\[((?:<[0-9a-fA-F]*>|\s|-?\d+(?:\.\d+)?)*)\]\s*TJ/g)) {
    lines.push([...m[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1], 'hex').toString('latin1')).join(''));
  }
  return lines;
}

describe(`exports: data cut through the API (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: ReadingTrial;
  let bio: string;
  let sponsor: string;
  let s1: { subjectId: string; timepointIds: string[] };
  let s2: { subjectId: string; timepointIds: string[] };
  let exportId: string;
  const files = new Map<string, Buffer>();
  let outDir: string;
  const call = (token: string, method: string, url: string, body?: unknown) => p.request(method, url, { token, body });

  async function read(subject: { subjectId: string; timepointIds: string[] }, tp: number, no: 1 | 2, content: ReadContent) {
    const user = t.readers[no - 1];
    const id = await readIdOf(p, subject.timepointIds[tp], no);
    const url = `/trials/${t.trialId}/reads/${id}`;
    const saved = await call(t.tokens[user.id], 'PUT', `${url}/draft`, content);
    expect(saved.status, await saved.clone().text()).toBe(200);
    const signed = await call(t.tokens[user.id], 'POST', `${url}/sign`, { password: TEST_PASSWORD });
    expect(signed.status, await signed.clone().text()).toBe(200);
  }

  async function waitForJob(token: string, jobId: string) {
    for (let i = 0; i < 600; i++) {
      const j = await (await call(token, 'GET', `/jobs/${jobId}`)).json();
      if (['succeeded', 'failed', 'cancelled'].includes(j.state)) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('export job did not finish');
  }

  async function runExport(body: Record<string, unknown>) {
    const res = await call(bio, 'POST', `/trials/${t.trialId}/exports`, body);
    expect(res.status, await res.clone().text()).toBe(202);
    const job = await res.json();
    expect(res.headers.get('location')).toBe(`/jobs/${job.id}`);
    const done = await waitForJob(bio, job.id);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    const list = await (await call(bio, 'GET', `/trials/${t.trialId}/exports`)).json();
    const row = list.find((e: any) => e.jobId === job.id);
    return (await call(bio, 'GET', `/trials/${t.trialId}/exports/${row.id}`)).json();
  }

  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true });
    t = await setupReadingTrial(p, { code: 'EXP-1' });
    const b = await seedUser(p, 'bio-exp', { verified: true });
    await grant(p, t.trialId, b.id, 'biostatistician');
    bio = await p.login('bio-exp');
    const sp = await seedUser(p, 'sp-exp');
    await grant(p, t.trialId, sp.id, 'sponsor');
    sponsor = await p.login('sp-exp');
    outDir = mkdtempSync(path.join(os.tmpdir(), 'exports-test-'));

    // Subject 1: concordant partial responses over three visits.
    s1 = await addSubject(p, t, 'S-0001');
    await assignReaders(p.ctx, SYSTEM_ACTOR, t.trialId, s1.subjectId, t.readers.map((u) => u.id));
    for (const tp of s1.timepointIds) await releaseTimepoint(p, tp);
    await read(s1, 0, 1, baseline([['T1', 'liver', 40], ['T2', 'lung', 25]], [['NT1', 'bone']]));
    await read(s1, 0, 2, baseline([['T1', 'liver', 41.5], ['T2', 'lung', 24]], [['NT1', 'bone']]));
    await read(s1, 1, 1, followup([['T1', 24], ['T2', 15]], [['NT1', 'present']]));
    await read(s1, 1, 2, followup([['T1', 25], ['T2', 15.5]], [['NT1', 'present']]));
    await read(s1, 2, 1, followup([['T1', 20], ['T2', 12]], [['NT1', 'present']]));
    await read(s1, 2, 2, followup([['T1', 21], ['T2', 12]], [['NT1', 'present']]));

    // Subject 2: reader 1 sees a partial response, reader 2 stable disease; the adjudicator chooses reader 1.
    s2 = await addSubject(p, t, 'S-0002', STANDARD_VISITS.slice(0, 2));
    await assignReaders(p.ctx, SYSTEM_ACTOR, t.trialId, s2.subjectId, t.readers.map((u) => u.id));
    for (const tp of s2.timepointIds) await releaseTimepoint(p, tp);
    await read(s2, 0, 1, baseline([['T1', 'liver', 50]]));
    await read(s2, 0, 2, baseline([['T1', 'liver', 50]], [['NT1', 'lymph_node']]));
    await read(s2, 1, 1, followup([['T1', 30]]));
    await read(s2, 1, 2, followup([['T1', 45]], [['NT1', 'present']]));
    const adj = await p.ctx.db.selectFrom('adjudications').selectAll().where('subject_id', '=', s2.subjectId).where('state', '=', 'open').executeTakeFirstOrThrow();
    const adjudicator = t.adjudicators.find((u) => u.id === adj.assignee_id)!;
    const decided = await call(t.tokens[adjudicator.id], 'POST', `/trials/${t.trialId}/adjudications/${adj.id}/decision`, { chosenReaderNo: 1, rationale: 'reader 1 measured the whole lesion', cause: 'measurement', password: TEST_PASSWORD });
    expect(decided.status, await decided.clone().text()).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await p?.dispose();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('exports through a durable job; the cut passes its conformance check; every file downloads with its manifest hash', async () => {
    const exp = await runExport({ cutoff: '2024-12-31' });
    expect(exp.findings.filter((f: any) => f.severity === 'error'), JSON.stringify(exp.findings, null, 1)).toEqual([]);
    expect(exp.state).toBe('passed');
    expect(exp.manifest.status).toBe('passed');
    expect(exp.manifest.parameters).toMatchObject({ studyId: 'EXP-1', cutoff: '2024-12-31', subjects: 2 });
    expect(exp.parameters).toEqual({ formats: ['xpt', 'define-xml', 'csv', 'xlsx'], assessments: ['reader1', 'reader2', 'adjudicator'] });
    exportId = exp.id;
    const names = exp.manifest.files.map((f: any) => f.name);
    expect(names).toEqual(expect.arrayContaining(['tu.xpt', 'tr.xpt', 'rs.xpt', 'define.xml', 'tu.csv', 'tr.csv', 'rs.csv', 'conformance.json', 'tumor-response.xlsx']));
    for (const f of exp.manifest.files) {
      const res = await call(bio, 'GET', `/trials/${t.trialId}/exports/${exp.id}/files/${f.name}`);
      expect(res.status, f.name).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(sha256(bytes), f.name).toBe(f.sha256);
      expect(res.headers.get('x-content-sha256')).toBe(f.sha256);
      files.set(f.name, bytes);
      writeFileSync(path.join(outDir, f.name), bytes);
    }
    const manifest = await call(bio, 'GET', `/trials/${t.trialId}/exports/${exp.id}/files/manifest.json`);
    expect(manifest.status).toBe(200);
    expect(JSON.parse(await manifest.text())).toEqual(exp.manifest);
    // Names come only from the manifest (SEC-06): anything else is 404 whatever it encodes.
    for (const bad of ['..%2Fcorelab.sqlite', 'secret.key', '%2Fetc%2Fpasswd', 'tu.xpt%00.csv']) {
      const res = await call(bio, 'GET', `/trials/${t.trialId}/exports/${exp.id}/files/${bad}`);
      expect(res.status, bad).toBe(404);
    }
  });

  describe.skipIf(pandasMissing !== undefined)('read back with pandas read_sas, row by row against the signed reads', () => {
    /** Signed read content per subject code, reader and visit number, straight from the database. */
    async function signedReads() {
      const rows = await p.ctx.db
        .selectFrom('reads')
        .innerJoin('read_versions', (j) => j.onRef('read_versions.read_id', '=', 'reads.id').onRef('read_versions.version', '=', 'reads.current_version'))
        .innerJoin('timepoints', 'timepoints.id', 'reads.timepoint_id')
        .innerJoin('subjects', 'subjects.id', 'reads.subject_id')
        .select(['subjects.subject_code', 'reads.reader_no', 'timepoints.visit_num', 'timepoints.acquired_on', 'read_versions.content_json', 'read_versions.evaluation_json', 'reads.state'])
        .where('reads.trial_id', '=', t.trialId)
        .execute();
      return rows.map((r) => ({ usubjid: `EXP-1-${r.subject_code}`, evalId: `RADIOLOGIST ${r.reader_no}`, readerNo: Number(r.reader_no), visitNum: Number(r.visit_num), date: r.acquired_on, content: JSON.parse(r.content_json) as ReadContent, evaluation: JSON.parse(r.evaluation_json!), state: r.state }));
    }
    const rowsOf = (x: PandasXpt) => x.rows.map((r) => Object.fromEntries(x.columns.map((c, i) => [c, r[i]])) as Record<string, string | number | null>);

    it('TU: one row per baseline lesion and reader, location from the read, scan date from the visit', async () => {
      const tu = rowsOf(readXptWithPandas(path.join(outDir, 'tu.xpt')));
      const reads = (await signedReads()).filter((r) => r.visitNum === 1);
      const expected = reads.flatMap((r) => [
        ...r.content.targets.map((l, i) => ({ USUBJID: r.usubjid, TUEVALID: r.evalId, TULNKID: `R${r.readerNo}-T0${i + 1}`, TUSTRESC: 'TARGET', TULOC: l.organ!.toUpperCase(), TUDTC: r.date, VISITNUM: 1 })),
        ...r.content.nonTargets.map((l, i) => ({ USUBJID: r.usubjid, TUEVALID: r.evalId, TULNKID: `R${r.readerNo}-NT0${i + 1}`, TUSTRESC: 'NON-TARGET', TULOC: l.organ!.toUpperCase().replace('_', ' '), TUDTC: r.date, VISITNUM: 1 })),
      ]);
      const got = tu.map((r) => ({ USUBJID: r.USUBJID, TUEVALID: r.TUEVALID, TULNKID: r.TULNKID, TUSTRESC: r.TUSTRESC, TULOC: r.TULOC, TUDTC: r.TUDTC, VISITNUM: r.VISITNUM }));
      const key = (x: any) => `${x.USUBJID}|${x.TUEVALID}|${x.TULNKID}`;
      expect(got.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))));
      // Acceptance (primer 3.3): subject 2 was adjudicated in favour of reader 1; subject 1 is concordant (reader 1).
      for (const r of tu) expect(r.TUACPTFL, `${r.USUBJID} ${r.TULNKID}`).toBe(r.TUEVALID === 'RADIOLOGIST 1' ? 'Y' : 'N');
      expect(tu.every((r) => r.STUDYID === 'EXP-1' && r.DOMAIN === 'TU' && r.TUEVAL === 'INDEPENDENT ASSESSOR' && r.TUMETHOD === 'CT SCAN')).toBe(true);
    });

    it('TR: every measurement equals the signed read version, and SUMDIAM their sum', async () => {
      const tr = rowsOf(readXptWithPandas(path.join(outDir, 'tr.xpt')));
      const reads = await signedReads();
      let lesionRows = 0;
      for (const r of reads) {
        const baselineRead = reads.find((x) => x.usubjid === r.usubjid && x.readerNo === r.readerNo && x.visitNum === 1)!;
        const mine = tr.filter((x) => x.USUBJID === r.usubjid && x.TREVALID === r.evalId && x.VISITNUM === r.visitNum);
        let sum = 0;
        r.content.targets.forEach((l) => {
          const i = baselineRead.content.targets.findIndex((b) => b.id === l.id);
          const row = mine.find((x) => x.TRLNKID === `R${r.readerNo}-T0${i + 1}` && (x.TRTESTCD === 'LDIAM' || x.TRTESTCD === 'LPERP'));
          expect(row, `${r.usubjid} ${r.evalId} visit ${r.visitNum} ${l.id}`).toBeDefined();
          expect(row!.TRSTRESN).toBe(l.measurement!.finalMm);
          expect(row!.TRORRESU).toBe('mm');
          expect(row!.TRDTC).toBe(r.date);
          sum += l.measurement!.finalMm;
          lesionRows++;
        });
        r.content.nonTargets.forEach((l) => {
          const i = baselineRead.content.nonTargets.findIndex((b) => b.id === l.id);
          const row = mine.find((x) => x.TRLNKID === `R${r.readerNo}-NT0${i + 1}`);
          expect(row!.TRSTRESC).toBe(r.visitNum === 1 ? 'PRESENT' : String(l.status).toUpperCase());
          lesionRows++;
        });
        const sumRow = mine.find((x) => x.TRTESTCD === 'SUMDIAM');
        expect(sumRow!.TRSTRESN, `${r.usubjid} ${r.evalId} visit ${r.visitNum} SUMDIAM`).toBeCloseTo(sum, 6);
      }
      expect(tr.filter((x) => x.TRLNKID !== null)).toHaveLength(lesionRows);
    });

    it('RS: each reader\'s overall and best response as signed; the adjudicator\'s selection is accepted', async () => {
      const rs = rowsOf(readXptWithPandas(path.join(outDir, 'rs.xpt')));
      const reads = await signedReads();
      for (const r of reads.filter((x) => x.visitNum > 1)) {
        const signed = r.evaluation.timepoint.responses.find((x: any) => x.criteria === 'RECIST1.1').effective;
        const row = rs.find((x) => x.USUBJID === r.usubjid && x.RSEVALID === r.evalId && x.VISITNUM === r.visitNum && x.RSTESTCD === 'OVRLRESP' && x.RSCAT === 'RECIST 1.1');
        expect(row?.RSSTRESC, `${r.usubjid} ${r.evalId} visit ${r.visitNum}`).toBe(signed);
      }
      const last = (usubjid: string, no: number) => reads.filter((x) => x.usubjid === usubjid && x.readerNo === no).sort((a, b) => b.visitNum - a.visitNum)[0];
      for (const usubjid of ['EXP-1-S-0001', 'EXP-1-S-0002']) {
        for (const no of [1, 2]) {
          const bor = rs.find((x) => x.USUBJID === usubjid && x.RSEVALID === `RADIOLOGIST ${no}` && x.RSTESTCD === 'BESTRESP' && x.RSCAT === 'RECIST 1.1');
          expect(bor?.RSSTRESC).toBe(last(usubjid, no).evaluation.timepoint.bestOverallResponse['RECIST1.1']);
          expect(bor?.VISITNUM).toBeNull();
        }
      }
      expect(last('EXP-1-S-0002', 1).evaluation.timepoint.bestOverallResponse['RECIST1.1']).toBe('PR');
      expect(last('EXP-1-S-0002', 2).evaluation.timepoint.bestOverallResponse['RECIST1.1']).toBe('SD');
      const adj = rs.filter((x) => x.RSEVAL === 'ADJUDICATOR');
      expect(adj.map((x) => [x.USUBJID, x.RSEVALID, x.RSCAT, x.RSTESTCD, x.VISITNUM, x.RSSTRESC, x.RSACPTFL])).toEqual(
        expect.arrayContaining([
          ['EXP-1-S-0002', 'ADJUDICATOR 1', 'RECIST 1.1', 'OVRLRESP', 2, 'PR', 'Y'],
          ['EXP-1-S-0002', 'ADJUDICATOR 1', 'RECIST 1.1', 'BESTRESP', null, 'PR', 'Y'],
        ]),
      );
      expect(adj.every((x) => x.USUBJID === 'EXP-1-S-0002')).toBe(true);
      const readersOverall = rs.filter((x) => x.USUBJID === 'EXP-1-S-0002' && x.RSEVAL === 'INDEPENDENT ASSESSOR' && x.RSTESTCD === 'OVRLRESP');
      expect(readersOverall.every((x) => x.RSACPTFL === 'N')).toBe(true);
      const s1Overall = rs.filter((x) => x.USUBJID === 'EXP-1-S-0001' && x.RSTESTCD === 'OVRLRESP' && x.RSCAT === 'RECIST 1.1');
      expect(s1Overall.map((x) => [x.RSEVALID, x.VISITNUM, x.RSACPTFL]).sort()).toEqual([['RADIOLOGIST 1', 2, 'Y'], ['RADIOLOGIST 1', 3, 'Y'], ['RADIOLOGIST 2', 2, 'N'], ['RADIOLOGIST 2', 3, 'N']]);
    });

    it('the CSV copy has the XPT\'s rows', () => {
      const rs = readXptWithPandas(path.join(outDir, 'rs.xpt'));
      const csv = files.get('rs.csv')!.toString('utf8').trim().split('\r\n');
      expect(csv[0].split(',')).toEqual(rs.columns);
      expect(csv).toHaveLength(rs.rows.length + 1);
    });
  });

  it('audits the request, the completion with every file hash, and each download', async () => {
    const events = await p.ctx.db.selectFrom('audit_events').selectAll().where('entity_type', '=', 'export').where('entity_id', '=', exportId).orderBy('seq').execute();
    const actions = events.map((e) => e.action);
    expect(actions[0]).toBe('export.request');
    expect(actions[1]).toBe('export.complete');
    const request = events[0];
    expect(request.actor_name).toBe('bio-exp (test)');
    expect(request.actor_role).toBe('biostatistician');
    expect(JSON.parse(request.after_json!)).toMatchObject({ cutoff: '2024-12-31', assessments: ['reader1', 'reader2', 'adjudicator'] });
    const complete = JSON.parse(events[1].after_json!);
    const exp = await (await call(bio, 'GET', `/trials/${t.trialId}/exports/${exportId}`)).json();
    expect(complete.files).toEqual(exp.manifest.files.map((f: any) => ({ name: f.name, sha256: f.sha256, sizeBytes: f.sizeBytes })));
    const downloads = events.filter((e) => e.action === 'export.download').map((e) => JSON.parse(e.after_json!));
    expect(downloads.map((d) => d.file).sort()).toEqual([...exp.manifest.files.map((f: any) => f.name), 'manifest.json'].sort());
    for (const d of downloads.filter((x) => x.file !== 'manifest.json')) expect(d.sha256).toBe(exp.manifest.files.find((f: any) => f.name === d.file).sha256);
    expect(events.filter((e) => e.action === 'export.download').every((e) => e.actor_role === 'biostatistician')).toBe(true);
  });

  it('a cut-off before the last visit leaves that visit out; same data and cut-off give byte-identical XPT (P11-CPY-02)', async () => {
    const early = await runExport({ cutoff: '2024-04-01', formats: ['xpt'] });
    expect(early.state).toBe('passed');
    expect(early.manifest.files.map((f: any) => f.name)).not.toContain('tumor-response.xlsx');
    const tr = Buffer.from(await (await call(bio, 'GET', `/trials/${t.trialId}/exports/${early.id}/files/tr.xpt`)).arrayBuffer());
    if (!pandasMissing) {
      writeFileSync(path.join(outDir, 'tr-early.xpt'), tr);
      const earlyTr = readXptWithPandas(path.join(outDir, 'tr-early.xpt'));
      const visits = new Set(earlyTr.rows.map((r) => r[earlyTr.columns.indexOf('VISITNUM')]));
      expect([...visits].sort()).toEqual([1, 2]);
    }
    const again = await runExport({ cutoff: '2024-12-31' });
    for (const name of ['tu.xpt', 'tr.xpt', 'rs.xpt', 'define.xml', 'tu.csv', 'conformance.json']) {
      expect(again.manifest.files.find((f: any) => f.name === name).sha256, name).toBe(sha256(files.get(name)!));
    }
  });

  it('exports only the assessments asked for: one reader alone is that reader\'s records, accepted', async () => {
    const one = await runExport({ cutoff: '2024-12-31', assessments: ['reader2'], formats: [] });
    expect(one.state, JSON.stringify(one.findings)).toBe('passed');
    expect(one.parameters).toEqual({ formats: ['xpt', 'define-xml', 'csv'], assessments: ['reader2'] });
    if (pandasMissing) return;
    const bytes = Buffer.from(await (await call(bio, 'GET', `/trials/${t.trialId}/exports/${one.id}/files/rs.xpt`)).arrayBuffer());
    writeFileSync(path.join(outDir, 'rs-r2.xpt'), bytes);
    const rs = readXptWithPandas(path.join(outDir, 'rs-r2.xpt'));
    const at = (n: string) => rs.columns.indexOf(n);
    expect(new Set(rs.rows.map((r) => r[at('RSEVALID')]))).toEqual(new Set(['RADIOLOGIST 2']));
    expect(rs.rows.filter((r) => r[at('RSTESTCD')] === 'OVRLRESP').every((r) => r[at('RSACPTFL')] === 'Y')).toBe(true);
  });

  it('an export whose job is cancelled reads as failed and is not downloadable', async () => {
    await p.runner.stop(); // hold the queue so the job is still queued when cancelled
    try {
      const res = await call(bio, 'POST', `/trials/${t.trialId}/exports`, { cutoff: '2024-12-31' });
      const job = await res.json();
      expect((await call(bio, 'DELETE', `/jobs/${job.id}`)).status).toBe(202);
      const row = (await (await call(bio, 'GET', `/trials/${t.trialId}/exports`)).json()).find((e: any) => e.jobId === job.id);
      expect(row).toMatchObject({ state: 'failed', error: expect.stringContaining('cancelled') });
      expect((await call(bio, 'GET', `/trials/${t.trialId}/exports/${row.id}/files/tu.xpt`)).status).toBe(409);
    } finally {
      p.runner.start();
    }
  });

  it('readers and sponsors never reach exports; a reader cannot get a read report', async () => {
    const reader = t.tokens[t.readers[0].id];
    expect((await call(reader, 'POST', `/trials/${t.trialId}/exports`, { cutoff: '2024-12-31' })).status).toBe(403);
    expect((await call(reader, 'GET', `/trials/${t.trialId}/exports`)).status).toBe(403);
    expect((await call(reader, 'GET', `/trials/${t.trialId}/exports/${exportId}/files/tu.xpt`)).status).toBe(403);
    expect((await call(reader, 'GET', `/trials/${t.trialId}/subjects/${s2.subjectId}/read-report.pdf`)).status).toBe(403);
    expect((await call(sponsor, 'GET', `/trials/${t.trialId}/exports/${exportId}`)).status).toBe(403);
    expect((await call(sponsor, 'GET', `/trials/${t.trialId}/exports/${exportId}/files/rs.xpt`)).status).toBe(403);
    expect((await call(bio, 'POST', `/trials/${t.trialId}/exports`, { cutoff: '2024-02-30' })).status).toBe(400);
    expect((await call(bio, 'POST', `/trials/${t.trialId}/exports`, { cutoff: '2024-12-31', assessments: ['adjudicator'] })).status).toBe(422);
  });

  it('the read report shows the final lesion table and every signature\'s manifestation (11.50) with its check', async () => {
    const res = await call(bio, 'GET', `/trials/${t.trialId}/subjects/${s2.subjectId}/read-report.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const served = Buffer.from(await res.arrayBuffer());
    expect(served.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sha256(served)).toBe(res.headers.get('x-content-sha256'));

    const data = await readReportData(p.ctx, 'bio-exp (test)', 'test', t.trialId, s2.subjectId);
    const lines = pdfText(await renderReadReport(data, { compress: false }));
    const text = lines.join('\n');
    const signatures = await p.ctx.db.selectFrom('signatures').selectAll().where('trial_id', '=', t.trialId).where((eb) => eb.or([eb('entity_type', '=', 'read'), eb('entity_type', '=', 'adjudication')])).execute();
    const reads = await p.ctx.db.selectFrom('reads').select('id').where('subject_id', '=', s2.subjectId).execute();
    const adjudications = await p.ctx.db.selectFrom('adjudications').select('id').where('subject_id', '=', s2.subjectId).execute();
    const mine = signatures.filter((s) => [...reads, ...adjudications].some((r) => r.id === s.entity_id));
    expect(mine).toHaveLength(5); // four reads and one adjudication
    for (const s of mine) {
      // printed name, date and time with zone, meaning (P11-SIG-01)
      expect(lines, `manifestation of ${s.meaning} by ${s.signer_name}`).toContain(`${s.signer_name}, ${s.signed_at} (UTC), ${s.meaning}`);
    }
    expect(lines.filter((l) => l.includes('verified: authentic and bound to this record'))).toHaveLength(5);
    expect(text).toContain('adjudicated, reader 1');
    // Lesion rows of the final (reader 1) reads: T1 liver 50 mm at baseline, 30 mm at week 8; responses and BOR.
    expect(lines).toEqual(expect.arrayContaining(['T1', 'target', 'liver', '50 mm', '30 mm', 'manual']));
    expect(lines).toContain('RECIST 1.1 response: PR');
    expect(lines).toContain('RECIST 1.1: PR');
    // signatures in the order given: reader 1's baseline read was the subject's first
    const manifestations = lines.filter((l) => / \(UTC\), (authored|adjudicated)$/.test(l));
    expect(manifestations).toEqual(mine.sort((a, b) => a.signed_at.localeCompare(b.signed_at)).map((s) => `${s.signer_name}, ${s.signed_at} (UTC), ${s.meaning}`));

    // A signature whose record was changed afterwards is shown as not matching.
    const r1 = await p.ctx.db.selectFrom('reads').selectAll().where('timepoint_id', '=', s2.timepointIds[1]).where('reader_no', '=', 1).executeTakeFirstOrThrow();
    const v = await p.ctx.db.selectFrom('read_versions').selectAll().where('read_id', '=', r1.id).where('version', '=', Number(r1.current_version)).executeTakeFirstOrThrow();
    await p.ctx.db.updateTable('read_versions').set({ content_json: v.content_json.replace('"finalMm":30', '"finalMm":31') }).where('id', '=', v.id).execute();
    try {
      const tampered = pdfText(await renderReadReport(await readReportData(p.ctx, 'x', 'test', t.trialId, s2.subjectId), { compress: false }));
      expect(tampered.filter((l) => l.includes('DOES NOT MATCH the current record'))).toHaveLength(1);
    } finally {
      await p.ctx.db.updateTable('read_versions').set({ content_json: v.content_json }).where('id', '=', v.id).execute();
    }
  });

  it('the read report lays out measured-slice thumbnails where a report has them', async () => {
    const png = new PNG({ width: 24, height: 24 });
    png.data.fill(200);
    const data = await readReportData(p.ctx, 'bio-exp (test)', 'test', t.trialId, s1.subjectId);
    const pdf = await renderReadReport({ ...data, thumbnails: [{ caption: 'T1 week 8, slice 17', png: PNG.sync.write(png) }] }, { compress: false });
    expect(pdf.toString('latin1')).toMatch(/\/Subtype \/Image/);
    expect(pdfText(pdf)).toContain('T1 week 8, slice 17');
    const without = await renderReadReport(data, { compress: false });
    expect(without.toString('latin1')).not.toMatch(/\/Subtype \/Image/);
    expect(pdfText(without)).toContain('RECIST 1.1: PR');
  });

  it('a cut that fails its conformance check is audited with its findings and cannot be downloaded (409)', async () => {
    // A signed evaluation that no longer follows from the measurements (stored response altered): the export's
    // engine check must refuse the cut.
    const r1 = await p.ctx.db.selectFrom('reads').selectAll().where('timepoint_id', '=', s1.timepointIds[2]).where('reader_no', '=', 1).executeTakeFirstOrThrow();
    const v = await p.ctx.db.selectFrom('read_versions').selectAll().where('read_id', '=', r1.id).where('version', '=', Number(r1.current_version)).executeTakeFirstOrThrow();
    const evaluation = JSON.parse(v.evaluation_json!);
    for (const tp of evaluation.engine.timepoints) if (tp.recist11) tp.recist11.overall = 'CR';
    await p.ctx.db.updateTable('read_versions').set({ evaluation_json: JSON.stringify(evaluation) }).where('id', '=', v.id).execute();
    try {
      const failed = await runExport({ cutoff: '2024-12-31' });
      expect(failed.state).toBe('failed');
      expect(failed.manifest.status).toBe('failed');
      const errors = failed.findings.filter((f: any) => f.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.some((f: any) => f.usubjid === 'EXP-1-S-0001')).toBe(true);
      for (const name of ['tu.xpt', 'manifest.json', 'conformance.json']) {
        const res = await call(bio, 'GET', `/trials/${t.trialId}/exports/${failed.id}/files/${name}`);
        expect(res.status, name).toBe(409);
      }
      const events = await p.ctx.db.selectFrom('audit_events').selectAll().where('entity_id', '=', failed.id).orderBy('seq').execute();
      expect(events.map((e) => e.action)).toEqual(['export.request', 'export.fail']);
      const fail = JSON.parse(events[1].after_json!);
      expect(fail.findings.errors).toBe(errors.length);
      expect(fail.errors.map((f: any) => f.code)).toEqual(errors.slice(0, 50).map((f: any) => f.code));
      expect(fail.files.map((f: any) => f.name)).toContain('tu.xpt');
    } finally {
      await p.ctx.db.updateTable('read_versions').set({ evaluation_json: v.evaluation_json }).where('id', '=', v.id).execute();
    }
  });
});
