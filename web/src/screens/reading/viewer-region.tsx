/**
 * The image viewer's place on the read screen. The image routes (series list, slices, volume) are not part of
 * this build's API contract, so nothing is loaded and nothing is drawn here: the region states that images are
 * viewed elsewhere for now. web/README.md ("Viewer integration") describes what replaces this component, with the
 * same place in the layout and the same props.
 */
export function ViewerRegion({ timepointLabel }: { timepointLabel: string }) {
  return (
    <section class="viewer-region" aria-labelledby="viewer-h" data-testid="viewer-region">
      <h2 id="viewer-h">Images · {timepointLabel}</h2>
      <p>
        Image display is not part of this version of the application: the image routes are not in its API contract yet. Review the images of this
        timepoint in the core lab's viewer and record the measurements here.
      </p>
    </section>
  );
}
