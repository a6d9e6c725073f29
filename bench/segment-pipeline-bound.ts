// Upper bound of the segmentation pipeline's own steps on the benchmark phantoms: the truth mask, resampled onto a
// model grid as if it were the model's probability, goes through the same path as a real output (trilinear back
// onto the series grid, threshold, connected component under the click), so Dice < 1 here is lost to the grid, not
// to the network. Usage: npx tsx bench/segment-pipeline-bound.ts [--grid 80x80x80@1.25x1.25x1.25 ...]
import { DEFAULT_LESION_MODEL_ID, defaultModelRegistryDir, readModelCard } from '../src/segmentation/model-registry.js';
import type { ModelCard } from '../src/segmentation/model-card.js';
import { voiGeometry } from '../src/segmentation/model-input.js';
import { indexAffine, resampleBox } from '../src/segmentation/resample.js';
import { lesionMaskFromProbability } from '../src/segmentation/segment-lesion.js';
import { makePhantom, phantomSuite } from './segment-phantoms.js';
import { axesMm, overlap, pasteMask } from './segment-scoring.js';

const args = process.argv.slice(2);
const grids = args.flatMap((a, i) => (args[i - 1] === '--grid' ? [a] : []));
if (grids.length === 0) grids.push('80x80x80@1.25x1.25x1.25');
const base = await readModelCard(defaultModelRegistryDir(), DEFAULT_LESION_MODEL_ID);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (const g of grids) {
  const [size, sp] = g.split('@').map((s) => s.split('x').map(Number));
  const card: ModelCard = { ...base, input: { ...base.input, sizeVoxels: size as [number, number, number], spacingMm: sp as [number, number, number] } };
  const dices: number[] = [];
  const errs: number[] = [];
  let passing = 0;
  const worst: string[] = [];
  for (const spec of phantomSuite()) {
    const ph = makePhantom(spec);
    const voi = voiGeometry(ph.volume, ph.centreMm, card);
    const prob = resampleBox(Float32Array.from(ph.truth), ph.volume.dims, indexAffine(voi, ph.volume), [0, 0, 0], voi.dims, { kind: 'constant', value: 0 });
    const seg = lesionMaskFromProbability(ph.volume, voi, prob, card, { kind: 'point', pointMm: ph.centreMm });
    const pred = pasteMask(seg.mask, ph.volume.dims);
    const { dice } = overlap(pred, ph.truth);
    const t = axesMm(ph.truth, ph.volume).longAxisMm;
    const p = axesMm(pred, ph.volume).longAxisMm;
    const err = Math.abs(p - t);
    dices.push(dice);
    errs.push(err);
    const pass = dice >= 0.9 && (err <= 1 || err / t <= 0.05);
    if (pass) passing++;
    else worst.push(`${spec.name} ${dice.toFixed(3)} ${err.toFixed(2)}mm`);
  }
  console.log(`${g}: dice mean ${(dices.reduce((a, b) => a + b) / dices.length).toFixed(3)} median ${median(dices).toFixed(3)} min ${Math.min(...dices).toFixed(3)}; long err median ${median(errs).toFixed(2)} mm; passing ${passing}/${dices.length}`);
  console.log(`  failing: ${worst.join('; ')}`);
}
