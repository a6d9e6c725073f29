// @req BL-01 BL-04: projections copy only what a blinded viewer may see; fields added to records later stay hidden.
import { describe, expect, it } from 'vitest';
import { imageResourceView, subjectRef, timepointRef } from './projections.js';
import type { Viewer } from './viewer.js';

const reader: Viewer = { kind: 'reader', reveal: [] };
const staff: Viewer = { kind: 'core_lab', reveal: [] };
const tp = { id: 't', blindedLabel: 'TP1', visitCode: 'C3D1', visitLabel: 'ARM B C3D1', visitNum: 2, scanDate: '2024-03-04', state: 'released' };

describe('blinding projections', () => {
  it('shows readers blinded labels and reveals only what the charter lists', () => {
    expect(timepointRef(reader, tp)).toEqual({ id: 't', label: 'TP1' });
    expect(timepointRef({ kind: 'reader', reveal: ['scanDate'] }, tp)).toEqual({ id: 't', label: 'TP1', scanDate: '2024-03-04' });
    expect(timepointRef(staff, tp)).toEqual(tp);
    const s = { id: 's', trialId: 'x', subjectCode: 'S-01', siteId: 'site', siteName: 'General Hospital' };
    expect(subjectRef({ kind: 'adjudicator', reveal: [] }, s)).toEqual({ id: 's' });
    expect(subjectRef({ kind: 'adjudicator', reveal: ['subjectCode'] }, s)).toEqual({ id: 's', subjectCode: 'S-01' });
  });

  it('denies image metadata fields by default', () => {
    const series = { id: 'se', modality: 'CT', sliceThicknessMm: 5, seriesDescription: 'ARM B restaging', institutionName: 'General Hospital', uploadedBy: 'site-user', studyDate: '2024-03-04' };
    expect(imageResourceView(reader, 'series', series)).toEqual({ id: 'se', modality: 'CT', sliceThicknessMm: 5 });
    expect(imageResourceView(staff, 'series', series)).toEqual(series);
  });
});
