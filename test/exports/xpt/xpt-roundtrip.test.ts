import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { xptMissing } from '../../../src/exports/xpt/ibm-float.js';
import { readXpt } from '../../../src/exports/xpt/xpt-reader.js';
import { type XptDataset, XptWriteError, encodeXpt } from '../../../src/exports/xpt/xpt-writer.js';
import { pandasUnavailableReason, readXptWithPandas } from '../pandas-reader.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const GOLDEN = path.resolve(here, '../fixtures/golden-small.xpt');
const CUT = new Date(Date.UTC(2024, 5, 3, 9, 30, 0));

/** A small dataset exercising char padding, null chars, numeric zero/negative/fraction/missing. */
function smallDataset(): XptDataset {
  return {
    name: 'TR',
    label: 'Tumor/Lesion Results',
    variables: [
      { name: 'STUDYID', label: 'Study Identifier', type: 'char', length: 10 },
      { name: 'TRSEQ', label: 'Sequence Number', type: 'num', length: 8 },
      { name: 'TRTESTCD', label: 'Tumor/Lesion Assessment Short Name', type: 'char', length: 8 },
      { name: 'TRORRES', label: 'Result or Finding in Original Units', type: 'char', length: 20 },
      { name: 'TRSTRESN', label: 'Numeric Result/Finding in Standard Units', type: 'num', length: 8 },
    ],
    rows: [
      ['ONC-IMG-01', 1, 'LDIAM', '32', 32],
      ['ONC-IMG-01', 2, 'PCBSD', '-21.3', -21.3],
      ['ONC-IMG-01', 3, 'TUMSTATE', 'PRESENT', null],
      ['ONC-IMG-01', 4, 'LDIAM', '0', 0],
      ['ONC-IMG-01', 5, 'LDIAM', 'TOO SMALL TO MEASURE', 5],
      ['ONC-IMG-01', 6, 'LPERP', null, 0.1],
    ],
  };
}

describe('XPT writer byte layout (primer 6.1-6.2)', () => {
  const bytes = encodeXpt(smallDataset(), { createdAt: CUT });
  const card = (i: number) => bytes.subarray(i * 80, i * 80 + 80).toString('latin1');

  it('writes 80-byte cards with the exact header records', () => {
    expect(bytes.length % 80).toBe(0);
    expect(card(0)).toBe('HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  ');
    expect(card(1)).toBe(`SAS     SAS     SASLIB  9.4     CORELAB ${' '.repeat(24)}03JUN24:09:30:00`);
    expect(card(2)).toBe(`03JUN24:09:30:00${' '.repeat(64)}`);
    expect(card(3)).toBe('HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!000000000000000001600000000140  ');
    expect(card(4)).toBe('HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!000000000000000000000000000000  ');
    expect(card(5)).toBe(`SAS     TR      SASDATA 9.4     CORELAB ${' '.repeat(24)}03JUN24:09:30:00`);
    expect(card(6)).toBe(`03JUN24:09:30:00${' '.repeat(16)}${'Tumor/Lesion Results'.padEnd(40)}${' '.repeat(8)}`);
    expect(card(7)).toBe('HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000000500000000000000000000  ');
  });

  it('writes NAMESTR records with running npos, and pads the block with blanks', () => {
    const ns = (i: number) => bytes.subarray(640 + i * 140, 640 + (i + 1) * 140);
    const second = ns(1);
    expect(second.readInt16BE(0)).toBe(1); // numeric
    expect(second.readInt16BE(4)).toBe(8);
    expect(second.readInt16BE(6)).toBe(2);
    expect(second.subarray(8, 16).toString('latin1')).toBe('TRSEQ   ');
    expect(second.subarray(16, 56).toString('latin1')).toBe('Sequence Number'.padEnd(40));
    expect(second.readInt32BE(84)).toBe(10);
    expect(ns(4).readInt32BE(84)).toBe(10 + 8 + 8 + 20);
    expect([...second.subarray(88)].every((b) => b === 0)).toBe(true);
    // 5 x 140 = 700 bytes -> 720 with 20 blanks of padding
    expect(bytes.subarray(640 + 700, 640 + 720).toString('latin1')).toBe(' '.repeat(20));
    expect(bytes.subarray(1360, 1440).toString('latin1')).toBe('HEADER RECORD*******OBS     HEADER RECORD!!!!!!!000000000000000000000000000000  ');
  });

  it('writes observations back to back, blank padded to a card', () => {
    const obs = bytes.subarray(1440);
    const recLen = 54;
    expect(obs.length).toBe(Math.ceil((6 * recLen) / 80) * 80);
    expect(obs.subarray(0, 10).toString('latin1')).toBe('ONC-IMG-01');
    expect(obs.subarray(10, 18).toString('hex')).toBe('4110000000000000');
    expect(obs.subarray(2 * recLen + 46, 2 * recLen + 54).toString('hex')).toBe('2e00000000000000');
    expect(obs.subarray(5 * recLen + 26, 5 * recLen + 46).toString('latin1')).toBe(' '.repeat(20));
    expect(obs.subarray(6 * recLen).toString('latin1')).toBe(' '.repeat(obs.length - 6 * recLen));
  });

  it('matches the committed golden file byte for byte', () => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, bytes);
    expect(Buffer.compare(bytes, readFileSync(GOLDEN))).toBe(0);
  });

  it('reads back to the same names, labels, types and values with no issues', () => {
    const back = readXpt(bytes);
    expect(back.issues).toEqual([]);
    expect(back.name).toBe('TR');
    expect(back.label).toBe('Tumor/Lesion Results');
    expect(back.variables.map((v) => [v.name, v.label, v.type, v.length])).toEqual(
      smallDataset().variables.map((v) => [v.name, v.label, v.type, v.length]),
    );
    expect(back.rows).toEqual([...smallDataset().rows]);
  });

  it('round-trips special missing values through our reader', () => {
    const ds: XptDataset = {
      name: 'X', label: 'Missing', variables: [{ name: 'A', label: 'A', type: 'num', length: 8 }],
      rows: [[xptMissing('.A')], [xptMissing('._')], [xptMissing('.Z')], [null]],
    };
    expect(readXpt(encodeXpt(ds, { createdAt: CUT })).rows).toEqual([[{ missing: '.A' }], [{ missing: '._' }], [{ missing: '.Z' }], [null]]);
  });
});

describe('XPT writer refuses what would lose data', () => {
  const base = smallDataset();
  it.each([
    ['a too-long character value', { ...base, rows: [['ONC-IMG-01X', 1, 'LDIAM', '1', 1]] }],
    ['a non-ASCII character value', { ...base, rows: [['ONC-IMG-01', 1, 'LDIAM', 'caf\u00e9', 1]] }],
    ['a control character', { ...base, rows: [['ONC-IMG-01', 1, 'LDIAM', 'a\tb', 1]] }],
    ['a string in a numeric column', { ...base, rows: [['ONC-IMG-01', '1', 'LDIAM', '1', 1]] }],
    ['NaN', { ...base, rows: [['ONC-IMG-01', NaN, 'LDIAM', '1', 1]] }],
    ['a 9-character name', { ...base, variables: [{ name: 'TOOLONGNM', label: 'x', type: 'char', length: 1 }], rows: [] }],
    ['a lower-case name', { ...base, variables: [{ name: 'trseq', label: 'x', type: 'num', length: 8 }], rows: [] }],
    ['a 41-character label', { ...base, variables: [{ name: 'A', label: 'x'.repeat(41), type: 'char', length: 1 }], rows: [] }],
    ['a 201-byte character variable', { ...base, variables: [{ name: 'A', label: 'x', type: 'char', length: 201 }], rows: [] }],
    ['a numeric length other than 8', { ...base, variables: [{ name: 'A', label: 'x', type: 'num', length: 4 }], rows: [] }],
  ] as [string, XptDataset][])('%s', (_what, ds) => {
    expect(() => encodeXpt(ds, { createdAt: CUT })).toThrow(XptWriteError);
  });
});

const noPandas = pandasUnavailableReason();
if (noPandas) console.log(`skipping pandas XPT round-trip: ${noPandas}`);

describe.skipIf(noPandas !== undefined)('independent reader: pandas read_sas', () => {
  it('reads the small dataset to the same member, fields and values', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xpt-'));
    const file = path.join(dir, 'tr.xpt');
    writeFileSync(file, encodeXpt(smallDataset(), { createdAt: CUT }));
    const p = readXptWithPandas(file);
    expect(p.member).toEqual({ name: 'TR', label: 'Tumor/Lesion Results' });
    expect(p.fields.map((f) => [f.name, f.label, f.ntype, f.length])).toEqual([
      ['STUDYID', 'Study Identifier', 'char', 10],
      ['TRSEQ', 'Sequence Number', 'numeric', 8],
      ['TRTESTCD', 'Tumor/Lesion Assessment Short Name', 'char', 8],
      ['TRORRES', 'Result or Finding in Original Units', 'char', 20],
      ['TRSTRESN', 'Numeric Result/Finding in Standard Units', 'numeric', 8],
    ]);
    expect(p.rows).toEqual([...smallDataset().rows]);
  });

  it('reads extreme numbers exactly as written', () => {
    const values = [1e-78, -7e75, 0.1, -0.000123, 123456789.123, 1 / 3, 2 ** 52 + 1, 15, 16, 17];
    const ds: XptDataset = {
      name: 'NUMS', label: 'Numbers',
      variables: [{ name: 'ID', label: 'Id', type: 'char', length: 100 }, { name: 'V', label: 'Value', type: 'num', length: 8 }],
      rows: values.map((v, i) => [`row${i}`, v]),
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'xpt-'));
    const file = path.join(dir, 'nums.xpt');
    writeFileSync(file, encodeXpt(ds, { createdAt: CUT }));
    expect(readXptWithPandas(file).rows.map((r) => r[1])).toEqual(values);
  });
});
