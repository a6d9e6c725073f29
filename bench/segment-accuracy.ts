// Accuracy of the default lesion segmentation model.
//   (a) synthetic phantoms (bench/segment-phantoms.ts): Dice, IoU, long- and short-axis error against the truth mask;
//       targets Dice >= 0.90 and long-axis error <= 1 mm or 5 %.
//   (b) real CT, Lung-PET-CT-Dx subject A0001 (../shared/corpus/ct/lung-pet-ct-dx): a click at the centre of every
//       tumour box, IoU of the mask's in-slice bounding box with the box, and the long axis against the box diagonal
//       (a lesion inside the box cannot be longer); target median box IoU >= 0.7.
// Usage: npx tsx bench/segment-accuracy.ts [--model <id>, default DEFAULT_LESION_MODEL_ID] [--registry dir] [--phantoms-only|--ct-only]
// Prints one line per case, summaries, and a final single-line JSON.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { corpusDir } from '../test/corpus.js';
import { assembleVolumeFromFiles } from '../src/dicom/series-files.js';
import { measureMaskSlice } from '../src/domain/measurement/index.js';
import { voxelToPatient } from '../src/domain/volume.js';
import { geometryOfBox } from '../src/segmentation/volume-crop.js';
import { DEFAULT_LESION_MODEL_ID, defaultModelRegistryDir, loadRegisteredModel } from '../src/segmentation/model-registry.js';
import { executionProviderFromEnv, openModelSession } from '../src/segmentation/onnx-session.js';
import { segmentLesion } from '../src/segmentation/segment-lesion.js';
import { makePhantom, phantomSuite } from './segment-phantoms.js';
import { axesMm, overlap, pasteMask } from './segment-scoring.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const modelId = opt('--model', DEFAULT_LESION_MODEL_ID);
const registryDir = opt('--registry', defaultModelRegistryDir());
const DICE_TARGET = 0.9;
const BOX_IOU_TARGET = 0.7;

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

const ms = await openModelSession(await loadRegisteredModel(registryDir, modelId), {
  executionProvider: executionProviderFromEnv(),
  intraOpThreads: Number(process.env.CORELAB_ONNX_THREADS ?? 1),
});
console.log(`model ${ms.card.id}@${ms.card.version} sha256 ${ms.card.sha256.slice(0, 12)} on ${ms.executionProvider}`);

interface PhantomRow {
  name: string;
  dice: number;
  iou: number;
  longErrMm: number;
  longErrPct: number;
  shortErrMm: number;
  pass: boolean;
}
const phantomRows: PhantomRow[] = [];
if (!args.includes('--ct-only')) {
  console.log('\n(a) phantoms: case dice iou long(truth->pred mm) longErr short(truth->pred mm) shortErr pass');
  for (const spec of phantomSuite()) {
    const ph = makePhantom(spec);
    const seg = await segmentLesion(ph.volume, { kind: 'point', pointMm: ph.centreMm }, ms);
    const pred = pasteMask(seg.mask, ph.volume.dims);
    const { dice, iou } = overlap(pred, ph.truth);
    const t = axesMm(ph.truth, ph.volume);
    const p = axesMm(pred, ph.volume);
    const longErrMm = Math.abs(p.longAxisMm - t.longAxisMm);
    const longErrPct = (100 * longErrMm) / Math.max(t.longAxisMm, 1e-6);
    const shortErrMm = Math.abs(p.shortAxisMm - t.shortAxisMm);
    const pass = dice >= DICE_TARGET && (longErrMm <= 1 || longErrPct <= 5);
    phantomRows.push({ name: spec.name, dice, iou, longErrMm, longErrPct, shortErrMm, pass });
    console.log(
      `${spec.name.padEnd(34)} ${f(dice, 3)} ${f(iou, 3)} ${f(t.longAxisMm, 1)}->${f(p.longAxisMm, 1)} ${f(longErrMm)}mm/${f(longErrPct, 1)}% ` +
        `${f(t.shortAxisMm, 1)}->${f(p.shortAxisMm, 1)} ${f(shortErrMm)}mm ${pass ? 'PASS' : 'FAIL'}`,
    );
  }
  const dices = phantomRows.map((r) => r.dice);
  console.log(
    `phantoms: n=${phantomRows.length} dice mean ${f(mean(dices), 3)} median ${f(median(dices), 3)} min ${f(Math.min(...dices), 3)}; ` +
      `long-axis error median ${f(median(phantomRows.map((r) => r.longErrMm)))} mm, within 1 mm or 5 %: ` +
      `${phantomRows.filter((r) => r.longErrMm <= 1 || r.longErrPct <= 5).length}/${phantomRows.length}; ` +
      `short-axis error median ${f(median(phantomRows.map((r) => r.shortErrMm)))} mm; cases passing both targets ${phantomRows.filter((r) => r.pass).length}/${phantomRows.length}`,
  );
}

interface CtRow {
  uid: string;
  iou: number;
  longMm: number;
  diagMm: number;
  shortMm: number;
}
const ctRows: CtRow[] = [];
const corpus = corpusDir();
const lungRoot = corpus ? path.join(corpus, 'ct/lung-pet-ct-dx') : undefined;
if (args.includes('--phantoms-only')) {
  // skipped on request
} else if (!lungRoot || !existsSync(lungRoot)) {
  console.log('\n(b) Lung-PET-CT-Dx skipped: corpus not found (set CORELAB_CORPUS)');
} else {
  console.log('\n(b) Lung-PET-CT-Dx A0001: sop-uid(...) slice boxIoU long/diag(mm) short(mm)');
  const annDir = path.join(lungRoot, 'Annotation/A0001');
  const boxes = new Map<string, { xmin: number; ymin: number; xmax: number; ymax: number }>();
  for (const fn of await readdir(annDir)) {
    const xml = await readFile(path.join(annDir, fn), 'utf8');
    const num = (tag: string) => Number(xml.match(new RegExp(`<${tag}>\\s*([\\d.]+)\\s*</${tag}>`))?.[1] ?? NaN);
    boxes.set(fn.replace(/\.xml$/, ''), { xmin: num('xmin'), ymin: num('ymin'), xmax: num('xmax'), ymax: num('ymax') });
  }
  const studyRoot = path.join(lungRoot, 'Lung-PET-CT-Dx/Lung_Dx-A0001');
  const seriesDirs: string[] = [];
  for (const study of await readdir(studyRoot)) for (const s of await readdir(path.join(studyRoot, study))) seriesDirs.push(path.join(studyRoot, study, s));
  for (const dir of seriesDirs.sort()) {
    const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.dcm')).map((f) => path.join(dir, f));
    const { volume, order } = await assembleVolumeFromFiles(files);
    const sopInstanceUids = order.map((o) => o.sopInstanceUid);
    const [sx, sy] = volume.spacingMm;
    for (let k = 0; k < sopInstanceUids.length; k++) {
      const box = boxes.get(sopInstanceUids[k]);
      if (!box) continue;
      const centre = voxelToPatient(volume, [(box.xmin + box.xmax) / 2, (box.ymin + box.ymax) / 2, k]);
      const seg = await segmentLesion(volume, { kind: 'point', pointMm: centre }, ms);
      const z = k - seg.mask.offset[2];
      let iou = 0;
      let longMm = 0;
      let shortMm = 0;
      if (seg.outcome === 'segmented' && z >= 0 && z < seg.mask.dims[2]) {
        const [w, h] = seg.mask.dims;
        let x0 = Infinity;
        let y0 = Infinity;
        let x1 = -Infinity;
        let y1 = -Infinity;
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            if (seg.mask.data[x + y * w + z * w * h]) (x0 = Math.min(x0, x)), (y0 = Math.min(y0, y)), (x1 = Math.max(x1, x)), (y1 = Math.max(y1, y));
        if (x1 >= x0) {
          // pixel boxes as inclusive index ranges, compared as areas of [min, max + 1)
          const mx0 = x0 + seg.mask.offset[0];
          const mx1 = x1 + seg.mask.offset[0] + 1;
          const my0 = y0 + seg.mask.offset[1];
          const my1 = y1 + seg.mask.offset[1] + 1;
          const bx1 = box.xmax + 1;
          const by1 = box.ymax + 1;
          const iw = Math.max(0, Math.min(mx1, bx1) - Math.max(mx0, box.xmin));
          const ih = Math.max(0, Math.min(my1, by1) - Math.max(my0, box.ymin));
          const inter = iw * ih;
          iou = inter / ((mx1 - mx0) * (my1 - my0) + (bx1 - box.xmin) * (by1 - box.ymin) - inter);
          const axes = measureMaskSlice(seg.mask.data, geometryOfBox(volume, { offset: seg.mask.offset, size: seg.mask.dims }), z);
          longMm = axes.longAxis.lengthMm;
          shortMm = axes.shortAxis.lengthMm;
        }
      }
      const diagMm = Math.hypot((box.xmax - box.xmin + 1) * sx, (box.ymax - box.ymin + 1) * sy);
      ctRows.push({ uid: sopInstanceUids[k], iou, longMm, diagMm, shortMm });
      console.log(`...${sopInstanceUids[k].slice(-12)} ${path.basename(dir)} k=${k} ${f(iou, 3)} ${f(longMm, 1)}/${f(diagMm, 1)} ${f(shortMm, 1)}`);
    }
  }
  const ious = ctRows.map((r) => r.iou);
  console.log(
    `Lung-PET-CT-Dx A0001: n=${ctRows.length} box IoU median ${f(median(ious), 3)} mean ${f(mean(ious), 3)} min ${f(Math.min(...ious), 3)}; ` +
      `long axis within the box diagonal: ${ctRows.filter((r) => r.longMm <= r.diagMm).length}/${ctRows.length}`,
  );
}

const ctMedian = median(ctRows.map((r) => r.iou));
const phantomDice = median(phantomRows.map((r) => r.dice));
console.log(
  JSON.stringify({
    bench: 'segment-accuracy',
    unit: 'median box IoU (Lung-PET-CT-Dx A0001)',
    value: Number.isFinite(ctMedian) ? Number(ctMedian.toFixed(4)) : null,
    baseline: { name: 'target', value: BOX_IOU_TARGET },
    ratio: Number.isFinite(ctMedian) ? Number((ctMedian / BOX_IOU_TARGET).toFixed(4)) : null,
    phantoms: {
      n: phantomRows.length,
      medianDice: Number.isFinite(phantomDice) ? Number(phantomDice.toFixed(4)) : null,
      meanDice: phantomRows.length ? Number(mean(phantomRows.map((r) => r.dice)).toFixed(4)) : null,
      diceTarget: DICE_TARGET,
      longAxisWithinTarget: phantomRows.filter((r) => r.longErrMm <= 1 || r.longErrPct <= 5).length,
      passingBoth: phantomRows.filter((r) => r.pass).length,
    },
    model: { id: ms.card.id, version: ms.card.version, sha256: ms.card.sha256, executionProvider: ms.executionProvider },
  }),
);
