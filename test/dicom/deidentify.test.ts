// De-identified output is read back with dicom-parser, independently of the dcmjs writer that produced it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import dicomParser, { type DataSet } from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { assertSeriesInOneStudy, assertSinglePatient } from '../../src/dicom/batch-checks.js';
import { deidentify, type TrialContext } from '../../src/dicom/deidentify.js';
import { parseDicom } from '../../src/dicom/parse.js';
import { enabledColumns, findProfileRow, resolveAction, type DeidentificationOptions } from '../../src/dicom/profile.js';
import { dateShiftDays, pseudonymousUid } from '../../src/dicom/pseudonyms.js';
import { corpusDir } from '../corpus.js';
import { TEST_OPTIONS, TEST_TRIAL } from './corpus-outcome.js';
import { writeDicom, type Attrs } from './synthetic.js';

const CANARY = 'CANARY';
const str = (v: string) => ({ vr: 'LO', Value: [v] });
const pn = (v: string) => ({ vr: 'PN', Value: [{ Alphabetic: v }] });

/** A file with canary PHI in every commonly identifying place: every VR, nested sequences, private blocks. */
function canaryAttrs(): Attrs {
  return {
    '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
    '00080018': { vr: 'UI', Value: ['1.2.826.0.1.3680043.99.777001'] },
    '00080020': { vr: 'DA', Value: ['20200115'] },
    '00080021': { vr: 'DA', Value: ['20200117'] },
    '00080030': { vr: 'TM', Value: ['101500'] },
    '0008002A': { vr: 'DT', Value: ['20200115101500.123+0100'] },
    '00080050': { vr: 'SH', Value: [`${CANARY}ACC`] },
    '00080060': { vr: 'CS', Value: ['CT'] },
    '00080080': str(`${CANARY} HOSPITAL`),
    '00080081': { vr: 'ST', Value: [`${CANARY} street 1`] },
    '00080090': pn(`${CANARY}^Referrer`),
    '00081010': { vr: 'SH', Value: [`${CANARY}STN`] },
    '00081030': str(`${CANARY} study description ARM B`),
    '0008103E': str(`${CANARY} series`),
    '00081048': pn(`${CANARY}^Physician`),
    '00081070': pn(`${CANARY}^Operator`),
    '00081155': { vr: 'UI', Value: ['1.2.826.0.1.3680043.99.777009'] },
    '00100010': pn(`${CANARY}^Patient`),
    '00100020': str(`${CANARY}MRN`),
    '00100030': { vr: 'DA', Value: ['19500101'] },
    '00100040': { vr: 'CS', Value: ['F'] },
    '00101000': str(`${CANARY}OTHERID`),
    '00101001': pn(`${CANARY}^Alias`),
    '00101010': { vr: 'AS', Value: ['070Y'] },
    '00101030': { vr: 'DS', Value: [71.5] },
    '00101040': str(`${CANARY} home address`),
    '00102154': { vr: 'SH', Value: [`${CANARY}555`] },
    '001021B0': { vr: 'LT', Value: [`${CANARY} history`] },
    '00104000': { vr: 'LT', Value: [`${CANARY} comment`] },
    '00180015': { vr: 'CS', Value: ['CHEST'] },
    '00181000': str(`${CANARY}SERIAL`),
    '00181030': str(`${CANARY} protocol`),
    '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.99.777002'] },
    '0020000E': { vr: 'UI', Value: ['1.2.826.0.1.3680043.99.777003'] },
    '00200010': { vr: 'SH', Value: [`${CANARY}SID`] },
    '00200052': { vr: 'UI', Value: ['1.2.826.0.1.3680043.99.777004'] },
    '00204000': { vr: 'LT', Value: [`${CANARY} image comment`] },
    '00321032': pn(`${CANARY}^Requesting`),
    '00400275': {
      vr: 'SQ',
      Value: [{ '00321060': str(`${CANARY} requested procedure`), '00400009': { vr: 'SH', Value: [`${CANARY}SPS`] }, '00401001': { vr: 'SH', Value: [`${CANARY}RPID`] } }],
    },
    '00081110': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.840.10008.3.1.2.3.1'] }, '00081155': { vr: 'UI', Value: ['1.2.826.0.1.3680043.99.777005'] } }] },
    '00081140': {
      vr: 'SQ',
      Value: [{ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: ['1.2.826.0.1.3680043.99.777006'] }, '00100010': pn(`${CANARY}^Nested`) }],
    },
    '0040A730': {
      vr: 'SQ',
      Value: [
        {
          '0040A010': { vr: 'CS', Value: ['HAS OBS CONTEXT'] },
          '0040A040': { vr: 'CS', Value: ['PNAME'] },
          '0040A123': pn(`${CANARY}^Observer`),
          '0040A730': { vr: 'SQ', Value: [{ '0040A160': { vr: 'UT', Value: [`${CANARY} deep free text`] }, '00080080': str(`${CANARY} deep institution`) }] },
        },
      ],
    },
    '00500099': str(`${CANARY} unknown public attribute`),
    '00090010': str('CANARYCORP'),
    '00091001': str(`${CANARY} private value`),
    '00091002': { vr: 'SQ', Value: [{ '00100010': pn(`${CANARY}^InPrivateSq`) }] },
    '00110010': str('SAFE VENDOR'),
    '00111001': { vr: 'DS', Value: [42] },
    '00111002': str(`${CANARY} unsafe private`),
    '00120040': str(TEST_TRIAL.subjectId),
  };
}

function walk(ds: DataSet, visit: (tag: string, ds: DataSet) => void): void {
  for (const [tag, el] of Object.entries(ds.elements)) {
    visit(tag, ds);
    for (const item of el.items ?? []) if (item.dataSet) walk(item.dataSet, visit);
  }
}

function rawValue(ds: DataSet, tag: string): string {
  const el = ds.elements[tag];
  return Buffer.from(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length)).toString('latin1').replace(/[\0 ]+$/, '');
}

function run(attrs: Attrs, options: DeidentificationOptions = TEST_OPTIONS, trial: TrialContext = TEST_TRIAL) {
  const bytes = writeDicom(attrs);
  const result = deidentify(parseDicom(bytes), bytes, trial, options);
  return { result, out: dicomParser.parseDicom(result.part10) };
}

describe('deidentify: canary PHI', () => {
  // @req DEID-01
  it('leaves no canary anywhere in the output bytes (every VR, nested, private, unknown)', () => {
    const { result } = run(canaryAttrs());
    expect(Buffer.from(result.part10).toString('latin1')).not.toContain(CANARY);
    expect(Buffer.from(result.part10).toString('latin1')).not.toContain('777001');
    expect(Buffer.from(result.part10).toString('latin1')).not.toContain('20200115');
    expect(Buffer.from(result.part10).toString('latin1')).not.toContain('19500101');
  });

  it('records actions by tag and never by value', () => {
    const { result } = run(canaryAttrs());
    const text = JSON.stringify(result.actions) + JSON.stringify(result.ledger);
    expect(text).not.toContain(CANARY);
    expect(result.actions).toContainEqual({ path: '(0040,A730)[0].(0040,A123)', tag: '(0040,A123)', action: 'D', note: 'profile' });
    expect(result.actions).toContainEqual({ path: '(0009,1001)', tag: '(0009,1001)', action: 'X', note: 'private' });
    expect(result.actions).toContainEqual({ path: '(0050,0099)', tag: '(0050,0099)', action: 'X', note: 'unknown-attribute' });
  });

  // @req DEID-08 (trial attributes and de-identification method attributes; the originals vault is not built)
  it('replaces patient name and ID with the subject ID and fills the clinical trial attributes', () => {
    const { out } = run(canaryAttrs());
    expect(out.string('x00100010')).toBe(TEST_TRIAL.subjectId);
    expect(out.string('x00100020')).toBe(TEST_TRIAL.subjectId);
    expect(out.string('x00120010')).toBe(TEST_TRIAL.sponsorName);
    expect(out.string('x00120020')).toBe(TEST_TRIAL.protocolId);
    expect(out.string('x00120030')).toBe(TEST_TRIAL.siteId);
    expect(out.string('x00120040')).toBe(TEST_TRIAL.subjectId);
    expect(out.string('x00120050')).toBe(TEST_TRIAL.timepointId);
    expect(out.string('x00120062')).toBe('YES');
    expect(out.string('x00120063')!.split('\\')).toEqual([
      'PS3.15 E.1-1 Basic Profile',
      'corelab-e1-1/2025.1',
      'Retain Longitudinal Temporal Information Modified Dates Option',
      'Retain Patient Characteristics Option',
    ]);
    const codes = out.elements.x00120064.items!.map((i) => i.dataSet!.string('x00080100'));
    expect(codes).toEqual(['113100', '113107', '113108']);
    expect(out.elements.x00120064.items![0].dataSet!.string('x00080102')).toBe('DCM');
    expect(out.string('x00280303')).toBe('MODIFIED');
  });

  it('keeps patient characteristics under the option and removes them without it', () => {
    const withOption = run(canaryAttrs()).out;
    expect(withOption.string('x00101010')).toBe('070Y');
    expect(withOption.string('x00100040')).toBe('F');
    const without = run(canaryAttrs(), { ...TEST_OPTIONS, retainPatientCharacteristics: false }).out;
    expect(without.elements.x00101010).toBeUndefined();
    expect(without.elements.x00101030).toBeUndefined();
    expect(without.elements.x00100040?.length ?? 0).toBe(0);
  });

  // @req DEID-02
  it('shifts dates by one per-subject offset, preserving intervals and time of day', () => {
    const { out } = run(canaryAttrs());
    const days = dateShiftDays(TEST_TRIAL.trialKey, TEST_TRIAL.subjectId, TEST_OPTIONS.dateShiftDays);
    expect(days).toBeGreaterThanOrEqual(-3650);
    expect(days).toBeLessThanOrEqual(-365);
    const toDay = (da: string) => Date.UTC(+da.slice(0, 4), +da.slice(4, 6) - 1, +da.slice(6, 8)) / 86_400_000;
    expect(toDay(out.string('x00080020')!) - toDay('20200115')).toBe(days);
    expect(toDay(out.string('x00080021')!) - toDay(out.string('x00080020')!)).toBe(2);
    expect(out.string('x0008002a')!.slice(8)).toBe('101500.123+0100');
    expect(out.string('x00080030')).toBe('101500');
    expect(out.elements.x00100030?.length ?? 0).toBe(0); // birth date is Z whatever the option
  });

  it('without the dates option, removes or empties dates and marks them REMOVED', () => {
    const { out } = run(canaryAttrs(), { ...TEST_OPTIONS, retainLongitudinalTemporalInformationModifiedDates: false });
    expect(out.elements.x00080020.length).toBe(0);
    expect(out.elements.x00080021).toBeUndefined();
    expect(out.string('x00280303')).toBe('REMOVED');
  });

  // @req DEID-03
  it('maps UIDs deterministically per trial key, including references in sequences', () => {
    const a = run(canaryAttrs()).out;
    const b = run(canaryAttrs()).out;
    const other = run(canaryAttrs(), TEST_OPTIONS, { ...TEST_TRIAL, trialKey: 'another-trial' }).out;
    expect(a.string('x00080018')).toBe(pseudonymousUid(TEST_TRIAL.trialKey, '1.2.826.0.1.3680043.99.777001'));
    expect(a.string('x00080018')).toBe(b.string('x00080018'));
    expect(a.string('x0020000d')).not.toBe(other.string('x0020000d'));
    expect(a.string('x00080018')!.length).toBeLessThanOrEqual(64);
    expect(a.string('x00080018')).toMatch(/^2\.25\.\d+$/);
    const ref = a.elements.x00081140.items![0].dataSet!;
    expect(ref.string('x00081155')).toBe(pseudonymousUid(TEST_TRIAL.trialKey, '1.2.826.0.1.3680043.99.777006'));
    expect(ref.string('x00081150')).toBe('1.2.840.10008.5.1.4.1.1.2'); // SOP Class UIDs are not identifying
    expect(ref.elements.x00100010.length).toBe(0); // nested Patient's Name: Z
  });

  // @req DEID-05
  it('keeps safe-listed private elements (and their creator) and drops the rest', () => {
    const { out, result } = run(canaryAttrs(), { ...TEST_OPTIONS, safePrivateTags: [{ group: '0011', creator: 'SAFE VENDOR', element: '01' }] });
    expect(out.string('x00110010')).toBe('SAFE VENDOR');
    expect(out.elements.x00111001).toBeDefined();
    expect(out.elements.x00111002).toBeUndefined();
    expect(out.elements.x00090010).toBeUndefined();
    expect(result.ledger.options.retainSafePrivate).toBe(true);
    expect(Buffer.from(result.part10).toString('latin1')).not.toContain(CANARY);
  });

  // @req DEID-06
  it('cleans descriptors against the allowlist', () => {
    const attrs = { ...canaryAttrs(), '0008103E': str('CHEST WITH CONTRAST') };
    const { out } = run(attrs, { ...TEST_OPTIONS, cleanDescriptors: true, descriptorAllowlist: ['chest with contrast'] });
    expect(out.string('x0008103e')).toBe('CHEST WITH CONTRAST');
    expect(out.elements.x00081030.length).toBe(0); // "ARM B" never reaches readers (DEID-06)
  });

  // @req DEID-04
  it('refuses an instance whose Clinical Trial Subject ID names another subject', () => {
    const attrs = { ...canaryAttrs(), '00120040': str('S02-0099') };
    expect(() => run(attrs)).toThrow(DomainError);
    expect(() => run(attrs)).toThrow(/names a different subject/);
  });

  // @req DEID-07
  it('flags burned-in annotation for quarantine', () => {
    const { result } = run({ ...canaryAttrs(), '00280301': { vr: 'CS', Value: ['YES'] } });
    expect(result.quarantine?.reasons).toEqual(['BURNED_IN_ANNOTATION']);
    expect(run(canaryAttrs()).result.quarantine).toBeUndefined();
  });

  it('keeps a ledger entry that traces the instance without identifying it', () => {
    const bytes = writeDicom(canaryAttrs());
    const r = deidentify(parseDicom(bytes), bytes, TEST_TRIAL, TEST_OPTIONS);
    expect(r.ledger.sourceUidDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(r.ledger.sourceUidDigest).not.toContain('777001');
    expect(r.ledger.newUids.sopInstanceUid).toBe(pseudonymousUid(TEST_TRIAL.trialKey, '1.2.826.0.1.3680043.99.777001'));
    expect(r.ledger.sha256Before).not.toBe(r.ledger.sha256After);
    expect(r.ledger.profileVersion).toMatch(/^corelab-e1-1\//);
  });
});

describe('batch checks', () => {
  // @req DEID-04
  it('refuses an upload that mixes two patients', () => {
    expect(() => assertSinglePatient([{ patientIdDigest: 'a' }, { patientIdDigest: 'b' }])).toThrow(/mixes 2 different Patient IDs/);
    expect(() => assertSinglePatient([{ patientIdDigest: 'a' }, { patientIdDigest: 'a' }])).not.toThrow();
  });
  it('refuses a series that spans studies', () => {
    expect(() => assertSeriesInOneStudy([{ seriesInstanceUid: '1', studyInstanceUid: 'x' }, { seriesInstanceUid: '1', studyInstanceUid: 'y' }])).toThrow(/span more than one study/);
  });
});

const dir = corpusDir();
if (!dir) console.log('deidentify corpus checks: skipped, no corpus');
const expected = JSON.parse(readFileSync(new URL('./corpus-outcomes.expected.json', import.meta.url), 'utf8')) as Record<string, string>;
const ingested = Object.entries(expected)
  .filter(([, o]) => o === 'ingested' || o.startsWith('quarantined'))
  .map(([f]) => f);

// Tags we set from the trial context after the profile ran (they are Z/D in the table).
const SET_BY_TRIAL = new Set(['00100010', '00100020', '00120010', '00120020', '00120021', '00120030', '00120031', '00120040', '00120050', '00120051']);

describe.skipIf(!dir)('deidentify: every attribute the profile removes or replaces, on every ingested corpus file', () => {
  it.each(ingested)('%s', (file) => {
    const bytes = readFileSync(path.join(dir!, 'dicom', file));
    const source = dicomParser.parseDicom(parseDicom(bytes).canonical);
    const result = deidentify(parseDicom(bytes), bytes, TEST_TRIAL, TEST_OPTIONS);
    const out = dicomParser.parseDicom(result.part10);
    const text = Buffer.from(result.part10).toString('latin1');
    const columns = enabledColumns(TEST_OPTIONS);

    const outTags = new Map<string, DataSet[]>();
    walk(out, (tag, ds) => outTags.set(tag, [...(outTags.get(tag) ?? []), ds]));
    const checked = new Set<string>();
    walk(source, (tag, ds) => {
      const hex = tag.slice(1).toUpperCase();
      if (hex.startsWith('0002') || checked.has(tag)) return;
      const group = parseInt(hex.slice(0, 4), 16);
      if (group % 2 === 1) {
        expect(outTags.has(tag), `private ${tag} survived`).toBe(false);
        return;
      }
      const row = findProfileRow(hex);
      if (!row || SET_BY_TRIAL.has(hex)) return;
      checked.add(tag);
      const action = resolveAction(row, columns);
      const srcValue = rawValue(ds, tag);
      const occurrences = outTags.get(tag) ?? [];
      switch (action) {
        case 'X':
          expect(occurrences.length, `${row.name} ${tag} should be removed`).toBe(0);
          break;
        case 'Z':
          for (const o of occurrences) if (!o.elements[tag].items) expect(o.elements[tag].length, `${row.name} ${tag} should be empty`).toBe(0);
          break;
        case 'U':
          for (const o of occurrences) expect(rawValue(o, tag), `${row.name} ${tag}`).toMatch(/^(2\.25\.\d+(\\2\.25\.\d+)*)?$/);
          if (srcValue.length > 8) expect(text.includes(srcValue), `${row.name} source UID survived`).toBe(false);
          break;
        case 'D':
          for (const o of occurrences) if (!o.elements[tag].items && srcValue.length > 0) expect(rawValue(o, tag), `${row.name} ${tag}`).not.toBe(srcValue);
          break;
        case 'C':
          if (/^\d{8}/.test(srcValue)) for (const o of occurrences) expect(rawValue(o, tag), `${row.name} date not shifted`).not.toBe(srcValue);
          break;
        case 'K':
        case 'U*':
          break;
      }
    });
    expect(out.string('x00100010')).toBe(TEST_TRIAL.subjectId);
    expect(out.string('x00100020')).toBe(TEST_TRIAL.subjectId);
    expect(out.string('x00120062')).toBe('YES');
    expect(out.string('x00120040')).toBe(TEST_TRIAL.subjectId);
    expect(out.string('x00080018')).toBe(result.ledger.newUids.sopInstanceUid);
    expect(out.string('x00020003')).toBe(result.ledger.newUids.sopInstanceUid);
    // the pixel data element is carried over intact (the round trip parses and keeps its layout)
    const again = parseDicom(result.part10);
    expect(again.summary.pixelData?.kind).toBe(parseDicom(bytes).summary.pixelData?.kind);
  });
});
