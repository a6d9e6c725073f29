// @req DEID-04 SEC-03: DICOMweb STOW-RS. Parts stream to disk; the subject and visit come from (0012,0040) and
// (0012,0050) or from the bound upload; the same ingest runs; the Store Instances Response (PS3.18 10.5.3) says
// what was stored (200), what failed and why (202 with FailedSOPSequence and Warning headers), or that nothing was
// stored (409).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeInstances } from '../../src/services/ingest/stow.js';
import { DIALECT, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { type IngestTrial, ctSeries, footprint, openUpload, related, send, setupIngestTrial } from './ingest-fixture.js';

const url = (t: IngestTrial, q = '') => `/dicomweb/trials/${t.trialId}/studies${q}`;
const seq = (body: any, tag: string) => (body[tag]?.Value ?? []) as any[];

describe(`ingest: STOW-RS (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;
  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true });
    t = await setupIngestTrial(p, 'ING-STOW');
  }, 60_000);
  afterAll(async () => p?.dispose());

  const trialAttrs = (visit: string, subject = t.subjectCode) => ({ ClinicalTrialSubjectID: subject, ClinicalTrialTimePointID: visit });

  it('stores parts whose clinical trial attributes name the subject and a scheduled visit: 200 with ReferencedSOPSequence', async () => {
    const files = ctSeries('stow-tp1', { slices: 3, extra: trialAttrs('TP1') });
    const { body, contentType } = related(files);
    const res = await send(p, 'POST', url(t), t.sponsorToken, body, contentType);
    const json = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/dicom+json');
    const refs = seq(json, '00081199');
    expect(refs).toHaveLength(3);
    expect(refs[0]['00081150']).toEqual({ vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] });
    // The stored (de-identified) UIDs, which are the index's.
    const stored = await p.ctx.db.selectFrom('instances').select('sop_instance_uid').where('trial_id', '=', t.trialId).execute();
    expect(refs.map((r) => r['00081155'].Value[0]).sort()).toEqual(stored.map((s) => s.sop_instance_uid).sort());
    expect(json['00081198']).toBeUndefined();
    // The charter-scheduled visit TP1 was created for the subject, and its upload is a stow-rs upload.
    const tp = await p.ctx.db.selectFrom('timepoints').selectAll().where('subject_id', '=', t.subjectId).where('visit_code', '=', 'TP1').executeTakeFirstOrThrow();
    expect(json['00081190'].Value[0]).toBe(`/trials/${t.trialId}/timepoints/${tp.id}/series`);
    const upload = await p.ctx.db.selectFrom('uploads').selectAll().where('timepoint_id', '=', tp.id).executeTakeFirstOrThrow();
    expect([upload.channel, upload.state]).toEqual(['stow-rs', 'completed']);
  });

  it('answers 202 when some parts fail, naming each failure with (0008,1197) and a Warning header', async () => {
    const good = ctSeries('stow-tp2', { slices: 2, extra: trialAttrs('TP2') });
    const strangers = ctSeries('stow-stranger', { slices: 1, extra: trialAttrs('TP2', 'NOT-ENROLLED-7') });
    const noAttrs = ctSeries('stow-plain', { slices: 1 });
    const junk = Buffer.from('not a dicom file at all '.repeat(10));
    const { body, contentType } = related([...good, ...strangers, ...noAttrs, junk]);
    const res = await send(p, 'POST', url(t), t.sponsorToken, body, contentType);
    const json = await res.json();
    expect(res.status).toBe(202);
    expect(seq(json, '00081199')).toHaveLength(2);
    const failed = seq(json, '00081198');
    expect(failed.map((f) => f['00081197'].Value[0])).toEqual([0x0110, 0x0110, 0xc000]);
    expect(failed[0]['00081155'].Value[0]).toMatch(/^2\.25\./);
    expect(failed[2]['00081155']).toBeUndefined();
    const warnings = res.headers.get('warning') ?? '';
    expect(warnings).toContain('part 3: Clinical Trial Subject ID (0012,0040) names no subject enrolled in this trial');
    expect(warnings).toContain('part 4: the instance has no Clinical Trial Subject ID (0012,0040) or Time Point ID (0012,0050)');
    expect(warnings).toContain('part 5: not DICOM');
  });

  it('answers 409 when nothing was stored, and stores nothing', async () => {
    const before = await footprint(p, t.trialId);
    const { body, contentType } = related(ctSeries('stow-none', { slices: 2, extra: trialAttrs('NOT-A-VISIT') }));
    const res = await send(p, 'POST', url(t), t.sponsorToken, body, contentType);
    expect(res.status).toBe(409);
    const json = await res.json();
    expect(seq(json, '00081198')).toHaveLength(2);
    expect(res.headers.get('warning')).toContain('(0012,0050) names no visit of this subject or of the charter schedule');
    expect(await footprint(p, t.trialId)).toEqual(before);
  });

  it('binds parts to an open upload with ?upload=: its subject and visit apply; a part naming another subject fails', async () => {
    const uploadId = await openUpload(p, t);
    const mine = ctSeries('stow-bound', { slices: 2 });
    const other = ctSeries('stow-bound-other', { slices: 1, extra: trialAttrs('BASELINE', 'SOMEONE-ELSE') });
    const { body, contentType } = related([...mine, ...other]);
    const res = await send(p, 'POST', url(t, `?upload=${uploadId}`), t.sponsorToken, body, contentType);
    const json = await res.json();
    expect(res.status).toBe(202);
    expect(seq(json, '00081199')).toHaveLength(2);
    expect(seq(json, '00081198').map((f) => f['00081197'].Value[0])).toEqual([0x0110]);
    expect(res.headers.get('warning')).toContain('part 3: Clinical Trial Subject ID (0012,0040) in the instance names a different subject');
    const upload = await p.ctx.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
    expect([upload.state, Number(upload.file_count)]).toEqual(['completed', 3]);
  });

  it('re-sending the same instances after QC released the visit is refused (409) and stores nothing twice', async () => {
    const files = ctSeries('stow-tp1', { slices: 3, extra: trialAttrs('TP1') });
    const before = await footprint(p, t.trialId);
    const tp1 = await p.ctx.db.selectFrom('timepoints').select('state').where('subject_id', '=', t.subjectId).where('visit_code', '=', 'TP1').executeTakeFirstOrThrow();
    expect(tp1.state).toBe('released');
    const { body, contentType } = related(files);
    const res = await send(p, 'POST', url(t), t.sponsorToken, body, contentType);
    expect(res.status).toBe(409);
    expect(res.headers.get('warning')).toContain('visit TP1 is released; images can no longer be added');
    expect(await footprint(p, t.trialId)).toEqual(before);
  });

  it('refuses other media types (415) and non-sponsors (403/404)', async () => {
    const bytes = ctSeries('stow-415', { slices: 1 })[0];
    expect((await send(p, 'POST', url(t), t.sponsorToken, bytes, 'application/dicom')).status).toBe(415);
    const { body, contentType } = related([bytes]);
    expect((await send(p, 'POST', url(t), t.qcToken, body, contentType)).status).toBe(403);
    const wrongPart = `--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--\r\n`;
    expect((await send(p, 'POST', url(t), t.sponsorToken, wrongPart, 'multipart/related; type="application/dicom"; boundary=b')).status).toBe(415);
  });

  it('answers 202 with the job and a Location header when the ingest outlasts the wait', async () => {
    const idle = await createTestPlatform(); // no job runner: the ingest stays queued
    try {
      const t2 = await setupIngestTrial(idle, 'ING-STOW2');
      const { body, contentType } = related(ctSeries('stow-slow', { slices: 1, extra: { ClinicalTrialSubjectID: t2.subjectCode, ClinicalTrialTimePointID: 'BASELINE' } }));
      const actor = { userId: t2.sponsorId, name: 'sponsor', role: 'sponsor' };
      const r = await storeInstances(idle.ctx, actor, t2.trialId, { body: new Response(body).body, contentType, boundSiteId: null, waitMs: 300 });
      expect(r.status).toBe(202);
      if (!('pending' in r)) throw new Error('expected pending jobs');
      expect(r.location).toMatch(/^\/jobs\//);
      expect(r.pending[0].state).toBe('queued');
    } finally {
      await idle.dispose();
    }
  });
});
