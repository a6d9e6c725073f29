// AI lesion segmentation: the model list, a reader's prompt on a series (202 + job), the series' segmentations, one
// segmentation, propagation to a follow-up (202 + job) and the measured-slice thumbnail. Handlers unpack the
// request and call one use case in src/services/segmentation; who sees what lives there.
import { listSegmentationModels } from '../../services/segmentation/segmentation-models.js';
import { segmentationThumbnail } from '../../services/segmentation/segmentation-thumbnail.js';
import { getSegmentation, listSeriesSegmentations, requestPropagation, requestSegmentation } from '../../services/segmentation/segmentations.js';
import type { Caller } from '../../services/reading/caller.js';
import type { RequestScope } from '../app-env.js';
import { type RouteRegistry, defineRoute } from '../define-route.js';
import { imageResponse } from './image-routes.js';

const callerOf = (s: RequestScope): Caller => ({ userId: s.session!.user.id, isAdmin: s.session!.user.isAdmin, trialRoles: s.trialRoles });

export function segmentationRoutes(reg: RouteRegistry): void {
  const { ctx } = reg;
  defineRoute(reg, 'get', '/segmentation-models', async (_s, c) => c.json(await listSegmentationModels(ctx)));
  defineRoute(reg, 'post', '/trials/{trialId}/series/{seriesId}/segmentations', async (s, c) => {
    const seg = await requestSegmentation(ctx, s.actor, callerOf(s), s.params.trialId, s.params.seriesId, s.body);
    return c.json(seg, 202, { location: seg.jobUrl });
  });
  defineRoute(reg, 'get', '/trials/{trialId}/series/{seriesId}/segmentations', async (s, c) =>
    c.json(await listSeriesSegmentations(ctx, callerOf(s), s.params.trialId, s.params.seriesId)),
  );
  defineRoute(reg, 'get', '/trials/{trialId}/segmentations/{segmentationId}', async (s, c) =>
    c.json(await getSegmentation(ctx, callerOf(s), s.params.trialId, s.params.segmentationId)),
  );
  defineRoute(reg, 'post', '/trials/{trialId}/segmentations/{segmentationId}/propagations', async (s, c) => {
    const seg = await requestPropagation(ctx, s.actor, callerOf(s), s.params.trialId, s.params.segmentationId, s.body);
    return c.json(seg, 202, { location: seg.jobUrl });
  });
  defineRoute(reg, 'get', '/trials/{trialId}/segmentations/{segmentationId}/thumbnail.png', async (s, c) => {
    const q = s.query as { size?: number; center?: number; width?: number };
    return imageResponse(c, await segmentationThumbnail(ctx, callerOf(s), s.params.trialId, s.params.segmentationId, q));
  });
}
