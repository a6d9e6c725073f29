// @req DEID-01 DEID-02 DEID-03 DEID-04 DEID-07 DEID-08 SEC-03 SEC-06: uploads through the HTTP API with real DICOM.
// Multipart, zip and single-file uploads are ingested; QC passes and releases the visit (reading tasks appear);
// the timepoint gets the shifted acquisition date; a stored blob read back with dicom-parser carries the subject
// code and none of the canary PHI; the whole database and the process logs are grepped for the canaries; the
// ledger traces an instance; slices and volumes are served to the reader who holds the read and to nobody else;
// quarantined images raise a QC query and never reach readers.
import { readFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT, type TestPlatform, createTestPlatform } from '../helpers/test-platform.js';
import { readIdOf } from '../helpers/reading-fixture.js';
import { type IngestTrial, PHI, PHI_VALUES, addVisit, ctSeries, formData, ingest, send, setupIngestTrial, zipOf } from './ingest-fixture.js';

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

describe(`ingest: uploads (${DIALECT})`, () => {
  let p: TestPlatform;
  let t: IngestTrial;
  const logs: string[] = [];
  const restore: Array<() => void> = [];

  beforeAll(async () => {
    // Everything this process writes to its logs during the tests, for the PHI grep (SEC-12, DEID).
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: any, ...rest: any[]) => {
        logs.push(String(chunk));
        return write(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const orig = console[m];
      console[m] = (...args: unknown[]) => {
        logs.push(args.map(String).join(' '));
        orig(...args);
      };
      restore.push(() => (console[m] = orig));
    }
    p = await createTestPlatform({ runJobs: true, env: { CORELAB_WORKERS: '2' } });
    t = await setupIngestTrial(p, 'ING-UP');
  }, 60_000);
  afterAll(async () => {
    for (const r of restore) r();
    await p?.dispose();
  });

  let seriesId: string;
  let instanceId: string;

  it('ingests a multipart upload; QC passes, the visit is released with reading tasks and gets the shifted scan date', async () => {
    const files = ctSeries('multipart');
    const upload = await ingest(p, t, formData(files.map((bytes, i) => ({ bytes, name: `${PHI.name}-${i}.dcm` }))));
    expect(upload.state).toBe('completed');
    expect(upload.outcome.map((o: any) => o.outcome)).toEqual(Array(6).fill('ingested'));
    expect(new Set(upload.outcome.map((o: any) => o.seriesId)).size).toBe(1);
    seriesId = upload.outcome[0].seriesId;
    const tp = await p.ctx.db.selectFrom('timepoints').selectAll().where('id', '=', t.timepointId).executeTakeFirstOrThrow();
    expect(tp.state).toBe('released');
    // DEID-02: one secret offset per subject, inside the charter's range (-3650..-365 days).
    const shift = (Date.parse(tp.acquired_on!) - Date.parse('2024-01-08')) / 86_400_000;
    expect(shift).toBeGreaterThanOrEqual(-3650);
    expect(shift).toBeLessThanOrEqual(-365);
    const reads = await p.ctx.db.selectFrom('reads').select(['reader_no', 'state']).where('timepoint_id', '=', t.timepointId).orderBy('reader_no').execute();
    expect(reads.map((r) => [Number(r.reader_no), r.state])).toEqual([[1, 'open'], [2, 'open']]);
    const qc = await p.ctx.db.selectFrom('qc_results').select('outcome').where('timepoint_id', '=', t.timepointId).executeTakeFirstOrThrow();
    expect(qc.outcome).toBe('pass');
    instanceId = (await p.ctx.db.selectFrom('instances').select('id').where('series_id', '=', seriesId).orderBy('instance_number').executeTakeFirstOrThrow()).id;
  });

  it('a stored blob, read back with dicom-parser, names the subject and carries no canary PHI (DEID-01, DEID-08)', async () => {
    const inst = await p.ctx.db.selectFrom('instances').select(['blob_sha256', 'sop_instance_uid']).where('id', '=', instanceId).executeTakeFirstOrThrow();
    const bytes = readFileSync(p.blobs.pathOf(inst.blob_sha256));
    const ds = dicomParser.parseDicom(new Uint8Array(bytes));
    expect(ds.string('x00100010')).toBe(t.subjectCode);
    expect(ds.string('x00100020')).toBe(t.subjectCode);
    expect(ds.string('x00120040')).toBe(t.subjectCode);
    expect(ds.string('x00120050')).toBe('BASELINE');
    expect(ds.string('x00120062')).toBe('YES');
    expect(ds.string('x00080018')).toBe(inst.sop_instance_uid);
    expect(ds.string('x00100030') ?? '').toBe('');
    expect(ds.string('x00080080') ?? '').toBe('');
    const text = bytes.toString('latin1');
    for (const v of PHI_VALUES) expect(text, v).not.toContain(v);
  });

  it('ingests a zip (entries named by position, never by file name) and a single application/dicom file', async () => {
    const wk8 = await addVisit(p, t, 'WK8', 2);
    const files = ctSeries('zipped');
    const zipped = await ingest(p, t, zipOf(Object.fromEntries(files.map((b, i) => [`${PHI.name}/IM${i}.dcm`, b]))), 'application/zip', wk8);
    expect(zipped.outcome.map((o: any) => [o.outcome, o.entry])).toEqual(files.map((_b, i) => ['ingested', `entry ${i + 1}`]));
    const wk16 = await addVisit(p, t, 'WK16', 3);
    const single = await ingest(p, t, ctSeries('single', { slices: 1 })[0], 'application/dicom', wk16);
    expect(single.outcome).toEqual([expect.objectContaining({ ordinal: 1, outcome: 'ingested' })]);
    // The zip's entry names (a patient name here) are stored nowhere.
    expect(JSON.stringify(zipped)).not.toContain(PHI.name);
  });

  it('shows the ledger entry of an instance to qc and admin only (DEID ledger)', async () => {
    const url = `/trials/${t.trialId}/instances/${instanceId}/ledger`;
    const res = await p.request('GET', url, { token: t.qcToken });
    expect(res.status).toBe(200);
    const entry = await res.json();
    const inst = await p.ctx.db.selectFrom('instances').selectAll().where('id', '=', instanceId).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ instanceId, sopInstanceUid: inst.sop_instance_uid, sha256After: inst.blob_sha256, profileVersion: expect.any(String) });
    expect(entry.newUids.sopInstanceUid).toBe(inst.sop_instance_uid);
    expect(entry.sourceUidDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.sha256Before).not.toBe(entry.sha256After);
    expect(entry.actions.some((a: any) => a.tag === '(0010,0010)')).toBe(true);
    expect((await p.request('GET', url, { token: t.tokens[t.readers[0].id] })).status).toBe(403);
    expect((await p.request('GET', url, { token: t.sponsorToken })).status).toBe(403);
  });

  it('serves series geometry, PNG and raw slices and the raw volume to the reader holding the read, blinded', async () => {
    const reader = await p.ctx.db.selectFrom('reads').select('reader_id').where('id', '=', await readIdOf(p, t.timepointId, 1)).executeTakeFirstOrThrow();
    const token = t.tokens[reader.reader_id];
    const list = await p.request('GET', `/trials/${t.trialId}/timepoints/${t.timepointId}/series`, { token });
    expect(list.status).toBe(200);
    const [series] = await list.json();
    expect(series.id).toBe(seriesId);
    expect(Object.keys(series).sort()).toEqual(['columns', 'frameOfReferenceUid', 'geometry', 'id', 'instanceCount', 'modality', 'pixelSpacingMm', 'rows', 'sliceThicknessMm', 'studyId', 'timepointId']);
    expect(series.geometry).toMatchObject({ dims: [64, 64, 6], spacingMm: [2, 2, 2.5], slices: 6 });
    const png = await p.request('GET', `/trials/${t.trialId}/series/${seriesId}/slices/2?format=png&center=40&width=400`, { token });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toMatch(/^private/);
    const etag = png.headers.get('etag')!;
    const image = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
    expect([image.width, image.height]).toEqual([64, 64]);
    expect((await p.app.request(`/trials/${t.trialId}/series/${seriesId}/slices/2?format=png&center=40&width=400`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } })).status).toBe(304);
    const raw = await p.request('GET', `/trials/${t.trialId}/series/${seriesId}/slices/2?format=raw`, { token });
    expect(raw.headers.get('content-type')).toBe('application/octet-stream');
    const rawBytes = Buffer.from(await raw.arrayBuffer());
    expect(rawBytes.length).toBe(64 * 64 * 2);
    expect(raw.headers.get('x-image-dims')).toBe('64,64');
    // HU: air outside the phantom body is about -1000 (corner pixel).
    expect(rawBytes.readInt16LE(0)).toBeLessThan(-900);
    const volume = await p.request('GET', `/trials/${t.trialId}/series/${seriesId}/volume`, { token });
    expect(volume.status).toBe(200);
    expect((await volume.arrayBuffer()).byteLength).toBe(64 * 64 * 6 * 2);
    expect(volume.headers.get('x-volume-dims')).toBe('64,64,6');
    expect((await p.request('GET', `/trials/${t.trialId}/series/${seriesId}/slices/6`, { token })).status).toBe(404);
    // Core-lab staff see the unblinded series record.
    const staff = await (await p.request('GET', `/trials/${t.trialId}/timepoints/${t.timepointId}/series`, { token: t.qcToken })).json();
    expect(staff[0]).toMatchObject({ id: seriesId, uploadIds: [expect.any(String)], studyDate: expect.stringMatching(/^\d{8}$/) });
  });

  it('answers 404 to a reader without a read of the timepoint, the sponsor 403, exactly like a missing series', async () => {
    const other = await addVisit(p, t, 'WK24', 4); // no read exists for it
    const token = t.tokens[t.readers[0].id];
    const a = await p.request('GET', `/trials/${t.trialId}/timepoints/${other}/series`, { token });
    const b = await p.request('GET', `/trials/${t.trialId}/timepoints/00000000-0000-4000-8000-000000000000/series`, { token });
    expect([a.status, b.status]).toEqual([404, 404]);
    const wk8Series = (await p.ctx.db.selectFrom('series').innerJoin('timepoints', 'timepoints.id', 'series.timepoint_id').select('series.id').where('timepoints.visit_code', '=', 'WK8').executeTakeFirstOrThrow()).id;
    // WK8 was released too, but its reads wait for the baseline to be signed (BL-06): no images yet.
    expect((await p.request('GET', `/trials/${t.trialId}/series/${wk8Series}/slices/0`, { token })).status).toBe(404);
    expect((await p.request('GET', `/trials/${t.trialId}/series/${seriesId}/slices/0`, { token: t.sponsorToken })).status).toBe(403);
  });

  it('quarantines a secondary capture with a QC query, and never serves it to readers (DEID-07)', async () => {
    const visit = await addVisit(p, t, 'SC1', 5);
    const sc = ctSeries('secondary', { slices: 1, extra: { SOPClassUID: SECONDARY_CAPTURE, InstitutionName: PHI.institution } });
    const ct = ctSeries('with-sc', { slices: 3 });
    const upload = await ingest(p, t, formData([...ct, ...sc].map((bytes, i) => ({ bytes, name: `${i}.dcm` }))), undefined, visit);
    expect(upload.outcome.map((o: any) => o.outcome)).toEqual(['ingested', 'ingested', 'ingested', 'quarantined']);
    expect(upload.outcome[3].reason).toMatch(/secondary capture/);
    const queries = await (await p.request('GET', `/trials/${t.trialId}/queries`, { token: t.qcToken })).json();
    const q = queries.find((x: any) => x.timepointId === visit && /quarantined/.test(x.title));
    expect(q.messages[0].body).toMatch(/1 image\(s\) were quarantined[\s\S]*secondary capture/);
    // the QC queue lists each received visit with its latest QC result and the number of its open queries
    const queue = await (await p.request('GET', `/trials/${t.trialId}/qc/queue`, { token: t.qcToken })).json();
    const item = (id: string) => queue.find((x: any) => x.timepoint.id === id);
    expect(item(visit)).toMatchObject({ qc: { outcome: expect.stringMatching(/^pass/) }, openQueries: 1 });
    expect(item(t.timepointId)).toMatchObject({ qc: { outcome: 'pass' }, openQueries: 0 });
    const qSeries = upload.outcome[3].seriesId;
    const staff = await (await p.request('GET', `/trials/${t.trialId}/timepoints/${visit}/series`, { token: t.qcToken })).json();
    expect(staff.find((s: any) => s.id === qSeries)).toMatchObject({ quarantinedCount: 1, instanceCount: 0, geometry: null });
    // QC passes on the CT series (the quarantine is a warning for QC review), so the visit is released for reading;
    // the readers' reads exist, yet the quarantined series is not theirs to see.
    expect((await p.ctx.db.selectFrom('timepoints').select('state').where('id', '=', visit).executeTakeFirstOrThrow()).state).toBe('released');
    const readerId = (await p.ctx.db.selectFrom('reads').select('reader_id').where('timepoint_id', '=', visit).executeTakeFirstOrThrow()).reader_id;
    await p.ctx.db.updateTable('reads').set({ state: 'open' }).where('timepoint_id', '=', visit).execute();
    const token = t.tokens[readerId];
    const seen = await (await p.request('GET', `/trials/${t.trialId}/timepoints/${visit}/series`, { token })).json();
    expect(seen.map((s: any) => s.id)).toEqual([upload.outcome[0].seriesId]);
    expect((await p.request('GET', `/trials/${t.trialId}/series/${qSeries}/slices/0`, { token })).status).toBe(404);
    expect((await p.request('GET', `/trials/${t.trialId}/series/${qSeries}/volume`, { token })).status).toBe(404);
  });

  it('no canary PHI anywhere in the database (every table, and the SQLite file itself) or in the process logs', async () => {
    const found: string[] = [];
    // PostgreSQL lists every schema's tables; this platform's are in its own schema.
    const tables = (await p.ctx.db.introspection.getTables()).filter((x) => DIALECT === 'sqlite' || x.schema === p.env.DATABASE_SCHEMA);
    expect(tables.map((x) => x.name)).toContain('deid_ledger');
    for (const table of tables) {
      const rows = await p.ctx.db.selectFrom(table.name as any).selectAll().execute();
      const text = JSON.stringify(rows).toLowerCase();
      for (const v of PHI_VALUES) if (text.includes(v.toLowerCase())) found.push(`${table.name}: ${v}`);
    }
    if (DIALECT === 'sqlite') {
      await p.ctx.db.selectFrom('trials').select('id').execute();
      for (const f of [p.config.sqliteFile, `${p.config.sqliteFile}-wal`]) {
        let raw = '';
        try {
          raw = readFileSync(f).toString('latin1').toLowerCase();
        } catch {
          continue;
        }
        for (const v of PHI_VALUES) if (raw.includes(v.toLowerCase())) found.push(`${f}: ${v}`);
      }
    }
    const logText = logs.join('\n').toLowerCase();
    for (const v of PHI_VALUES) if (logText.includes(v.toLowerCase())) found.push(`logs: ${v}`);
    expect(found).toEqual([]);
    // The test would notice a leak: the canaries were really in what was sent.
    expect(ctSeries('probe')[0].toString('latin1')).toContain(PHI.institution);
  });

  it('refuses the sponsor of another trial, and a user who is no member, with 404 (SEC-01)', async () => {
    const other = await setupIngestTrial(p, 'ING-UP2');
    const res = await p.request('POST', `/trials/${t.trialId}/uploads`, { token: other.sponsorToken, body: { subjectId: t.subjectId, timepointId: t.timepointId } });
    expect(res.status).toBe(404);
    const bytes = ctSeries('other-trial', { slices: 1 })[0];
    const upload = (await p.ctx.db.selectFrom('uploads').select('id').where('trial_id', '=', t.trialId).executeTakeFirstOrThrow()).id;
    expect((await send(p, 'POST', `/trials/${t.trialId}/uploads/${upload}/files`, other.sponsorToken, bytes, 'application/dicom')).status).toBe(404);
  });
});
