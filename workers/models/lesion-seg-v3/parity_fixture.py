"""Writes test/segmentation/fixtures/lesion-seg-v3-parity.json: a small series slice, a click and a model spacing, with
the model input this generator builds for them (phantoms2d.to_model_grid, reference_hu, channels, click_prompt).
test/segmentation/model-input.test.ts builds the same input with the platform's code and compares: the training data
and the platform agree on windowing, axes, spacing, edges and prompt encoding.
Usage: /usr/bin/python3 workers/models/lesion-seg-v3/parity_fixture.py
"""
import json
import os

import numpy as np

import phantoms2d as P

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
nx, ny, sp = 40, 36, 0.8
origin = (-14.3, -12.1)
img = np.round(rng.uniform(-1100, 1100, (ny, nx))).astype(np.float32)  # past the window on both sides
img[10:20, 12:25] = 35.0
click = (-6.1, 3.3)
s = 0.45  # the model grid (128 x 0.45 mm) reaches past the slice: the clamped edge is compared too
hu = P.to_model_grid(img, origin[0], origin[1], sp, click[0], click[1], s)
ref = P.reference_hu(hu, P.CENTRE_PX, P.CENTRE_PX)
x = P.channels(hu, ref, P.click_prompt(P.CENTRE_PX, P.CENTRE_PX))
picks = [(0, 0), (127, 127), (63, 64), (64, 63), (10, 100), (100, 10), (70, 50), (33, 77), (127, 0), (5, 64)]
out = {
    "about": "written by workers/models/lesion-seg-v3/parity_fixture.py; values from phantoms2d.py",
    "sliceDims": [nx, ny],
    "spacingMm": sp,
    "originMm": list(origin),
    "slice": [int(v) for v in img.ravel()],
    "clickMm": list(click),
    "modelSpacingMm": s,
    "referenceHu": ref,
    "samples": [{"x": u, "y": v, "channels": [float(x[c, v, u]) for c in range(3)]} for (u, v) in picks],
}
with open(os.path.join(HERE, "../../../test/segmentation/fixtures/lesion-seg-v3-parity.json"), "w") as f:
    json.dump(out, f)
    f.write("\n")
print("ref", ref)
