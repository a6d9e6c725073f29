import { expect } from 'vitest';
import { type SyntheticSeriesSpec, syntheticCtSeries, syntheticUid } from '../../src/demo/synthetic-ct-series.js';
import type { TestPlatform } from './test-platform.js';

/**
 * A sponsor uploads one visit's CT through the API (multipart), completes it, and waits for the ingest job:
 * parse, de-identify, store, index, assemble, QC, and release for reading when QC passes.
 */
export async function uploadVisitThroughApi(
  p: TestPlatform,
  opts: { trialId: string; subjectId: string; timepointId: string; token: string; studyDate: string; label: string; patientId?: string; /** the series' matrix, spacing and lesions when the default small phantom will not do */ series?: Partial<SyntheticSeriesSpec> },
): Promise<{ uploadId: string; outcome: Array<{ outcome: string; reason?: string }> }> {
  const files = syntheticCtSeries({
    patientName: 'DOE^JANE^Q', patientId: opts.patientId ?? 'MRN-4242', birthDate: '19580214', studyDate: opts.studyDate,
    studyInstanceUid: syntheticUid(`${opts.subjectId}/${opts.label}/study`), seriesInstanceUid: syntheticUid(`${opts.subjectId}/${opts.label}/series`),
    frameOfReferenceUid: syntheticUid(`${opts.subjectId}/${opts.label}/for`), slices: 8, columns: 64, rows: 64, pixelSpacingMm: 4, sliceThicknessMm: 5,
    lesions: [{ centerMm: [40, 0, 15], diameterMm: 24 }],
    ...opts.series,
  });
  const headers = { authorization: `Bearer ${opts.token}` };
  const created = await p.request('POST', `/trials/${opts.trialId}/uploads`, { token: opts.token, body: { subjectId: opts.subjectId, timepointId: opts.timepointId } });
  expect(created.status, await created.clone().text()).toBe(201);
  const upload = await created.json();
  const form = new FormData();
  files.forEach((b, i) => form.append('files', new Blob([b], { type: 'application/dicom' }), `${i}.dcm`));
  const sent = await p.app.request(`/trials/${opts.trialId}/uploads/${upload.id}/files`, { method: 'POST', headers, body: form });
  expect(sent.status, await sent.clone().text()).toBe(201);
  const completed = await p.request('POST', `/trials/${opts.trialId}/uploads/${upload.id}/complete`, { token: opts.token });
  expect(completed.status).toBe(202);
  const job = await completed.json();
  for (let i = 0; ; i++) {
    const j = await (await p.request('GET', `/jobs/${job.id}`, { token: opts.token })).json();
    if (j.state === 'succeeded') break;
    if (j.state === 'failed' || j.state === 'cancelled' || i > 600) throw new Error(`ingest job ${j.state}: ${j.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const done = await (await p.request('GET', `/trials/${opts.trialId}/uploads/${upload.id}`, { token: opts.token })).json();
  return { uploadId: upload.id, outcome: done.outcome };
}
