// The models a reader can choose from: every valid card in the registry (id, version, task, sha256, input geometry)
// with the provider the pool runs it on: the provider the last result of that model recorded (CUDA may have fallen
// back to CPU), or, before any result, the provider the pool asks for.
import { listRegisteredModelIds, readModelCard } from '../../segmentation/model-registry.js';
import type { ServiceContext } from '../service-context.js';

export interface SegmentationModelView {
  id: string;
  version: string;
  task: string;
  sha256: string;
  default: boolean;
  /** NCDHW: a 3D model reading one VOI; NCHW: a 2D model walking the slices (model-card.ts) */
  layout: string;
  voiVoxels: number[];
  spacingMm: number[];
  licence: string;
  executionProvider: string;
}

export async function listSegmentationModels(ctx: ServiceContext): Promise<SegmentationModelView[]> {
  const { registryDir, defaultModelId, executionProvider } = ctx.config.segmentation;
  const out: SegmentationModelView[] = [];
  for (const id of await listRegisteredModelIds(registryDir)) {
    const card = await readModelCard(registryDir, id).catch((e: Error) => {
      // an invalid card is not offered (and cannot be loaded); say why in the log, not to the reader
      console.error(JSON.stringify({ level: 'warn', event: 'segmentation.model_card_invalid', modelId: id, error: e.message }));
      return undefined;
    });
    if (!card) continue;
    const last = await ctx.db
      .selectFrom('segmentations')
      .select('execution_provider')
      .where('model_id', '=', card.id)
      .where('model_sha256', '=', card.sha256)
      .where('execution_provider', 'is not', null)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    out.push({
      id: card.id,
      version: card.version,
      task: card.task,
      sha256: card.sha256,
      default: card.id === defaultModelId,
      layout: card.input.layout,
      voiVoxels: [...card.input.sizeVoxels],
      spacingMm: [...card.input.spacingMm],
      licence: card.licence,
      executionProvider: last?.execution_provider ?? executionProvider,
    });
  }
  return out;
}
