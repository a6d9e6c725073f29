// Primer section 9, items 1-7: the XPT files as bytes. Item 7's independent reader (pandas) runs in the test
// suite; here the byte-level parse is compared with the rows the export meant to write.
import type { SdtmDataset } from '../sdtm/dataset.js';
import type { Domain } from '../sdtm/variables.js';
import { readXpt } from '../xpt/xpt-reader.js';
import type { FindingSink } from './findings.js';

const FIVE_GB = 5 * 1024 ** 3;

export interface XptFileToCheck {
  readonly domain: Domain;
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

export function checkXptFiles(sink: FindingSink, datasets: Readonly<Record<Domain, SdtmDataset>>, files: readonly XptFileToCheck[]): void {
  for (const f of files) {
    const domain = f.domain;
    const stem = f.fileName.replace(/\.xpt$/, '');
    if (f.fileName !== f.fileName.toLowerCase() || !f.fileName.endsWith('.xpt') || stem !== domain.toLowerCase()) {
      sink.error({ code: 'XPT_FILE_NAME', item: 1, domain, message: `file ${f.fileName} must be ${domain.toLowerCase()}.xpt` });
    }
    if (f.bytes.length > FIVE_GB) sink.error({ code: 'XPT_TOO_LARGE', item: 1, domain, message: `${f.fileName} exceeds 5 GB` });
    let parsed;
    try {
      parsed = readXpt(f.bytes);
    } catch (e) {
      sink.error({ code: 'XPT_UNREADABLE', item: 2, domain, message: `${f.fileName}: ${(e as Error).message}` });
      continue;
    }
    if (parsed.name !== stem.toUpperCase()) sink.error({ code: 'XPT_MEMBER_NAME', item: 1, domain, message: `member ${parsed.name} does not match file ${f.fileName}` });
    for (const issue of parsed.issues) sink.error({ code: 'XPT_STRUCTURE', item: issue.item, domain, message: `${f.fileName}: ${issue.message}` });

    const ds = datasets[domain];
    const same = parsed.label === ds.label && parsed.variables.length === ds.variables.length &&
      parsed.variables.every((v, i) => v.name === ds.variables[i].name && v.label === ds.variables[i].label && v.length === ds.variables[i].length && v.type === (ds.variables[i].type === 'Num' ? 'num' : 'char'));
    if (!same) sink.error({ code: 'XPT_CONTENT_MISMATCH', item: 7, domain, message: `${f.fileName}: dataset label or variable metadata differ from the export metadata` });
    if (parsed.rows.length !== ds.rows.length) {
      sink.error({ code: 'XPT_CONTENT_MISMATCH', item: 7, domain, message: `${f.fileName}: ${parsed.rows.length} observations, expected ${ds.rows.length}` });
      continue;
    }
    parsed.rows.forEach((row, r) => {
      row.forEach((value, j) => {
        const name = parsed.variables[j].name;
        if (typeof value === 'object' && value !== null) {
          sink.error({ code: 'XPT_SPECIAL_MISSING', item: 6, domain, row: r + 1, variable: name, message: `special missing ${value.missing}; SDTM uses only .` });
          return;
        }
        const expected = ds.rows[r][name] ?? null;
        if (value !== expected) {
          sink.error({ code: 'XPT_CONTENT_MISMATCH', item: 7, domain, row: r + 1, variable: name, message: `reads back as ${JSON.stringify(value)}, expected ${JSON.stringify(expected)}` });
        }
      });
    });
  }
}
