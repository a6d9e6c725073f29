// Define-XML 2.0 for the TU/TR/RS export (primer section 7): datasets, variables with the XPT's order, types,
// lengths and labels, value-level metadata (TR results by TRTESTCD, RS results by RSCAT and RSTESTCD),
// codelists (with the values used and their NCI codelist codes), origins and derivation methods.
// CreationDateTime is the data cut-off, not the wall clock, so the same cut gives the same bytes.
import type { ExportStudy } from './sdtm/assessment.js';
import { type FinalVariable, type SdtmDataset, type SdtmRow, longestValue } from './sdtm/dataset.js';
import { CODELISTS, CT_VERSION, type CodelistId, NOT_DONE, SDTMIG_VERSION } from './sdtm/terminology.js';
import {
  DATASET_CLASS,
  DATASET_STRUCTURE,
  DERIVATIONS,
  type DerivationMethodId,
  type Domain,
  KEY_VARIABLES,
  type Origin,
} from './sdtm/variables.js';

export const DEFINE_VERSION = '2.0.0';
export const DEFINE_FILE_NAME = 'define.xml';

export function xptFileName(domain: Domain): string {
  return `${domain.toLowerCase()}.xpt`;
}

const esc = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const tt = (text: string) => `<TranslatedText xml:lang="en">${esc(text)}</TranslatedText>`;

/** Define-XML 2.0 origin types: collected imaging reads arrive from the reading platform as eDT. */
function originType(o: Origin): string {
  switch (o) {
    case 'Collected':
      return 'eDT';
    case 'Derived':
      return 'Derived';
    case 'Assigned':
      return 'Assigned';
    case 'Protocol':
      return 'Protocol';
  }
}

/** One value-level entry: a subset of a variable's rows selected by a where clause. */
export interface ValueLevelEntry {
  readonly domain: Domain;
  readonly variable: string;
  readonly where: readonly { readonly variable: string; readonly value: string }[];
  readonly dataType: 'text' | 'float' | 'integer';
  readonly length: number;
  readonly codelist?: CodelistId;
  readonly mandatory: boolean;
  readonly method?: DerivationMethodId;
}

/** Value-level metadata derived from the rows: TRORRES/TRSTRESC by TRTESTCD; RSORRES/RSSTRESC by RSCAT+RSTESTCD. */
export function valueLevelMetadata(datasets: Readonly<Record<Domain, SdtmDataset>>): ValueLevelEntry[] {
  const out: ValueLevelEntry[] = [];
  const groups = (rows: readonly SdtmRow[], keys: string[]) => {
    const m = new Map<string, SdtmRow[]>();
    for (const r of rows) {
      const k = JSON.stringify(keys.map((x) => r[x]));
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  };
  const maxLen = (rows: SdtmRow[], v: string) => longestValue(rows.map((r) => r[v] ?? null));
  for (const [key, rows] of groups(datasets.TR.rows, ['TRTESTCD'])) {
    const [testcd] = JSON.parse(key) as [string];
    const qualitative = testcd === 'TUMSTATE';
    for (const variable of ['TRORRES', 'TRSTRESC']) {
      // TRORRES of a diameter may be TOO SMALL TO MEASURE: float only when every value is a number.
      const numeric = !qualitative && rows.every((r) => r[variable] === null || NUMERIC_TEXT.test(String(r[variable])));
      out.push({
        domain: 'TR', variable, where: [{ variable: 'TRTESTCD', value: testcd }],
        dataType: numeric ? 'float' : 'text', length: maxLen(rows, variable),
        codelist: qualitative ? 'TRPROPRS' : undefined, mandatory: false,
        method: variable === 'TRSTRESC' ? SUMMARY_METHODS[testcd] : undefined,
      });
    }
  }
  for (const [key, rows] of groups(datasets.RS.rows, ['RSCAT', 'RSTESTCD'])) {
    const [cat, testcd] = JSON.parse(key) as [string, string];
    const codelist: CodelistId = testcd === 'NEWLPROG' ? 'ONCRSR_NEWLPROG' : cat === 'iRECIST' ? 'ONCRSR_IRECIST' : 'ONCRSR_RECIST';
    for (const variable of ['RSORRES', 'RSSTRESC']) {
      out.push({
        domain: 'RS', variable, where: [{ variable: 'RSCAT', value: cat }, { variable: 'RSTESTCD', value: testcd }],
        dataType: 'text', length: maxLen(rows, variable), codelist,
        // Mandatory where every record of the test has a result (NOT DONE records have none).
        mandatory: variable === 'RSSTRESC' && rows.every((r) => r.RSSTAT !== NOT_DONE),
      });
    }
  }
  return out;
}

const NUMERIC_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?$/;

const SUMMARY_METHODS: Readonly<Record<string, DerivationMethodId>> = {
  SUMDIAM: 'MT.SUMDIAM', PCBSD: 'MT.PCBSD', PCNSD: 'MT.PCNSD', ACNSD: 'MT.ACNSD',
};

const itemOid = (domain: Domain, name: string) => `IT.${domain}.${name}`;
const vlmItemOid = (e: ValueLevelEntry) => `IT.${e.domain}.${e.variable}.${e.where.map((w) => w.value.replace(/[^A-Za-z0-9]/g, '')).join('.')}`;
const whereOid = (e: ValueLevelEntry) => `WC.${e.domain}.${e.where.map((w) => `${w.variable}.${w.value.replace(/[^A-Za-z0-9]/g, '')}`).join('.')}`;
const codelistOid = (id: CodelistId) => `CL.${id}`;

/** The values used in the data for each codelist (define lists what the study uses; sponsor extensions flagged). */
function usedCodelistValues(datasets: Readonly<Record<Domain, SdtmDataset>>, vlm: readonly ValueLevelEntry[]): Map<CodelistId, Set<string>> {
  const used = new Map<CodelistId, Set<string>>();
  const add = (id: CodelistId, value: unknown) => {
    if (typeof value !== 'string') return;
    let s = used.get(id);
    if (!s) used.set(id, (s = new Set()));
    s.add(value);
  };
  for (const ds of Object.values(datasets)) {
    for (const v of ds.variables) {
      if (!v.codelist) continue;
      if (!used.has(v.codelist)) used.set(v.codelist, new Set());
      for (const r of ds.rows) add(v.codelist, r[v.name]);
    }
  }
  for (const e of vlm) {
    if (!e.codelist) continue;
    if (!used.has(e.codelist)) used.set(e.codelist, new Set());
    for (const r of datasets[e.domain].rows) if (e.where.every((w) => r[w.variable] === w.value)) add(e.codelist, r[e.variable]);
  }
  return used;
}

export interface DefineOptions {
  readonly study: ExportStudy;
  /** Data cut-off instant, written as CreationDateTime. */
  readonly createdAt: Date;
}

export function buildDefineXml(datasets: Readonly<Record<Domain, SdtmDataset>>, opts: DefineOptions): string {
  const { study } = opts;
  const domains = (['TU', 'TR', 'RS'] as const).filter((d) => datasets[d]);
  const vlm = valueLevelMetadata(datasets);
  const used = usedCodelistValues(datasets, vlm);
  const methods = new Set<DerivationMethodId>();
  const L: string[] = [];
  const when = opts.createdAt.toISOString().replace(/\.\d{3}Z$/, '');
  L.push('<?xml version="1.0" encoding="UTF-8"?>');
  L.push(
    `<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:def="http://www.cdisc.org/ns/def/v2.0" xmlns:xlink="http://www.w3.org/1999/xlink"` +
      ` ODMVersion="1.3.2" FileType="Snapshot" FileOID="${esc(`DEFINE.${study.studyId}.${study.cutoff}`)}" CreationDateTime="${when}"` +
      ` Originator="Corelab" SourceSystem="Corelab">`,
  );
  L.push(`  <Study OID="${esc(`STUDY.${study.studyId}`)}">`);
  L.push('    <GlobalVariables>');
  L.push(`      <StudyName>${esc(study.studyName ?? study.studyId)}</StudyName>`);
  L.push(`      <StudyDescription>${esc(study.studyDescription ?? study.studyId)}</StudyDescription>`);
  L.push(`      <ProtocolName>${esc(study.protocolName ?? study.studyId)}</ProtocolName>`);
  L.push('    </GlobalVariables>');
  L.push(
    `    <MetaDataVersion OID="MDV.${esc(study.studyId)}.SDTMIG.${SDTMIG_VERSION}" Name="${esc(`${study.studyId} SDTM data cut ${study.cutoff}`)}"` +
      ` Description="${esc(`Independent imaging review TU/TR/RS, controlled terminology ${CT_VERSION}`)}"` +
      ` def:DefineVersion="${DEFINE_VERSION}" def:StandardName="SDTM-IG" def:StandardVersion="${SDTMIG_VERSION}">`,
  );

  // Value lists and where clauses
  const byVariable = new Map<string, ValueLevelEntry[]>();
  for (const e of vlm) {
    const k = `${e.domain}.${e.variable}`;
    byVariable.set(k, [...(byVariable.get(k) ?? []), e]);
  }
  for (const [k, entries] of byVariable) {
    L.push(`      <def:ValueListDef OID="VL.${k}">`);
    entries.forEach((e, i) => {
      if (e.method) methods.add(e.method);
      L.push(`        <ItemRef ItemOID="${vlmItemOid(e)}" OrderNumber="${i + 1}" Mandatory="${e.mandatory ? 'Yes' : 'No'}"${e.method ? ` MethodOID="${e.method}"` : ''}>`);
      L.push(`          <def:WhereClauseRef WhereClauseOID="${whereOid(e)}"/>`);
      L.push('        </ItemRef>');
    });
    L.push('      </def:ValueListDef>');
  }
  const whereDone = new Set<string>();
  for (const e of vlm) {
    const oid = whereOid(e);
    if (whereDone.has(oid)) continue;
    whereDone.add(oid);
    L.push(`      <def:WhereClauseDef OID="${oid}">`);
    for (const w of e.where) {
      L.push(`        <RangeCheck SoftHard="Soft" def:ItemOID="${itemOid(e.domain, w.variable)}" Comparator="EQ">`);
      L.push(`          <CheckValue>${esc(w.value)}</CheckValue>`);
      L.push('        </RangeCheck>');
    }
    L.push('      </def:WhereClauseDef>');
  }

  // Datasets
  for (const d of domains) {
    const ds = datasets[d];
    L.push(
      `      <ItemGroupDef OID="IG.${d}" Name="${d}" Repeating="Yes" IsReferenceData="No" SASDatasetName="${d}" Domain="${d}"` +
        ` Purpose="Tabulation" def:Structure="${esc(DATASET_STRUCTURE[d])}" def:Class="${DATASET_CLASS[d]}" def:ArchiveLocationID="LF.${d}">`,
    );
    L.push(`        <Description>${tt(ds.label)}</Description>`);
    const keys = KEY_VARIABLES[d];
    for (const v of ds.variables) {
      const key = keys.indexOf(v.name);
      if (v.method) methods.add(v.method);
      L.push(
        `        <ItemRef ItemOID="${itemOid(d, v.name)}" OrderNumber="${v.order}" Mandatory="${v.mandatory ? 'Yes' : 'No'}"` +
          (key >= 0 ? ` KeySequence="${key + 1}"` : '') +
          (v.method ? ` MethodOID="${v.method}"` : '') +
          ` Role="${v.role}"/>`,
      );
    }
    L.push(`        <def:leaf ID="LF.${d}" xlink:href="${xptFileName(d)}">`);
    L.push(`          <def:title>${xptFileName(d)}</def:title>`);
    L.push('        </def:leaf>');
    L.push('      </ItemGroupDef>');
  }

  // Variables
  const itemDef = (oid: string, name: string, dataType: string, length: number, label: string | null, codelist: CodelistId | undefined, origin: Origin, valueList: string | null, sasName: string) => {
    L.push(`      <ItemDef OID="${oid}" Name="${esc(name)}" DataType="${dataType}" Length="${length}"${dataType === 'float' ? ' SignificantDigits="1"' : ''} SASFieldName="${sasName}">`);
    if (label !== null) L.push(`        <Description>${tt(label)}</Description>`);
    if (codelist) L.push(`        <CodeListRef CodeListOID="${codelistOid(codelist)}"/>`);
    L.push(`        <def:Origin Type="${originType(origin)}"/>`);
    if (valueList) L.push(`        <def:ValueListRef ValueListOID="${valueList}"/>`);
    L.push('      </ItemDef>');
  };
  for (const d of domains) {
    for (const v of datasets[d].variables) {
      const vl = byVariable.has(`${d}.${v.name}`) ? `VL.${d}.${v.name}` : null;
      itemDef(itemOid(d, v.name), v.name, v.dataType, v.length, v.label, v.codelist, v.origin, vl, v.name);
    }
  }
  for (const e of vlm) {
    const parent = datasets[e.domain].variables.find((v) => v.name === e.variable) as FinalVariable;
    itemDef(vlmItemOid(e), e.variable, e.dataType, e.length, `${parent.label} (${e.where.map((w) => w.value).join(', ')})`, e.codelist, parent.origin, null, e.variable);
  }

  // Codelists
  for (const id of Object.keys(CODELISTS) as CodelistId[]) {
    const values = used.get(id);
    if (!values) continue;
    const cl = CODELISTS[id];
    const terms = cl.terms as readonly string[];
    const ordered = [...terms.filter((t) => values.has(t)), ...[...values].filter((x) => !terms.includes(x)).sort()];
    const list = ordered.length > 0 ? ordered : [...terms];
    const decodes = 'decodes' in cl ? (cl.decodes as Readonly<Record<string, string>>) : undefined;
    L.push(`      <CodeList OID="${codelistOid(id)}" Name="${esc(cl.name)}" DataType="text">`);
    list.forEach((value, i) => {
      const ext = terms.includes(value) ? '' : ' def:ExtendedValue="Yes"';
      if (decodes) {
        L.push(`        <CodeListItem CodedValue="${esc(value)}" OrderNumber="${i + 1}"${ext}>`);
        L.push(`          <Decode>${tt(decodes[value] ?? value)}</Decode>`);
        L.push('        </CodeListItem>');
      } else {
        L.push(`        <EnumeratedItem CodedValue="${esc(value)}" OrderNumber="${i + 1}"${ext}/>`);
      }
    });
    if (cl.ncicode) L.push(`        <Alias Context="nci:ExtCodeID" Name="${cl.ncicode}"/>`);
    L.push('      </CodeList>');
  }

  // Derivations
  for (const id of Object.keys(DERIVATIONS) as DerivationMethodId[]) {
    if (!methods.has(id)) continue;
    const m = DERIVATIONS[id];
    L.push(`      <MethodDef OID="${id}" Name="${esc(m.name)}" Type="${m.type}">`);
    L.push(`        <Description>${tt(m.description)}</Description>`);
    L.push('      </MethodDef>');
  }
  L.push('    </MetaDataVersion>');
  L.push('  </Study>');
  L.push('</ODM>');
  return `${L.join('\n')}\n`;
}
