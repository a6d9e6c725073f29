// @req SEC-03 SEC-04 SEC-05 SEC-06 DEID-04: every bad input of the ingest issue, through the HTTP API with real
// files, gets its precise reason, and nothing is stored: no index row, no ledger entry, no blob, no audit event
// beyond the upload's own (create, files received, complete, ingest outcome), and no QC change to the visit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticUid } from '../../src/demo/synthetic-ct-series.js';
import { DIALECT, type TestPlatform, createTestPlatform, grant, seedUser } from '../helpers/test-platform.js';
import { type IngestTrial, addVisit, ctSeries, footprint, formData, ingest, openUpload, send, setupIngestTrial, zipOf } from './ingest-fixture.js';

// Byte builders for files no library would write (explicit VR little endian).
const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const tag = (g: number, e: number) => [...u16(g), ...u16(e)];
const ascii = (s: string) => [...Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1')];
const short = (g: number, e: number, vr: string, value: number[]) => [...tag(g, e), ...ascii(vr), ...u16(value.length), ...value];
const long = (g: number, e: number, vr: string, value: number[]) => [...tag(g, e), ...ascii(vr), 0, 0, ...u32(value.length), ...value];
const item = (content: number[]) => [...tag(0xfffe, 0xe000), ...u32(content.length), ...content];
function part10(body: number[]): Buffer {
  const meta = [...long(0x0002, 0x0001, 'OB', [0, 1]), ...short(0x0002, 0x0002, 'UI', ascii('1.2.840.10008.5.1.4.1.1.2')), ...short(0x0002, 0x0003, 'UI', ascii('1.2.3.4')), ...short(0x0002, 0x0010, 'UI', ascii('1.2.840.10008.1.2.1'))];
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from(short(0x0002, 0x0000, 'UL', u32(meta.length))), Buffer.from(meta), Buffer.from(body)]);
}
const ident = [...short(0x0008, 0x0016, 'UI', ascii('1.2.840.10008.5.1.4.1.1.2')), ...short(0x0008, 0x0018, 'UI', ascii('1.2.3.4'))];

function nestingBomb(): Buffer {
  let inner: number[] = [];
  for (let i = 0; i < 200; i++) inner = long(0x0040, 0xa730, 'SQ', item(inner));
  return part10([...ident, ...inner]);
}

/** A real CT file whose pixel data element declares 0xFFFFFFF0 bytes. */
function lyingLength(): Buffer {
  const f = Buffer.from(ctSeries('lying', { slices: 1 })[0]);
  const at = f.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0]));
  f.writeUInt32LE(0xfffffff0, at + 8);
  return f;
}

type Case = [name: string, build: () => { body: NonNullable<RequestInit['body']>; type?: string }, reason: RegExp];

const dicom = (bytes: Uint8Array) => ({ body: bytes, type: 'application/dicom' });
const CASES: Case[] = [
  ['not DICOM', () => dicom(Buffer.from('this is a text file, not an image '.repeat(20))), /^not DICOM: a text file$/],
  ['a truncated file', () => dicom(ctSeries('trunc', { slices: 1 })[0].subarray(0, 5000)), /^element \(7FE0,0010\) declares 8192 bytes but \d+ remain at offset \d+$/],
  ['an element length past the end of the file', () => dicom(lyingLength()), /^element \(7FE0,0010\) declares 4294967280 bytes but 8192 remain at offset \d+$/],
  ['a sequence nesting bomb', () => dicom(nestingBomb()), /^sequence \(0040,A730\) nests deeper than 32 levels at offset \d+$/],
  [
    "a DICOM whose Clinical Trial Subject ID (0012,0040) names another subject",
    () => dicom(ctSeries('other-subject', { slices: 1, extra: { ClinicalTrialSubjectID: 'SOMEONE-ELSE-009' } })[0]),
    /^Clinical Trial Subject ID \(0012,0040\) in the instance names a different subject than the one this upload is for$/,
  ],
  [
    'an upload that mixes two patients',
    () => ({ body: formData([...ctSeries('patient-a', { slices: 2 }), ...ctSeries('patient-b', { slices: 2, patientId: 'ANOTHER-PATIENT-2' })].map((bytes, i) => ({ bytes, name: `${i}.dcm` }))) }),
    /^the upload mixes 2 patients \(different Patient IDs\); send one subject's images per upload$/,
  ],
  [
    'a series with mixed studies',
    () => {
      const series = syntheticUid('mixed/series');
      const a = ctSeries('mixed-a', { slices: 2, seriesInstanceUid: series });
      const b = ctSeries('mixed-b', { slices: 2, seriesInstanceUid: series, studyInstanceUid: syntheticUid('mixed/other-study') });
      return { body: formData([...a, ...b].map((bytes, i) => ({ bytes, name: `${i}.dcm` }))) };
    },
    /^a series spans two studies \(same Series Instance UID with different Study Instance UIDs\)$/,
  ],
];

describe(`ingest: bad input is refused precisely and leaves nothing (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;
  let visitNum = 10;

  beforeAll(async () => {
    p = await createTestPlatform({ runJobs: true, env: { UPLOAD_MAX_ZIP_RATIO: '50' } });
    t = await setupIngestTrial(p, 'ING-BAD');
  }, 60_000);
  afterAll(async () => p?.dispose());

  /** The audit trail of one upload, and of anything else that happened in the trial meanwhile. */
  async function eventsSince(seq: number) {
    return p.ctx.db.selectFrom('audit_events').select(['action', 'entity_id']).where('trial_id', '=', t.trialId).where('seq', '>', seq).orderBy('seq').execute();
  }
  const lastSeq = async () => Number((await p.ctx.db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);

  it.each(CASES)('%s', async (_name, build, reason) => {
    const visit = await addVisit(p, t, `BAD${visitNum}`, visitNum++);
    const before = await footprint(p, t.trialId);
    const seq = await lastSeq();
    const { body, type } = build();
    const upload = await ingest(p, t, body, type, visit);
    expect(upload.state).toBe('failed');
    expect(upload.outcome.length).toBeGreaterThan(0);
    for (const o of upload.outcome) {
      expect(o.outcome).toBe('refused');
      expect(o.reason).toMatch(reason);
    }
    expect(await footprint(p, t.trialId)).toEqual(before);
    const events = await eventsSince(seq);
    expect(events.map((e) => e.action)).toEqual(['upload.create', 'upload.files_received', 'upload.complete', 'upload.ingest']);
    const tp = await p.ctx.db.selectFrom('timepoints').select('state').where('id', '=', visit).executeTakeFirstOrThrow();
    expect(tp.state).toBe('expected');
    expect(await p.ctx.db.selectFrom('qc_results').select('id').where('timepoint_id', '=', visit).execute()).toEqual([]);
  });

  it('a second upload of the same instance is reported as a duplicate and stored once', async () => {
    const visit = await addVisit(p, t, 'DUP', 40);
    const file = ctSeries('dup', { slices: 1 })[0];
    const first = await ingest(p, t, file, 'application/dicom', visit);
    expect(first.outcome[0].outcome).toBe('ingested');
    const before = await footprint(p, t.trialId);
    const visit2 = await addVisit(p, t, 'DUP2', 41);
    const second = await ingest(p, t, file, 'application/dicom', visit2);
    expect(second.outcome).toEqual([expect.objectContaining({ outcome: 'duplicate', reason: 'this instance was already received; it was not stored twice', sopInstanceUid: first.outcome[0].sopInstanceUid })]);
    expect(await footprint(p, t.trialId)).toEqual(before);
  });

  it.each([
    ['a zip with a ../ path', () => zipOf({ 'ok/../../escape.dcm': ctSeries('slip', { slices: 1 })[0] }), /^entry 1 climbs out of the archive with "\.\."; nothing from this request was kept$/],
    ['a zip bomb', () => zipOf({ 'bomb.dcm': new Uint8Array(5_000_000) }), /^entry 1 expands \d+:1; at most 50:1 \(zip bomb\); nothing from this request was kept$/],
    ['a nested zip', () => zipOf({ 'inner.zip': zipOf({ 'a.dcm': ctSeries('nested', { slices: 1 })[0] }) }), /^entry 1 is itself an archive; nested archives are refused; nothing from this request was kept$/],
  ])('%s is refused at upload with 422 problem+json, nothing staged or stored (SEC-04)', async (_name, build, reason) => {
    const before = await footprint(p, t.trialId);
    const uploadId = await openUpload(p, t, await addVisit(p, t, `Z${visitNum}`, visitNum++));
    const res = await send(p, 'POST', `/trials/${t.trialId}/uploads/${uploadId}/files`, t.sponsorToken, build(), 'application/zip');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await res.json()).detail).toMatch(reason);
    const upload = await p.ctx.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
    expect([Number(upload.file_count), Number(upload.bytes)]).toEqual([0, 0]);
    expect(await p.ctx.db.selectFrom('upload_files').select('id').where('upload_id', '=', uploadId).execute()).toEqual([]);
    expect(await footprint(p, t.trialId)).toEqual(before);
  });

  it('refuses an upload to a trial the user is not a sponsor of: 404 for a non-member, 403 for another role', async () => {
    const outsider = await seedUser(p, 'ing-bad-outsider');
    const qc = await seedUser(p, 'ing-bad-qc');
    await grant(p, t.trialId, qc.id, 'qc');
    const body = { subjectId: t.subjectId, timepointId: t.timepointId };
    expect((await p.request('POST', `/trials/${t.trialId}/uploads`, { token: await p.login('ing-bad-outsider'), body })).status).toBe(404);
    const asQc = await p.request('POST', `/trials/${t.trialId}/uploads`, { token: await p.login('ing-bad-qc'), body });
    expect(asQc.status).toBe(403);
    expect(outsider.id).toBeTruthy();
  });
});

describe(`ingest: upload limits from configuration (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;
  beforeAll(async () => {
    p = await createTestPlatform({ env: { UPLOAD_MAX_BYTES: '60000', UPLOAD_MAX_FILES: '3', UPLOAD_MAX_UNZIPPED_BYTES: '30000' } });
    t = await setupIngestTrial(p, 'ING-LIM');
  }, 60_000);
  afterAll(async () => p?.dispose());

  const sendTo = async (body: NonNullable<RequestInit['body']>, type?: string) => {
    const uploadId = await openUpload(p, t);
    const res = await send(p, 'POST', `/trials/${t.trialId}/uploads/${uploadId}/files`, t.sponsorToken, body, type);
    const upload = await p.ctx.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
    return { res, problem: await res.json(), staged: Number(upload.file_count) };
  };

  it.each<[string, () => { body: NonNullable<RequestInit['body']>; type?: string }, number, RegExp]>([
    ['the size limit (UPLOAD_MAX_BYTES)', () => ({ body: new Uint8Array(70_000).fill(7), type: 'application/dicom' }), 413, /exceeds its size limit \(UPLOAD_MAX_BYTES\)/],
    ['the file count (UPLOAD_MAX_FILES)', () => ({ body: formData(ctSeries('count', { slices: 4, columns: 16, rows: 16 }).map((bytes, i) => ({ bytes, name: `${i}.dcm` }))) }), 413, /too many files for this upload \(UPLOAD_MAX_FILES\)/],
    ['the decompressed zip size (UPLOAD_MAX_UNZIPPED_BYTES)', () => ({ body: zipOf(Object.fromEntries(ctSeries('unzipped', { slices: 2, columns: 128, rows: 128 }).map((b, i) => [`${i}.dcm`, b]))), type: 'application/zip' }), 422, /archive declares more than 30000 uncompressed bytes|declares \d+ bytes; at most 30000 per entry/],
  ])('past %s: problem+json, nothing kept', async (_name, build, status, detail) => {
    const { body, type } = build();
    const { res, problem, staged } = await sendTo(body, type);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(problem.detail).toMatch(detail);
    expect(staged).toBe(0);
  });
});
