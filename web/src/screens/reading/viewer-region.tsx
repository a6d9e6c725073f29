import { type Caller, mayCall } from '../../api/access.js';
import { LazyScreen } from '../../ui/lazy-screen.js';
import type { ImageViewerProps } from '../../viewer/image-viewer.js';

/**
 * The image viewer's place on a screen: a labelled region whose viewer (cornerstone3D, src/viewer/) is its own
 * chunk, fetched when the region is first shown. Without the right to list a timepoint's series the region says
 * so and loads nothing.
 */
export function ViewerRegion({ caller, heading = 'Images', note, ...viewer }: ImageViewerProps & { caller: Caller; heading?: string; note?: string }) {
  const id = `viewer-h-${viewer.timepoint.id}`;
  return (
    <section class="viewer-region" aria-labelledby={id} data-testid="viewer-region">
      <h2 id={id}>
        {heading} · {viewer.timepoint.label}
        {viewer.previous ? ` beside ${viewer.previous.label}` : ''}
      </h2>
      {note ? <p class="small muted">{note}</p> : null}
      {mayCall('listTimepointSeries', caller) ? (
        <LazyScreen load={() => import('../../viewer/image-viewer.js').then((m) => m.default)} props={viewer} what="the image viewer" />
      ) : (
        <p class="muted">Your role on this trial does not include viewing images.</p>
      )}
    </section>
  );
}
