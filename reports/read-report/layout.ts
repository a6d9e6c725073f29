// Page layout of the read report, as data: page, fonts, colours and table columns. render.ts draws from it; a
// change of layout is a change here, not in the drawing code.
export const LAYOUT = {
  page: { size: 'A4' as const, margin: 48, layout: 'portrait' as const },
  fonts: { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier' },
  sizes: { title: 16, heading: 12, body: 9, small: 7.5 },
  colours: { text: '#111111', muted: '#555555', rule: '#999999', invalid: '#b00020', headerFill: '#eeeeee' },
  lineGap: 2,
  title: 'Independent central review - read report',
  lesionColumns: [
    { key: 'id', header: 'Lesion', width: 52 },
    { key: 'kind', header: 'Class', width: 58 },
    { key: 'organ', header: 'Organ', width: 78 },
    { key: 'location', header: 'Location', width: 130 },
    { key: 'result', header: 'Result', width: 95 },
    { key: 'method', header: 'Measurement', width: 86 },
  ] as const,
  thumbnail: { size: 120, perRow: 3, gap: 12 },
  footer: 'Signatures are shown as recorded (21 CFR 11.50) and verified against the signed record (11.70).',
} as const;

export type LesionColumnKey = (typeof LAYOUT.lesionColumns)[number]['key'];
