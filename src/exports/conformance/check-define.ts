// Primer section 9 item 26: define.xml agrees with the files. Parses the document (strictly) and compares
// datasets, variables, order, types, lengths, labels, mandatory flags, keys and codelist values with the data.
import type { SdtmDataset, SdtmRow } from '../sdtm/dataset.js';
import type { Domain } from '../sdtm/variables.js';
import type { FindingSink } from './findings.js';
import { type XmlElement, XmlSyntaxError, childrenNamed, parseXml, textOf } from './xml-tree.js';

const CHAR_TYPES = new Set(['text', 'date', 'datetime', 'time', 'partialDate', 'partialTime', 'partialDatetime', 'incompleteDatetime', 'durationDatetime']);
const NUM_TYPES = new Set(['integer', 'float']);

export function checkDefine(sink: FindingSink, datasets: Readonly<Record<Domain, SdtmDataset>>, defineXml: string, fileNameOf: (d: Domain) => string): void {
  const at = { item: 26, domain: 'define' as const };
  let odm: XmlElement;
  try {
    odm = parseXml(defineXml);
  } catch (e) {
    sink.error({ ...at, code: 'DEFINE_MALFORMED', message: e instanceof XmlSyntaxError ? e.message : String(e) });
    return;
  }
  const mdv = childrenNamed(odm, 'Study')[0] ? childrenNamed(childrenNamed(odm, 'Study')[0], 'MetaDataVersion')[0] : undefined;
  if (odm.name !== 'ODM' || odm.attributes.ODMVersion !== '1.3.2' || odm.attributes['xmlns'] !== 'http://www.cdisc.org/ns/odm/v1.3' || !mdv) {
    sink.error({ ...at, code: 'DEFINE_MALFORMED', message: 'not an ODM 1.3.2 document with Study/MetaDataVersion' });
    return;
  }
  const defineVersion = mdv.attributes['def:DefineVersion'] ?? '';
  if (!/^2\.[01]\.\d+$/.test(defineVersion)) sink.error({ ...at, code: 'DEFINE_MALFORMED', message: `def:DefineVersion ${defineVersion}` });
  const itemDefs = new Map(childrenNamed(mdv, 'ItemDef').map((e) => [e.attributes.OID, e] as const));
  const codeLists = new Map(
    childrenNamed(mdv, 'CodeList').map((e) => [e.attributes.OID, new Set([...childrenNamed(e, 'CodeListItem'), ...childrenNamed(e, 'EnumeratedItem')].map((i) => i.attributes.CodedValue))] as const),
  );
  const whereClauses = new Map(
    childrenNamed(mdv, 'def:WhereClauseDef').map((w) => [
      w.attributes.OID,
      childrenNamed(w, 'RangeCheck').map((rc) => ({ itemOid: rc.attributes['def:ItemOID'], comparator: rc.attributes.Comparator, values: childrenNamed(rc, 'CheckValue').map((c) => c.text) })),
    ] as const),
  );
  const valueLists = new Map(childrenNamed(mdv, 'def:ValueListDef').map((v) => [v.attributes.OID, childrenNamed(v, 'ItemRef')] as const));
  const groups = childrenNamed(mdv, 'ItemGroupDef');
  if (groups.length !== Object.keys(datasets).length) sink.error({ ...at, code: 'DEFINE_DATASET', message: `${groups.length} ItemGroupDefs for ${Object.keys(datasets).length} datasets` });

  for (const domain of ['TU', 'TR', 'RS'] as const) {
    const ds = datasets[domain];
    const g = groups.find((x) => x.attributes.Name === domain);
    if (!g) {
      sink.error({ ...at, code: 'DEFINE_DATASET', message: `no ItemGroupDef for ${domain}` });
      continue;
    }
    const leaf = childrenNamed(g, 'def:leaf')[0];
    if (g.attributes.SASDatasetName !== domain || g.attributes.Domain !== domain || leaf?.attributes['xlink:href'] !== fileNameOf(domain) || g.attributes['def:ArchiveLocationID'] !== leaf?.attributes.ID) {
      sink.error({ ...at, code: 'DEFINE_DATASET', message: `${domain}: SASDatasetName/Domain/def:leaf must name ${fileNameOf(domain)}` });
    }
    if (textOf(g, ['Description', 'TranslatedText']) !== ds.label) sink.error({ ...at, code: 'DEFINE_DATASET', message: `${domain}: Description differs from the dataset label` });
    const refs = childrenNamed(g, 'ItemRef');
    const names = refs.map((r) => itemDefs.get(r.attributes.ItemOID)?.attributes.Name);
    if (JSON.stringify(names) !== JSON.stringify(ds.variables.map((v) => v.name))) {
      sink.error({ ...at, code: 'DEFINE_VARIABLES', p21: 'SD0054', message: `${domain}: ItemRefs [${names.join(', ')}] do not equal the variables in order` });
      continue;
    }
    const keyed: { seq: number; name: string }[] = [];
    refs.forEach((ref, i) => {
      const v = ds.variables[i];
      const def = itemDefs.get(ref.attributes.ItemOID)!;
      if (Number(ref.attributes.OrderNumber) !== v.order || v.order !== i + 1) sink.error({ ...at, code: 'DEFINE_VARIABLES', p21: 'SD0060', variable: v.name, message: `${domain}.${v.name}: OrderNumber ${ref.attributes.OrderNumber}` });
      const dt = def.attributes.DataType;
      if (v.type === 'Char' ? !CHAR_TYPES.has(dt) : !NUM_TYPES.has(dt)) sink.error({ ...at, code: 'DEFINE_ATTRIBUTE', p21: 'SD0059', variable: v.name, message: `${domain}.${v.name}: DataType ${dt} for a ${v.type} variable` });
      if (Number(def.attributes.Length) !== v.length) sink.error({ ...at, code: 'DEFINE_ATTRIBUTE', p21: 'SD1324', variable: v.name, message: `${domain}.${v.name}: Length ${def.attributes.Length}, XPT has ${v.length}` });
      if (def.attributes.SASFieldName !== v.name) sink.error({ ...at, code: 'DEFINE_ATTRIBUTE', variable: v.name, message: `${domain}.${v.name}: SASFieldName ${def.attributes.SASFieldName}` });
      if (textOf(def, ['Description', 'TranslatedText']) !== v.label) sink.error({ ...at, code: 'DEFINE_ATTRIBUTE', variable: v.name, message: `${domain}.${v.name}: Description differs from the XPT label` });
      const values = ds.rows.map((r) => r[v.name] ?? null);
      if (ref.attributes.Mandatory === 'Yes' && values.some((x) => x === null)) sink.error({ ...at, code: 'DEFINE_MANDATORY', variable: v.name, message: `${domain}.${v.name} is Mandatory but has nulls` });
      if (dt === 'integer' && values.some((x) => typeof x === 'number' && !Number.isInteger(x))) sink.error({ ...at, code: 'DEFINE_ATTRIBUTE', variable: v.name, message: `${domain}.${v.name}: integer with fractional values` });
      if (ref.attributes.KeySequence) keyed.push({ seq: Number(ref.attributes.KeySequence), name: v.name });
      const clRef = childrenNamed(def, 'CodeListRef')[0]?.attributes.CodeListOID;
      if (clRef) checkValuesInCodelist(sink, domain, v.name, ds.rows, clRef, codeLists, () => true);
      const vlRef = childrenNamed(def, 'def:ValueListRef')[0]?.attributes.ValueListOID;
      if (vlRef) {
        for (const vref of valueLists.get(vlRef) ?? []) {
          const vdef = itemDefs.get(vref.attributes.ItemOID);
          const wc = whereClauses.get(childrenNamed(vref, 'def:WhereClauseRef')[0]?.attributes.WhereClauseOID ?? '');
          if (!vdef || !wc) {
            sink.error({ ...at, code: 'DEFINE_VARIABLES', variable: v.name, message: `${domain}.${v.name}: value-level ItemRef without ItemDef or where clause` });
            continue;
          }
          const matches = (r: SdtmRow) =>
            wc.every((c) => {
              const name = itemDefs.get(c.itemOid)?.attributes.Name ?? '';
              const value = String(r[name] ?? '');
              switch (c.comparator) {
                case 'EQ': case 'IN': return c.values.includes(value);
                case 'NE': case 'NOTIN': return !c.values.includes(value);
                default: return false;
              }
            });
          const subset = ds.rows.filter(matches);
          const len = Number(vdef.attributes.Length);
          if (subset.some((r) => typeof r[v.name] === 'string' && (r[v.name] as string).length > len)) sink.error({ ...at, code: 'DEFINE_ATTRIBUTE', variable: v.name, message: `${domain}.${v.name} (${vdef.attributes.OID}): values longer than Length ${len}` });
          if (vref.attributes.Mandatory === 'Yes' && subset.some((r) => (r[v.name] ?? null) === null)) sink.error({ ...at, code: 'DEFINE_MANDATORY', variable: v.name, message: `${vdef.attributes.OID} is Mandatory but has nulls` });
          if (NUM_TYPES.has(vdef.attributes.DataType) && subset.some((r) => typeof r[v.name] === 'string' && !/^-?(0|[1-9]\d*)(\.\d+)?$/.test(r[v.name] as string))) {
            sink.error({ ...at, code: 'DEFINE_ATTRIBUTE', variable: v.name, message: `${vdef.attributes.OID} is ${vdef.attributes.DataType} but has non-numeric values` });
          }
          const vcl = childrenNamed(vdef, 'CodeListRef')[0]?.attributes.CodeListOID;
          if (vcl) checkValuesInCodelist(sink, domain, v.name, ds.rows, vcl, codeLists, matches);
        }
      }
    });
    keyed.sort((a, b) => a.seq - b.seq);
    if (keyed.some((k, i) => k.seq !== i + 1)) sink.error({ ...at, code: 'DEFINE_KEYS', p21: 'SD1152', message: `${domain}: KeySequence not 1..n` });
    const seen = new Set<string>();
    for (const r of ds.rows) {
      const k = JSON.stringify(keyed.map((x) => r[x.name] ?? null));
      if (seen.has(k)) {
        sink.error({ ...at, code: 'DEFINE_KEYS', p21: 'SD1152', usubjid: String(r.USUBJID), message: `${domain}: key ${keyed.map((x) => x.name).join('/')} does not identify records uniquely: ${k}` });
        break;
      }
      seen.add(k);
    }
  }
}

function checkValuesInCodelist(
  sink: FindingSink, domain: Domain, variable: string, rows: readonly SdtmRow[], clOid: string,
  codeLists: ReadonlyMap<string, ReadonlySet<string>>, where: (r: SdtmRow) => boolean,
): void {
  const terms = codeLists.get(clOid);
  if (!terms) {
    sink.error({ item: 26, domain: 'define', code: 'DEFINE_CODELIST', variable, message: `${domain}.${variable}: CodeList ${clOid} not defined` });
    return;
  }
  for (const r of rows) {
    const x = r[variable];
    if (typeof x === 'string' && where(r) && !terms.has(x)) {
      sink.error({ item: 26, domain: 'define', code: 'DEFINE_CODELIST', p21: 'SD0037', variable, usubjid: String(r.USUBJID), message: `${domain}.${variable} value ${JSON.stringify(x)} not in ${clOid}` });
    }
  }
}
