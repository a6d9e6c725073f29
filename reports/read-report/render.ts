// Draws a read report (report-data.ts) as PDF with pdfkit, following layout.ts. Text is written with the standard
// Helvetica fonts (WinAnsi); `compress: false` keeps the content streams readable for tests and archives.
import PDFDocument from 'pdfkit';
import { LAYOUT } from './layout.js';
import type { ReadReportData, ReportLesionRow, ReportVisit } from './report-data.js';

export interface RenderOptions {
  /** uncompressed content streams (tests read the text back) */
  compress?: boolean;
}

/** WinAnsi has no glyphs beyond Latin-1: anything else is shown as '?' rather than dropped silently. */
const latin1 = (s: string): string => s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');

export function renderReadReport(data: ReadReportData, opts: RenderOptions = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: LAYOUT.page.size,
    layout: LAYOUT.page.layout,
    margin: LAYOUT.page.margin,
    compress: opts.compress ?? true,
    info: {
      Title: `Read report ${data.trial.code} ${data.subject.code}`,
      Author: data.generatedBy,
      Creator: `Corelab ${data.platformVersion}`,
      CreationDate: new Date(data.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = LAYOUT.page.margin;
  const width = doc.page.width - 2 * LAYOUT.page.margin;
  const bottom = () => doc.page.height - LAYOUT.page.margin - 20;
  const ensure = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const text = (s: string, o: { font?: string; size?: number; colour?: string; x?: number; width?: number } = {}) => {
    doc.font(o.font ?? LAYOUT.fonts.regular).fontSize(o.size ?? LAYOUT.sizes.body).fillColor(o.colour ?? LAYOUT.colours.text);
    doc.text(latin1(s), o.x ?? left, doc.y, { width: o.width ?? width, lineGap: LAYOUT.lineGap });
  };
  const heading = (s: string) => {
    ensure(40);
    doc.moveDown(0.6);
    text(s, { font: LAYOUT.fonts.bold, size: LAYOUT.sizes.heading });
    doc.moveTo(left, doc.y).lineTo(left + width, doc.y).strokeColor(LAYOUT.colours.rule).lineWidth(0.5).stroke();
    doc.moveDown(0.3);
  };

  text(LAYOUT.title, { font: LAYOUT.fonts.bold, size: LAYOUT.sizes.title });
  text(`Trial ${data.trial.code} - ${data.trial.title}`);
  text(`Subject ${data.subject.code}, site ${data.subject.site}`);
  text(`Generated ${data.generatedAt} (UTC) by ${data.generatedBy}, Corelab ${data.platformVersion}`, { size: LAYOUT.sizes.small, colour: LAYOUT.colours.muted });

  heading('Best overall response (final assessment)');
  if (data.bestOverallResponse.length === 0) text('No final assessment yet.');
  for (const r of data.bestOverallResponse) text(`${r.criteria}: ${r.response}${r.note ? ` (${r.note})` : ''}`);

  for (const v of data.visits) drawVisit(v);

  if (data.thumbnails.length > 0) {
    heading('Measured slices');
    const { size, perRow, gap } = LAYOUT.thumbnail;
    for (let i = 0; i < data.thumbnails.length; i += perRow) {
      ensure(size + 30);
      const y = doc.y;
      data.thumbnails.slice(i, i + perRow).forEach((t, j) => {
        const x = left + j * (size + gap);
        doc.image(t.png, x, y, { fit: [size, size] });
        doc.font(LAYOUT.fonts.regular).fontSize(LAYOUT.sizes.small).fillColor(LAYOUT.colours.muted).text(latin1(t.caption), x, y + size + 2, { width: size });
      });
      doc.x = left;
      doc.y = y + size + 24;
    }
  }

  heading('Electronic signatures');
  if (data.signatures.length === 0) text('No signatures.');
  for (const s of data.signatures) {
    ensure(36);
    text(s.manifestation, { font: LAYOUT.fonts.bold });
    text(`${s.record} - ${s.status}`, { colour: s.valid ? LAYOUT.colours.muted : LAYOUT.colours.invalid, size: LAYOUT.sizes.small });
    doc.moveDown(0.2);
  }
  doc.moveDown(1);
  text(LAYOUT.footer, { size: LAYOUT.sizes.small, colour: LAYOUT.colours.muted });
  doc.end();
  return done;

  function drawVisit(v: ReportVisit) {
    heading(`${v.visit} (visit ${v.visitNum})${v.scanDate ? `, scan ${v.scanDate}` : ''}`);
    text(`Final assessment: ${v.source}${v.readerLabel ? `, ${v.readerLabel}` : ''}${v.readVersion ? `, read version ${v.readVersion}` : ''}`);
    if (v.lesions.length > 0) drawLesionTable(v.lesions);
    if (v.sumMm !== null) text(`Sum of diameters: ${v.sumMm} mm`);
    for (const r of v.responses) text(`${r.criteria} response: ${r.response}${r.note ? ` (${r.note})` : ''}`);
  }

  function drawLesionTable(rows: ReportLesionRow[]) {
    const cols = LAYOUT.lesionColumns;
    const rowHeight = LAYOUT.sizes.body + 6;
    const drawRow = (cells: string[], header: boolean) => {
      ensure(rowHeight + 2);
      const y = doc.y;
      if (header) doc.rect(left, y - 1, width, rowHeight).fill(LAYOUT.colours.headerFill);
      let x = left;
      cells.forEach((cell, i) => {
        doc.font(header ? LAYOUT.fonts.bold : LAYOUT.fonts.regular).fontSize(LAYOUT.sizes.body).fillColor(LAYOUT.colours.text);
        doc.text(latin1(cell), x + 2, y + 2, { width: cols[i].width - 4, lineBreak: false, ellipsis: true });
        x += cols[i].width;
      });
      doc.x = left;
      doc.y = y + rowHeight;
    };
    doc.moveDown(0.3);
    drawRow(cols.map((c) => c.header), true);
    for (const r of rows) drawRow(cols.map((c) => r[c.key]), false);
    doc.moveDown(0.3);
  }
}
