"""Synthetic CT lesion phantoms for training the promptable lesion segmentation model (lesion-seg-v2).

Every sample is drawn from a seeded numpy Generator, so the training set is a pure function of the seed.
Scenes imitate the four lesion families the default model must handle:
  lung    - soft-tissue nodule (lobulated, sometimes spiculated) in -850 HU parenchyma, with vessels (tubes of
            blood density) touching it and a chest wall (muscle, fat, rib) it may be attached to;
  liver   - hypo- or hyperdense lesion (sometimes rim-enhancing) in ~60 HU liver with enhancing vessels;
  node    - lymph node (ellipsoid, sometimes with a fatty hilum) in -100 HU fat next to vessels and other nodes;
  mass    - soft-tissue mass (sometimes necrotic) in muscle with fat planes, or in fat.
The label is the lesion only: touching vessels, the wall, neighbouring nodes and spicules are background.
Acquisition: in-plane blur (PSF), slice thickness 1-5 mm simulated by averaging along z and sampling slices,
per-slice correlated noise, then linear interpolation back to the model grid (what the inference pipeline does
when it resamples a thick-slice series to the model spacing).
Arrays are indexed [z, y, x] on an isotropic grid of VOX mm voxels (the model spacing in the card).
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

SCENES = ("lung", "liver", "node", "mass")


# Size of one model voxel in mm (the card's target spacing); set by sample() before a scene is drawn.
VOX = 1.0


def _grid(n: int) -> np.ndarray:
    c = (np.arange(n, dtype=np.float32) - (n - 1) / 2.0) * VOX
    z, y, x = np.meshgrid(c, c, c, indexing="ij")
    return np.stack([z, y, x])  # (3, n, n, n) mm from the patch centre


_GRIDS: dict[tuple, np.ndarray] = {}


def grid(n: int) -> np.ndarray:
    key = (n, VOX)
    if key not in _GRIDS:
        _GRIDS[key] = _grid(n)
    return _GRIDS[key]


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    a, b, c, d = q
    return np.array(
        [
            [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
            [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
            [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d],
        ],
        dtype=np.float32,
    )


def unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=3)
    return (v / np.linalg.norm(v)).astype(np.float32)


def blob_sdf(g: np.ndarray, centre: np.ndarray, semi: np.ndarray, rot: np.ndarray, lobes: list) -> np.ndarray:
    """Approximate signed distance (mm, negative inside) of a lobulated ellipsoid."""
    d = g - centre[:, None, None, None]
    local = np.einsum("ij,jzyx->izyx", rot.T, d)
    scaled = local / semi[:, None, None, None]
    r = np.sqrt((scaled**2).sum(0)) + 1e-6
    radius = 1.0
    if lobes:
        dirn = scaled / r
        for amp, freq, ph in lobes:
            radius = radius + amp * np.cos((freq[:, None, None, None] * dirn).sum(0) * 3.0 + ph)
    return (r - radius) * float(semi.mean())


def tube_dist(g: np.ndarray, p0: np.ndarray, u: np.ndarray) -> np.ndarray:
    d = g - p0[:, None, None, None]
    t = (d * u[:, None, None, None]).sum(0)
    perp = d - t[None] * u[:, None, None, None]
    return np.sqrt((perp**2).sum(0))


def pv(sdf: np.ndarray) -> np.ndarray:
    """Partial-volume fraction of a voxel from a signed distance in mm."""
    return np.clip(0.5 - sdf / VOX, 0.0, 1.0)


def paint(img: np.ndarray, frac: np.ndarray, hu) -> None:
    img *= 1.0 - frac
    img += frac * hu


def lowfreq(rng: np.random.Generator, n: int, amp: float, sigma: float) -> np.ndarray:
    f = ndimage.gaussian_filter(rng.normal(size=(n, n, n)).astype(np.float32), sigma)
    f /= f.std() + 1e-6
    return f * amp


def make_lesion(rng, g, diameter: float, shape_kind: str, centre: np.ndarray):
    r = diameter / 2.0
    if shape_kind == "node":
        semi = np.array([r, r * rng.uniform(0.45, 0.9), r * rng.uniform(0.45, 0.9)], np.float32)
    else:
        semi = np.array([r, r * rng.uniform(0.65, 1.0), r * rng.uniform(0.65, 1.0)], np.float32)
    rng.shuffle(semi)
    rot = random_rotation(rng)
    lobes = []
    if shape_kind in ("lung", "mass") and rng.random() < 0.6:
        for _ in range(rng.integers(1, 4)):
            lobes.append((rng.uniform(0.02, 0.09), unit(rng) * rng.uniform(0.6, 2.0), rng.uniform(0, 6.28)))
    sdf = blob_sdf(g, centre, semi, rot, lobes)
    return sdf, centre, semi, rot


def touching_tube(rng, centre, semi, radius, overlap):
    """A straight tube whose axis passes at (lesion radius along that direction + tube radius - overlap)."""
    n = unit(rng)
    reach = float(semi.mean()) + radius - overlap
    p0 = centre + n * reach
    u = unit(rng)
    u = u - (u @ n) * n
    u /= np.linalg.norm(u) + 1e-6
    return p0.astype(np.float32), u.astype(np.float32)


def scene(rng: np.random.Generator, n: int, kind: str, diameter: float, empty: bool):
    g = grid(n)
    half = n * VOX / 2.0  # patch half-width in mm
    # The lesion sits anywhere in the patch that holds it: were it always at the centre, the network would learn
    # "a blob in the middle of the patch" from the zero padding instead of reading the image and the prompt.
    reach = max(0.0, half - diameter / 2.0 - 4.0)
    at = rng.uniform(-reach, reach, size=3).astype(np.float32)
    img = np.zeros((n, n, n), np.float32)
    excl = np.zeros((n, n, n), bool)  # structures that cut the lesion (wall): label excludes them
    lesion_hu = 0.0
    if kind == "lung":
        img[:] = rng.uniform(-900, -780) + lowfreq(rng, n, rng.uniform(5, 25), 4)
        for _ in range(rng.integers(2, 9)):  # small background vessels
            rr = rng.uniform(0.4, 1.8)
            paint(img, pv(tube_dist(g, rng.uniform(-half, half, 3).astype(np.float32), unit(rng)) - rr), rng.uniform(-50, 60))
        lesion_hu = rng.uniform(-30, 70)
        sdf, c, semi, rot = make_lesion(rng, g, diameter, "lung", at)
        if rng.random() < 0.45:  # chest wall: muscle, then fat, then rib, beyond a plane near the lesion
            nrm = unit(rng)
            off = float(semi.mean()) * rng.uniform(0.55, 1.05) if rng.random() < 0.8 else float(semi.mean()) + rng.uniform(1, 8)
            sd = (np.einsum("i,izyx->zyx", nrm, g - c[:, None, None, None]) - off)  # >0 beyond the pleura
            wall = pv(-sd)
            paint(img, wall, rng.uniform(20, 70))
            paint(img, pv(-(sd - rng.uniform(3, 8))), rng.uniform(-120, -80))
            paint(img, pv(-(sd - rng.uniform(9, 14))) * (rng.random() < 0.5), rng.uniform(250, 700))
            excl = sd > 0
        for _ in range(rng.integers(0, 4)):  # vessels touching the nodule
            rr = rng.uniform(0.8, 3.5)
            p0, u = touching_tube(rng, c, semi, rr, rng.uniform(0, rr * 0.8))
            paint(img, pv(tube_dist(g, p0, u) - rr), rng.uniform(lesion_hu - 30, lesion_hu + 60))
        spicules = rng.random() < 0.25
    elif kind == "liver":
        liver = rng.uniform(45, 75)
        img[:] = liver + lowfreq(rng, n, rng.uniform(2, 8), 3)
        if rng.random() < 0.4:  # liver edge against fat or bowel
            nrm = unit(rng)
            sd = np.einsum("i,izyx->zyx", nrm, g) - rng.uniform(min(diameter / 2 + 2, half - 1), half)
            paint(img, pv(-sd), rng.uniform(-110, 20))
        delta = rng.choice([-1, -1, -1, 1]) * rng.uniform(18, 70)
        lesion_hu = liver + delta
        sdf, c, semi, rot = make_lesion(rng, g, diameter, "liver", at)
        for _ in range(rng.integers(0, 4)):
            rr = rng.uniform(1.0, 5.0)
            vessel_hu = liver + rng.choice([-1, 1]) * rng.uniform(20, 90)
            if rng.random() < 0.6:
                p0, u = touching_tube(rng, c, semi, rr, rng.uniform(0, rr * 0.6))
            else:
                p0, u = rng.uniform(-half, half, 3).astype(np.float32), unit(rng)
            paint(img, pv(tube_dist(g, p0, u) - rr), vessel_hu)
        spicules = False
    elif kind == "node":
        img[:] = rng.uniform(-125, -70) + lowfreq(rng, n, rng.uniform(3, 12), 3)
        lesion_hu = rng.uniform(15, 60)
        sdf, c, semi, rot = make_lesion(rng, g, diameter, "node", at)
        if rng.random() < 0.5:  # muscle or organ boundary
            nrm = unit(rng)
            off = float(semi.mean()) + rng.uniform(-0.5, 8)
            sd = np.einsum("i,izyx->zyx", nrm, g - c[:, None, None, None]) - off
            paint(img, pv(-sd), rng.uniform(30, 70))
            excl = sd > 0
        for _ in range(rng.integers(0, 4)):  # vessels beside the node, plain or enhanced
            rr = rng.uniform(1.5, 10)
            p0, u = touching_tube(rng, c, semi, rr, rng.uniform(-1, rr * 0.3))
            paint(img, pv(tube_dist(g, p0, u) - rr), rng.choice([rng.uniform(30, 60), rng.uniform(120, 260)]))
        for _ in range(rng.integers(0, 3)):  # neighbouring nodes, separated by a thin fat plane or touching
            d2 = rng.uniform(4, 20)
            semi2 = np.array([d2 / 2, d2 / 2 * rng.uniform(0.5, 0.9), d2 / 2 * rng.uniform(0.5, 0.9)], np.float32)
            nrm = unit(rng)
            c2 = c + nrm * (float(semi.mean()) + float(semi2.mean()) + rng.uniform(-0.5, 2.5))
            paint(img, pv(blob_sdf(g, c2.astype(np.float32), semi2, random_rotation(rng), [])), rng.uniform(15, 60))
        spicules = False
    else:  # mass
        in_fat = rng.random() < 0.3
        bg = rng.uniform(-120, -80) if in_fat else rng.uniform(35, 65)
        img[:] = bg + lowfreq(rng, n, rng.uniform(3, 10), 3)
        for _ in range(rng.integers(0, 4)):  # fat planes or muscle bundles as slabs
            nrm = unit(rng)
            sd = np.abs(np.einsum("i,izyx->zyx", nrm, g) - rng.uniform(-half, half)) - rng.uniform(0.8, 4)
            paint(img, pv(sd), rng.uniform(-120, -70) if not in_fat else rng.uniform(35, 65))
        delta = rng.choice([-1, 1]) * rng.uniform(18, 60)
        lesion_hu = (rng.uniform(15, 70)) if in_fat else bg + delta
        sdf, c, semi, rot = make_lesion(rng, g, diameter, "mass", at)
        for _ in range(rng.integers(0, 3)):
            rr = rng.uniform(1.5, 6)
            p0, u = touching_tube(rng, c, semi, rr, rng.uniform(0, rr * 0.5))
            paint(img, pv(tube_dist(g, p0, u) - rr), rng.uniform(120, 250) if rng.random() < 0.5 else bg + rng.uniform(-10, 10))
        spicules = False

    if empty:
        label = np.zeros((n, n, n), np.float32)
        return img, label, at

    frac = pv(sdf) * (~excl)
    if kind == "liver" and rng.random() < 0.25:  # rim enhancement: bright ring, label is the whole lesion
        paint(img, frac, lesion_hu)
        paint(img, frac * (sdf > -rng.uniform(1.0, 3.0)), lesion_hu + rng.uniform(40, 90))
    elif kind in ("mass", "liver") and diameter > 20 and rng.random() < 0.3:  # necrotic centre
        paint(img, frac, lesion_hu)
        paint(img, pv(sdf + float(semi.mean()) * rng.uniform(0.3, 0.6)), lesion_hu - rng.uniform(20, 40))
    elif kind == "node" and diameter > 10 and rng.random() < 0.25:  # fatty hilum, part of the node
        paint(img, frac, lesion_hu)
        hil = c + unit(rng) * float(semi.min()) * 0.6
        paint(img, pv(blob_sdf(g, hil.astype(np.float32), semi * 0.3, rot, [])), rng.uniform(-100, -50))
    else:
        tex = lowfreq(rng, n, rng.uniform(0, 8), 2)
        paint(img, frac, lesion_hu + tex)
    if spicules:
        for _ in range(rng.integers(2, 8)):
            dirn = unit(rng)
            p0 = c + dirn * float(semi.mean())
            length = rng.uniform(3, 10)
            dist = tube_dist(g, p0, dirn)
            t = np.einsum("i,izyx->zyx", dirn, g - p0[:, None, None, None])
            mask = (t > -1) & (t < length)
            paint(img, pv(dist - rng.uniform(0.3, 0.9)) * mask * (sdf > 0), lesion_hu)
    label = ((sdf < 0) & ~excl).astype(np.float32)
    return img, label, c


def acquire(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Simulate the scanner: PSF blur, slice thickness, per-slice noise, resampling back to 1 mm."""
    n = img.shape[0]
    psf = rng.uniform(0.4, 1.0) / VOX
    out = ndimage.gaussian_filter(img, (0, psf, psf))
    thickness_mm = float(rng.choice([1.0, 1.25, 2.0, 2.5, 3.0, 5.0], p=[0.15, 0.1, 0.15, 0.25, 0.1, 0.25]))
    thickness = thickness_mm / VOX  # in model voxels
    if thickness > 1.0:
        out = ndimage.uniform_filter1d(out, size=max(1, int(round(thickness))), axis=0, mode="nearest")
    else:
        out = ndimage.gaussian_filter1d(out, psf, axis=0)
    phase = rng.uniform(0, thickness)
    zs = np.arange(phase, n - 1, thickness, dtype=np.float32)
    zi = np.floor(zs).astype(int)
    zf = zs - zi
    zi1 = np.minimum(zi + 1, n - 1)
    slices = out[zi] * (1 - zf)[:, None, None] + out[zi1] * zf[:, None, None]
    sigma = rng.uniform(6, 35)
    noise = ndimage.gaussian_filter(rng.normal(size=slices.shape).astype(np.float32), (0, 0.8, 0.8))
    noise *= sigma / (noise.std() + 1e-6)
    slices = slices + noise
    # back to the 1 mm grid: linear interpolation between acquired slices, clamped at the ends
    zq = np.arange(n, dtype=np.float32)
    pos = np.clip((zq - phase) / thickness, 0, len(zs) - 1)
    p0 = np.floor(pos).astype(int)
    p1 = np.minimum(p0 + 1, len(zs) - 1)
    f = (pos - p0)[:, None, None]
    return (slices[p0] * (1 - f) + slices[p1] * f).astype(np.float32)


def normalise(hu: np.ndarray, lo: float, hi: float, offset: float, scale: float) -> np.ndarray:
    return ((np.clip(hu, lo, hi) - offset) / scale).astype(np.float32)


def prompt_heatmap(n: int, click: np.ndarray, sigma_mm: float) -> np.ndarray:
    g = grid(n)
    d2 = ((g - click[:, None, None, None]) ** 2).sum(0)
    return np.exp(-d2 / (2 * sigma_mm * sigma_mm)).astype(np.float32)


def sample(rng: np.random.Generator, n: int, card_input: dict, diameter_range=(4.0, 56.0)):
    """One training sample: (2, n, n, n) input, (1, n, n, n) label, on the card's isotropic spacing."""
    global VOX
    VOX = float(card_input["spacingMm"][0])
    kind = SCENES[rng.integers(0, len(SCENES))]
    lo, hi = diameter_range
    diameter = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    if kind == "node":
        diameter = min(diameter, 40.0)
    empty = rng.random() < 0.05
    img, label, c = scene(rng, n, kind, diameter, empty)
    img = acquire(rng, img)
    # the click: near the centre of the lesion (readers click inside, rarely exactly at the centre)
    click = c + rng.normal(size=3).astype(np.float32) * min(diameter * 0.12, 3.0)
    w = card_input["intensity"]
    x0 = normalise(img, w["lowerHu"], w["upperHu"], w["offset"], w["scale"])
    xr = relative_to_click(img, click, card_input["relativeIntensity"])
    x1 = prompt_heatmap(n, click, card_input["prompt"]["sigmaMm"])
    if rng.random() < 0.5:  # flips keep the task invariant and the model symmetric
        ax = int(rng.integers(1, 3))
        x0, xr, x1, label = np.flip(x0, ax), np.flip(xr, ax), np.flip(x1, ax), np.flip(label, ax)
    return np.stack([x0, xr, x1]).copy(), label[None].copy(), kind, diameter


def relative_to_click(hu: np.ndarray, click: np.ndarray, rel: dict) -> np.ndarray:
    """(HU - HU at the click) / scale, clipped: the clicked tissue reads 0 whatever the organ. The reference is the
    mean of the 3x3x3 voxels around the voxel nearest the click (src/segmentation/model-input.ts does the same)."""
    n = hu.shape[0]
    idx = np.clip(np.rint(click / VOX + (n - 1) / 2.0).astype(int), 0, n - 1)
    lo = np.maximum(idx - 1, 0)
    hi = np.minimum(idx + 2, n)
    ref = float(hu[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]].mean())
    lim = rel["limit"]
    return np.clip((hu - ref) / rel["scaleHu"], -lim, lim).astype(np.float32)
