"""Training samples for lesion-seg-v3: one CT slice of a synthetic 3D scene, as the platform feeds it to the model.

A scene is analytic (mm, lesion centre near the origin): a lesion made of one to three ellipsoids (optionally
lobulated, with internal texture and a darker core), a background tissue with low-frequency texture, optionally a
wall (a half-space: chest wall, mediastinum, fat next to a liver lesion), vessel-like tubes touching the lesion and
others elsewhere, and look-alike blobs that do not touch it. Families: lung nodule on the chest wall touching
vessels, liver lesion, lymph node in fat, soft-tissue mass, large heterogeneous mass against the mediastinum.

One sample = one slice (z0) of the scene, rendered as a CT series would hold it: on a series pixel grid (0.55-1.0 mm)
with partial volume over the slice thickness (0.6-5.5 mm) and in-plane (2x2), correlated noise at the series pixels;
then resampled bilinearly (clamped at the edges) onto the model's 128x128 grid at the model spacing s, exactly as
src/segmentation/model-input.ts does for a 2D card (sliceGeometry + resampleBox): model pixel (u, v) lies at
centre + (u - 63.5) * s along the series' row direction and (v - 63.5) * s along its column direction.

Channels (card order): image = (clip(HU, -1000, 1000) + 100) / 300; image-relative = clip((HU - ref) / 50, -4, 4),
ref = mean HU of the 3x3 model pixels nearest the click on the click's slice; prompt = a Gaussian of sigma 3 model
pixels at the click (the start slice) or the 0/1 lesion mask of the adjacent slice (slice propagation).
Label: fraction of the model pixel (2x2 subsamples) inside the lesion on the slice's centre plane, outside wall and
vessels (the same convention as bench/segment-phantoms.ts: the truth is the lesion alone).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

SIZE = 128
CENTRE_PX = (SIZE - 1) / 2
WINDOW = (-1000.0, 1000.0, -100.0, 300.0)  # lower, upper, offset, scale
REL_SCALE = 50.0
REL_LIMIT = 4.0
CLICK_SIGMA_PX = 3.0
# spacing rule of the pipeline (card.input.slicePropagation.zoom): s = clamp(diameter / TARGET_PX, MIN_S, MAX_S)
TARGET_PX = 40.0
MIN_S = 0.4
MAX_S = 2.5
BASE_S = 1.0


def window(hu: np.ndarray) -> np.ndarray:
    lo, hi, off, sc = WINDOW
    return (np.clip(hu, lo, hi) - off) / sc


def relative(hu: np.ndarray, ref: float) -> np.ndarray:
    return np.clip((hu - ref) / REL_SCALE, -REL_LIMIT, REL_LIMIT)


def click_prompt(cu: float, cv: float) -> np.ndarray:
    u = np.arange(SIZE, dtype=np.float32)
    gx = np.exp(-((u - cu) ** 2) / (2 * CLICK_SIGMA_PX**2))
    gy = np.exp(-((u - cv) ** 2) / (2 * CLICK_SIGMA_PX**2))
    return (gy[:, None] * gx[None, :]).astype(np.float32)


def reference_hu(hu: np.ndarray, cu: float, cv: float) -> float:
    # rounded half up: the click at the grid centre 63.5 reads the 3x3 block centred on pixel 64
    x = int(min(SIZE - 1, max(0, math.floor(cu + 0.5))))
    y = int(min(SIZE - 1, max(0, math.floor(cv + 0.5))))
    return float(hu[max(0, y - 1): y + 2, max(0, x - 1): x + 2].mean())


def smooth_field(rng, shape, sigma_px, amp):
    f = ndimage.gaussian_filter(rng.standard_normal(shape).astype(np.float32), sigma_px, mode="wrap")
    sd = f.std() + 1e-6
    return f / sd * amp


class Scene:
    def __init__(self, rng: np.random.Generator, small_p: float = 0.0):
        """small_p: the share of non-mass lesions drawn at 4-12 mm instead of 4-60 mm (0: no extra draw, so the
        random stream of earlier stages is unchanged)"""
        r = rng
        fam = r.choice(["bench-lung", "bench-liver", "lung", "liver", "node", "soft", "mass"], p=[0.2, 0.14, 0.2, 0.12, 0.1, 0.06, 0.18])
        self.family = fam
        if fam != "mass" and small_p > 0 and r.random() < small_p:
            d = math.exp(r.uniform(math.log(4), math.log(12)))
        elif fam == "mass":
            d = math.exp(r.uniform(math.log(30), math.log(95)))
        else:
            d = math.exp(r.uniform(math.log(4), math.log(60)))
        rad = d / 2
        bench = fam.startswith("bench")
        # lesion ellipsoids: main + lobes
        if bench:
            if r.random() < 0.5:
                semi = np.array([rad, rad, rad])
                th = 0.0
            else:
                semi = np.array([rad, rad * 0.7, rad * 0.8])
                th = math.radians(30)
            semi = semi * r.uniform(0.9, 1.1, 3)
            th += r.uniform(-0.6, 0.6)
            self.ells = [(np.zeros(3), semi, th)]
        else:
            semi = rad * np.array([1.0, r.uniform(0.55, 1.0), r.uniform(0.55, 1.15)])
            th = r.uniform(0, math.pi)
            self.ells = [(np.zeros(3), semi, th)]
            if (fam in ("mass", "node", "soft") and r.random() < 0.6) or r.random() < 0.15:
                for _ in range(r.integers(1, 3)):
                    ang = r.uniform(0, 2 * math.pi)
                    off = np.array([math.cos(ang), math.sin(ang), r.uniform(-0.4, 0.4)]) * rad * r.uniform(0.3, 0.6)
                    self.ells.append((off, semi * r.uniform(0.45, 0.75, 3), r.uniform(0, math.pi)))
        self.rmax = max(float(np.max(np.abs(c) + s)) for c, s, _ in self.ells)
        # in-plane extent of the main ellipse along a direction, for the wall position
        # tissues
        if fam in ("bench-lung", "lung", "mass"):
            self.bg = -850 + r.uniform(-80, 60) if not bench else -850.0
            self.bg_tex = r.uniform(5, 40) if not bench else 0.0
            self.les = 40.0 if bench else r.uniform(-10, 70)
            self.wall_hu = 45.0 if bench else self.les + r.uniform(-30, 30)
            self.vessel_hu = 40.0 if bench else r.uniform(-10, 80)
            self.noise = 25.0 if bench else r.uniform(8, 45)
        elif fam in ("bench-liver", "liver"):
            self.bg = 60.0 if bench else r.uniform(40, 120)
            self.bg_tex = 0.0 if bench else r.uniform(0, 8)
            self.les = 15.0 if bench else self.bg + r.choice([-1, 1]) * r.uniform(20, 80)
            self.wall_hu = -100.0 if bench else r.uniform(-120, -60)
            self.vessel_hu = 170.0 if bench else r.uniform(140, 220)
            self.noise = 12.0 if bench else r.uniform(6, 25)
        elif fam == "node":
            self.bg = r.uniform(-120, -70)
            self.bg_tex = r.uniform(0, 15)
            self.les = r.uniform(20, 60)
            self.wall_hu = r.uniform(30, 60)
            self.vessel_hu = r.uniform(40, 250)
            self.noise = r.uniform(8, 30)
        else:  # soft-tissue mass in muscle
            self.bg = r.uniform(40, 60)
            self.bg_tex = r.uniform(0, 6)
            self.les = self.bg + r.choice([-1, 1]) * r.uniform(25, 60)
            self.wall_hu = r.uniform(-120, -60)
            self.vessel_hu = r.uniform(120, 250)
            self.noise = r.uniform(6, 20)
        self.les_tex = 0.0 if bench else (r.uniform(5, 40) if fam == "mass" else r.uniform(0, 12))
        self.core = None
        if fam == "mass" and r.random() < 0.4:
            self.core = (semi * r.uniform(0.3, 0.6), self.les - r.uniform(20, 50))
        # walls: the region beyond a boundary at distance w along the in-plane normal n, the boundary a straight line
        # or (chest wall, mediastinum) a circle of radius R bending away from the lesion, the lung inside it; a chest
        # wall holds a fat layer and ribs a few mm beyond its inner boundary
        self.walls = []
        nwalls = 1 if bench else (r.choice([0, 1, 2], p=[0.15, 0.55, 0.3]) if fam in ("lung", "mass") else int(r.random() < 0.4))
        for i in range(nwalls):
            phi = 0.0 if bench and r.random() < 0.5 else r.uniform(0, 2 * math.pi)
            if i == 1:
                phi = float(self.walls[0]["phi"] + r.uniform(0.6, 2.2) * r.choice([-1, 1]))
            n = np.array([math.cos(phi), math.sin(phi)])
            ext = self._extent_along(n)
            frac = r.uniform(0.75, 0.85) if bench else r.uniform(0.4, 1.02)
            curved = (not bench) and r.random() < 0.6
            radius = r.uniform(max(40.0, 1.5 * ext), max(60.0, 5 * ext)) if curved else 0.0
            hu = self.wall_hu if i == 0 else self.les + r.uniform(-25, 25)
            layers = None
            if fam in ("lung", "mass") and r.random() < 0.7:
                layers = {"fat": (r.uniform(2, 10), r.uniform(2, 6), r.uniform(-120, -70)),
                          "rib": (r.uniform(6, 18), r.uniform(5, 9), r.uniform(250, 900), r.uniform(18, 35))}
            self.walls.append({"phi": phi, "n": n, "w": frac * ext, "R": radius, "hu": hu, "layers": layers})
        # vessels: tubes touching the lesion, and others
        self.tubes = []
        if bench or r.random() < 0.7:
            k = 1 if bench else r.integers(1, 4)
            for _ in range(k):
                rv = min(3.0, max(1.2, self.rmax * 0.25)) if bench else r.uniform(0.8, min(6.0, max(1.0, 0.35 * self.rmax)))
                psi = r.uniform(0, 2 * math.pi)
                tilt = math.radians(20) if bench else r.uniform(0, math.radians(70))
                az = r.uniform(0, 2 * math.pi)
                d_dir = np.array([math.sin(tilt) * math.cos(az), math.sin(tilt) * math.sin(az), math.cos(tilt)])
                m = np.array([math.cos(psi), math.sin(psi)])
                ext = self._extent_along(m)
                overlap = r.uniform(0.3, 0.7) if bench else r.uniform(-0.5, 1.5)
                p0 = np.array([m[0], m[1], 0.0]) * (ext + rv - overlap)
                self.tubes.append((p0, d_dir, rv, self.vessel_hu))
        for _ in range(0 if bench else r.integers(0, 4)):
            rv = r.uniform(0.8, 5)
            ang = r.uniform(0, 2 * math.pi)
            dist = self.rmax + rv + r.uniform(3, 40)
            p0 = np.array([math.cos(ang) * dist, math.sin(ang) * dist, 0.0])
            tilt = r.uniform(0, math.radians(80))
            az = r.uniform(0, 2 * math.pi)
            d_dir = np.array([math.sin(tilt) * math.cos(az), math.sin(tilt) * math.sin(az), math.cos(tilt)])
            self.tubes.append((p0, d_dir, rv, self.vessel_hu + r.uniform(-20, 20)))
        # look-alike blobs that do not touch the lesion
        self.blobs = []
        for _ in range(0 if bench else r.integers(0, 3)):
            br = r.uniform(2, 15)
            ang = r.uniform(0, 2 * math.pi)
            dist = self.rmax + br + r.uniform(2, 35)
            self.blobs.append((np.array([math.cos(ang) * dist, math.sin(ang) * dist, r.uniform(-10, 10)]), br, self.les + r.uniform(-20, 20)))

    def _extent_along(self, n):
        c, s, th = self.ells[0]
        ct, st = math.cos(th), math.sin(th)
        # support function of the rotated ellipse along n
        nu = n[0] * ct + n[1] * st
        nv = -n[0] * st + n[1] * ct
        return math.sqrt((s[0] * nu) ** 2 + (s[1] * nv) ** 2)

    def lesion_diameter_mm(self) -> float:
        return 2 * max(max(abs(c[0]), abs(c[1])) + max(s[0], s[1]) for c, s, _ in self.ells)

    def z_extent(self):
        return min(c[2] - s[2] for c, s, _ in self.ells), max(c[2] + s[2] for c, s, _ in self.ells)

    def in_lesion(self, x, y, z):
        m = np.zeros(np.broadcast(x, y, z).shape, bool)
        for c, s, th in self.ells:
            ct, st = math.cos(th), math.sin(th)
            dx, dy, dz = x - c[0], y - c[1], z - c[2]
            u = dx * ct + dy * st
            v = -dx * st + dy * ct
            m |= (u / s[0]) ** 2 + (v / s[1]) ** 2 + (dz / s[2]) ** 2 <= 1
        return m

    def wall_depth(self, wall, x, y):
        """signed distance (mm) into the wall, and the coordinate along its boundary"""
        n, w, R = wall["n"], wall["w"], wall["R"]
        if R <= 0:
            return x * n[0] + y * n[1] - w, -x * n[1] + y * n[0]
        # circle of radius R through the point w*n, its centre on the lesion's side
        cx, cy = n[0] * (w - R), n[1] * (w - R)
        d = np.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        return d - R, np.arctan2(y - cy, x - cx) * R

    def in_wall(self, x, y):
        m = np.zeros(np.broadcast(x, y).shape, bool)
        for wall in self.walls:
            m |= self.wall_depth(wall, x, y)[0] >= 0
        return m

    def tube_ids(self, x, y, z):
        """index+1 of the tube each point is in (later tubes win), 0 outside every tube"""
        ids = np.zeros(np.broadcast(x, y, z).shape, np.int16)
        for i, (p0, d, rv, _) in enumerate(self.tubes):
            dx, dy, dz = x - p0[0], y - p0[1], z - p0[2]
            t = dx * d[0] + dy * d[1] + dz * d[2]
            dist2 = dx * dx + dy * dy + dz * dz - t * t
            ids[dist2 <= rv * rv] = i + 1
        return ids

    def truth(self, x, y, z):
        lab = self.in_lesion(x, y, z) & ~self.in_wall(x, y)
        if self.tubes:
            # only the tubes that touch the lesion are carved out; the truth is the lesion alone
            lab &= self.tube_ids(x, y, z) == 0
        return lab

    def value(self, x, y, z, les_tex):
        v = np.full(np.broadcast(x, y, z).shape, self.bg, np.float32)
        for c, br, hu in self.blobs:
            v[(x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= br * br] = hu
        les = self.in_lesion(x, y, z)
        lv = self.les + les_tex
        v = np.where(les, lv, v)
        if self.core is not None:
            cs, chu = self.core
            c, _, th = self.ells[0]
            ct, st = math.cos(th), math.sin(th)
            u = x * ct + y * st
            w = -x * st + y * ct
            core = (u / cs[0]) ** 2 + (w / cs[1]) ** 2 + (z / cs[2]) ** 2 <= 1
            v = np.where(core, chu + les_tex, v)
        ids = self.tube_ids(x, y, z)
        for i, (_, _, _, hu) in enumerate(self.tubes):
            v = np.where(ids == i + 1, hu, v)
        for wall in self.walls:
            depth, along = self.wall_depth(wall, x, y)
            hu = np.full(depth.shape, wall["hu"], np.float32)
            if wall["layers"] is not None:
                f0, ft, fhu = wall["layers"]["fat"]
                r0, rt, rhu, period = wall["layers"]["rib"]
                hu = np.where((depth >= f0) & (depth < f0 + ft), fhu, hu)
                rib = (depth >= r0) & (depth < r0 + rt) & (np.mod(along, period) < 0.45 * period)
                hu = np.where(rib, rhu, hu)
            v = np.where(depth >= 0, hu, v)
        return v


def render_series_slice(scene: Scene, rng, x0, y0, sp, n, z0, thick):
    """the series slice at z0 on an n x n pixel grid starting at (x0, y0) mm with spacing sp: HU (float32)"""
    xs = x0 + np.arange(n, dtype=np.float32) * sp
    ys = y0 + np.arange(n, dtype=np.float32) * sp
    nz = max(2, int(round(thick / 0.75)))
    les_tex = np.float32(0)
    if scene.les_tex > 0:
        les_tex = smooth_field(rng, (n, n), rng.uniform(1.5, 5) / sp, scene.les_tex)
    acc = np.zeros((n, n), np.float32)
    cnt = 0
    for dz in range(nz):
        zz = z0 + ((dz + 0.5) / nz - 0.5) * thick
        for oy in (-0.25, 0.25):
            for ox in (-0.25, 0.25):
                X = (xs + ox * sp)[None, :]
                Y = (ys + oy * sp)[:, None]
                acc += scene.value(X, Y, np.float32(zz), les_tex)
                cnt += 1
    img = acc / cnt
    if scene.bg_tex > 0:
        tex = smooth_field(rng, (n, n), rng.uniform(3, 10) / sp, scene.bg_tex)
        img += tex * (np.abs(img - scene.bg) < 5)
    white = rng.standard_normal((n, n)).astype(np.float32)
    kind = rng.random()
    if kind < 0.6:
        k = np.array([1, 2, 1], np.float32) / 4
        sm = ndimage.convolve1d(ndimage.convolve1d(white, k, axis=0, mode="nearest"), k, axis=1, mode="nearest") / 0.375
    elif kind < 0.8:
        sm = white
    else:
        g = rng.uniform(0.6, 1.2)
        sm = ndimage.gaussian_filter(white, g)
        sm /= sm.std() + 1e-6
    img += sm * scene.noise
    if rng.random() < 0.3:
        img = ndimage.gaussian_filter(img, rng.uniform(0.3, 0.7))
    return img


def model_grid(cx, cy, s):
    u = (np.arange(SIZE, dtype=np.float32) - CENTRE_PX) * s
    return cx + u, cy + u


def sample(rng: np.random.Generator, edge_crop_p: float = 0.35, click_p: float = 0.45, end_p: float = 0.4,
           prompt_jitter_p: float = 0.0, small_p: float = 0.0):
    """(input [3, 128, 128] float32, label [128, 128] float32 in 0..1, info dict)

    edge_crop_p: how often the series ends inside the model grid (a small scan, or a VOI at a scan's edge): the
    series slice then covers only the lesion plus 8-40 mm, and the model grid beyond it repeats the series' edge
    pixels, as the platform's clamped resampling does. click_p: the share of click-prompted samples (the rest are
    previous-slice-mask prompts and, 3 %, clicks on plain tissue). end_p: the share of mask prompts taken at the
    lesion's ends (the slice to segment one slice beyond the prompt's, often past the lesion: where the walk must stop).
    prompt_jitter_p: the share of mask prompts perturbed strongly (dilated 1-4 or eroded 1-3 voxels, shifted up to 2,
    or taken up to three slices away) instead of the mild default, so that the network reads the slice's edges rather
    than copying its prompt where the contrast is low. small_p: see Scene. Both 0 draw nothing extra."""
    while True:
        scene = Scene(rng, small_p)
        D = scene.lesion_diameter_mm()
        if rng.random() < 0.75:
            s = float(np.clip(D * rng.uniform(0.75, 1.35) / TARGET_PX, MIN_S, MAX_S))
        else:
            s = BASE_S * rng.uniform(0.9, 1.1)
        sp = float(rng.choice([0.6, 0.7, 0.8, 0.9, 1.0]) * rng.uniform(0.92, 1.08))
        thick = float(rng.choice([0.7, 1.0, 1.25, 2.0, 2.5, 3.0, 5.0]) * rng.uniform(0.9, 1.1))
        zlo, zhi = scene.z_extent()
        mode = rng.random()
        c, semi, th = scene.ells[0]
        # click/grid centre near the lesion's axis
        off = rng.uniform(-0.3, 0.3, 2) * semi[:2]
        cx, cy = float(off[0]), float(off[1])
        prompt_z = None
        if mode < click_p:
            kind = "click"
            z0 = float(rng.uniform(-0.45, 0.45) * semi[2])
        elif mode < 0.97:
            kind = "mask"
            if end_p > 0 and rng.random() < end_p:
                # the walk's last steps: the prompt slice near an end of the lesion, the slice beyond it often empty
                dzs = thick if rng.random() < 0.8 else thick * rng.uniform(0.5, 1.5)
                if rng.random() < 0.5:
                    zp = float(zhi - rng.uniform(0, 1.2 * dzs))
                    z0 = zp + dzs
                else:
                    zp = float(zlo + rng.uniform(0, 1.2 * dzs))
                    z0 = zp - dzs
            else:
                zp = float(rng.uniform(zlo, zhi))
                dzs = thick if rng.random() < 0.8 else thick * rng.uniform(0.5, 1.5)
                if prompt_jitter_p > 0 and rng.random() < 0.25 * prompt_jitter_p:
                    dzs = thick * float(rng.integers(2, 4))
                z0 = zp + (dzs if rng.random() < 0.5 else -dzs)
            prompt_z = zp
        else:
            kind = "empty-click"
            ang = rng.uniform(0, 2 * math.pi)
            dist = scene.rmax + rng.uniform(5, 30)
            cx, cy = math.cos(ang) * dist, math.sin(ang) * dist
            z0 = float(rng.uniform(-0.5, 0.5) * semi[2])
        gx, gy = model_grid(cx, cy, s)
        # label: 2x2 subsampled lesion fraction on the slice's centre plane
        lab = np.zeros((SIZE, SIZE), np.float32)
        for oy in (-0.25, 0.25):
            for ox in (-0.25, 0.25):
                lab += scene.truth((gx + ox * s)[None, :], (gy + oy * s)[:, None], np.float32(z0))
        lab /= 4
        if kind == "empty-click":
            lab[:] = 0
        if kind == "mask":
            pm = scene.truth(gx[None, :], gy[:, None], np.float32(prompt_z)).astype(np.float32)
            if pm.sum() < 1:
                continue
            strong = prompt_jitter_p > 0 and rng.random() < prompt_jitter_p
            r = rng.random()
            if strong:
                if r < 0.45:
                    pm = ndimage.binary_dilation(pm, iterations=int(rng.integers(1, 5))).astype(np.float32)
                elif r < 0.9:
                    er = ndimage.binary_erosion(pm, iterations=int(rng.integers(1, 4))).astype(np.float32)
                    if er.sum() > 0:
                        pm = er
                if rng.random() < 0.5:
                    pm = np.roll(pm, (int(rng.integers(-2, 3)), int(rng.integers(-2, 3))), axis=(0, 1))
            elif r < 0.25:
                pm = ndimage.binary_dilation(pm, iterations=int(rng.integers(1, 3))).astype(np.float32)
            elif r < 0.5:
                er = ndimage.binary_erosion(pm, iterations=1).astype(np.float32)
                if er.sum() > 0:
                    pm = er
            if rng.random() < 0.3:
                pm = np.roll(pm, (int(rng.integers(-1, 2)), int(rng.integers(-1, 2))), axis=(0, 1))
            prompt = pm
        else:
            if kind == "click" and lab[int(round(CENTRE_PX)), int(round(CENTRE_PX))] < 0.5:
                continue
            prompt = click_prompt(CENTRE_PX, CENTRE_PX)
        # the series slice covering the model grid (+2 pixels), series pixel centres on a random sub-pixel phase
        lo = min(gx[0], gy[0]) - 2 * sp - s
        hi = max(gx[-1], gy[-1]) + 2 * sp + s
        if edge_crop_p > 0 and rng.random() < edge_crop_p:
            half = scene.rmax + rng.uniform(8, 40)
            lo = max(lo, -half + rng.uniform(-5, 5))
            hi = min(hi, half + rng.uniform(-5, 5))
        n = int(math.ceil((hi - lo) / sp)) + 1
        ox0 = lo + rng.uniform(0, sp)
        oy0 = lo + rng.uniform(0, sp)
        img = render_series_slice(scene, rng, ox0, oy0, sp, n, z0, thick)
        hu = to_model_grid(img, ox0, oy0, sp, cx, cy, s)
        if kind == "mask":
            # the start slice's click reference: lesion HU plus the noise of a 3x3 mean
            ref = float(scene.les + rng.normal(0, scene.noise / 3 + scene.les_tex * 0.7))
        else:
            ref = reference_hu(hu, CENTRE_PX, CENTRE_PX)
        return channels(hu, ref, prompt), lab, {"family": scene.family, "kind": kind, "s": s, "D": D, "sp": sp, "thick": thick}


def to_model_grid(img, ox0, oy0, sp, cx, cy, s):
    """a series slice img[row, column] (first pixel centre at (ox0, oy0) mm, square pixels sp) resampled bilinearly,
    clamped at its edges, onto the model grid centred on (cx, cy) at spacing s: model-input.ts sliceGeometry +
    resampleBox with the clamp edge"""
    gx, gy = model_grid(cx, cy, s)
    IY, IX = np.meshgrid((gy - oy0) / sp, (gx - ox0) / sp, indexing="ij")
    return ndimage.map_coordinates(img, [IY, IX], order=1, mode="nearest").astype(np.float32)


def channels(hu, ref, prompt):
    """[3, 128, 128] in the card's channel order: image, image-relative, prompt"""
    return np.stack([window(hu), relative(hu, ref), prompt]).astype(np.float32)


def batch(rng, n, **kw):
    xs, ys = [], []
    for _ in range(n):
        x, y, _ = sample(rng, **kw)
        xs.append(x)
        ys.append(y)
    return np.stack(xs), np.stack(ys)[:, None]


if __name__ == "__main__":
    import time

    rng = np.random.default_rng(1)
    t = time.time()
    for i in range(40):
        x, y, info = sample(rng)
    print("per sample", (time.time() - t) / 40)
