"""Tactile image formation: gel height map -> surface normals -> coloured shading.

GelSight-style sensors light the painted gel from several sides with coloured LEDs and film it
from behind (Johnson & Adelson, "Retrographic sensing for the measurement of surface texture
and shape", CVPR 2009; Yuan et al., "GelSight", Sensors 2017). We model the coating as
Lambertian: for colour channel ``c`` the radiance is
``S_c(n) = ambient_c + sum_i colour_ic * max(n . l_i, 0)`` with the surface normal
``n ~ (-dz/dx, -dz/dy, 1)``. The camera sees the unloaded pad as the *background* (which
already contains the uneven LED illumination), so a frame is ``background * S(n) / S(n_flat)``:
a flat gel renders exactly as the background, a slope towards a light brightens that light's
colour. The Wedge light layout (blue from the top edge, red from the bottom, green from the
left) and the background are measured on the real Wedge grasps in ``../shared/data``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from tactile.errors import ConfigError

_DEPTH_EPS_MM = 1e-4

#: Mean no-contact frame of the 15 real Wedge grasps (warped, cropped 25 px: 250x350),
#: averaged down to 9x12 cells, BGR. Derived by :func:`derive_background_grid`.
WEDGE_BACKGROUND_GRID_BGR: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((96, 106, 98), (119, 117, 106), (140, 122, 113), (155, 127, 117), (162, 128, 119),
     (166, 128, 121), (165, 126, 121), (161, 124, 121), (149, 120, 120), (130, 115, 118),
     (111, 110, 114), (90, 103, 107)),
    ((95, 116, 102), (110, 128, 111), (119, 127, 121), (124, 131, 127), (127, 131, 130),
     (128, 130, 132), (127, 128, 133), (124, 126, 133), (118, 121, 130), (109, 117, 125),
     (100, 112, 120), (88, 107, 111)),
    ((97, 127, 102), (106, 138, 112), (110, 133, 125), (114, 135, 131), (115, 135, 134),
     (115, 133, 137), (113, 132, 138), (110, 128, 137), (107, 123, 134), (101, 119, 129),
     (96, 115, 124), (87, 109, 113)),
    ((100, 140, 101), (108, 149, 112), (110, 141, 126), (111, 140, 134), (112, 138, 138),
     (113, 138, 141), (112, 136, 142), (108, 131, 141), (105, 126, 139), (100, 121, 133),
     (94, 116, 125), (87, 110, 113)),
    ((105, 152, 96), (112, 161, 106), (113, 147, 124), (113, 143, 134), (114, 140, 138),
     (114, 139, 141), (112, 137, 142), (109, 132, 141), (105, 126, 138), (100, 121, 133),
     (94, 116, 124), (89, 111, 112)),
    ((105, 153, 94), (113, 165, 103), (114, 150, 121), (114, 143, 132), (113, 140, 138),
     (113, 138, 140), (111, 135, 141), (107, 130, 138), (103, 124, 133), (98, 119, 126),
     (93, 114, 118), (87, 109, 108)),
    ((103, 144, 102), (117, 169, 112), (116, 151, 132), (114, 141, 142), (113, 137, 148),
     (112, 135, 151), (109, 132, 149), (106, 127, 144), (101, 122, 135), (97, 117, 125),
     (92, 112, 115), (85, 107, 104)),
    ((99, 127, 113), (115, 158, 127), (115, 146, 148), (114, 137, 162), (112, 132, 166),
     (110, 130, 166), (108, 127, 163), (105, 123, 155), (100, 119, 144), (95, 114, 128),
     (90, 109, 113), (84, 104, 98)),
    ((96, 109, 150), (110, 133, 165), (114, 139, 175), (113, 131, 182), (110, 126, 181),
     (108, 124, 179), (106, 121, 174), (103, 118, 166), (99, 114, 152), (93, 111, 133),
     (88, 106, 112), (81, 100, 91)),
)  # fmt: skip


@dataclass(frozen=True)
class Light:
    """A directional light: azimuth in the image plane (0 = towards +x/right, 90 = towards
    +y/down), elevation above the gel plane, and its colour weights (B, G, R)."""

    azimuth_deg: float
    elevation_deg: float
    colour_bgr: tuple[float, float, float]

    @property
    def direction(self) -> np.ndarray:
        az, el = math.radians(self.azimuth_deg), math.radians(self.elevation_deg)
        return np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])


#: Wedge-like layout: blue LEDs at the top edge, red at the bottom, green at the left, and a
#: weak white fill from the right (matches the colour bands of the real background). The
#: elevation (40 deg) was chosen so that the golf-ball twin's |peak - reference| percentiles
#: (50/75/90/99: 15/27/35/44, 55 % of pixels above 12) match the real golf_ball_1 grasp's
#: (14/22/35/57, 55 %).
WEDGE_LIGHTS: tuple[Light, ...] = (
    Light(-90.0, 40.0, (1.0, 0.25, 0.15)),
    Light(90.0, 40.0, (0.15, 0.25, 1.0)),
    Light(180.0, 40.0, (0.2, 1.0, 0.2)),
    Light(0.0, 40.0, (0.3, 0.3, 0.3)),
)


#: GelSight-Mini-like layout: three LEDs (red, green, blue) 120 degrees apart.
MINI_LIGHTS: tuple[Light, ...] = (
    Light(90.0, 35.0, (0.1, 0.15, 1.0)),
    Light(210.0, 35.0, (0.15, 1.0, 0.1)),
    Light(330.0, 35.0, (1.0, 0.15, 0.1)),
)


#: Load-induced shift of the real Wedge's illumination pattern (phase correlation of the left
#: third of the warped pad, reference vs peak frame: -0.78 .. -1.27 px at 19-25 N, 11.4 px/mm).
WEDGE_BACKGROUND_SHIFT_MM_PER_N: tuple[float, float] = (-0.0036, 0.0)


@dataclass(frozen=True)
class Optics:
    """How the pad is lit and filmed. ``background``: "wedge" (measured grid), "procedural"
    (smooth Wedge-like gradient), "mini" (GelSight-Mini-like) or a path to a no-contact BGR
    image of the pad. ``marker_pitch_mm`` > 0 prints a square grid of dark markers (radius
    ``marker_radius_mm``) on the gel; they are shaded with the surface but not displaced
    sideways (the in-plane displacement of a nearly incompressible gel under normal load is
    small). ``background_shift_mm_per_n`` moves the illumination pattern with the grip force
    (the pad, mirror and LEDs shift against each other under load: on the real Wedge the
    pattern moves by -0.0036 mm/N along x, consistently over the 15 grasps)."""

    lights: tuple[Light, ...] = WEDGE_LIGHTS
    ambient: float = 0.35
    background: str = "wedge"
    background_is_rgb: bool = False
    blur_sigma_px: float = 0.7
    marker_pitch_mm: float = 0.0
    marker_radius_mm: float = 0.25
    marker_darkness: float = 0.7
    background_shift_mm_per_n: tuple[float, float] = (0.0, 0.0)
    #: RMS height (mm) of the fine texture a contact prints into the gel's coating whatever the
    #: object's stiffness, fully once the mean contact pressure reaches
    #: ``contact_texture_pressure_pa`` (linearly below it); 0: off. See :mod:`tactile.sim.scene`.
    contact_texture_mm: float = 0.0
    contact_texture_pressure_pa: float = 2.5e4
    extra: dict[str, float] = field(default_factory=dict)

    @classmethod
    def mini(cls, *, markers: bool = False) -> Optics:
        """GelSight-Mini-like: red, green and blue LEDs 120 deg apart around a small pad, an
        evenly lit grey background, optionally the Mini's marker grid (~1.6 mm pitch)."""
        return cls(
            lights=MINI_LIGHTS,
            ambient=0.3,
            background="mini",
            marker_pitch_mm=1.6 if markers else 0.0,
        )


def derive_background_grid(
    image_bgr: np.ndarray, cells_hw: tuple[int, int] = (9, 12)
) -> np.ndarray:
    """Average a no-contact pad image down to a small grid (what we ship instead of images)."""
    h, w = cells_hw
    return cv2.resize(image_bgr.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)


def _procedural_background(size_hw: tuple[int, int]) -> np.ndarray:
    h, w = size_hw
    y = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
    x = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
    vignette = 1.0 - 0.18 * (x * x + y * y)
    b = 112 + 35 * np.exp(-(((y + 1.0) / 0.35) ** 2)) + 0 * x
    g = 128 + 35 * np.exp(-(((x + 0.9) / 0.25) ** 2)) + 0 * y
    r = 125 + 50 * np.exp(-(((y - 1.0) / 0.35) ** 2)) + 0 * x
    return np.stack([b, g, r], axis=-1) * vignette[..., None]


def _mini_background(size_hw: tuple[int, int]) -> np.ndarray:
    h, w = size_hw
    y = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
    x = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
    vignette = 1.0 - 0.25 * (x * x + y * y)
    base = np.array([150.0, 145.0, 140.0], np.float32)
    return vignette[..., None] * base


def marker_mask(
    optics: Optics, size_hw: tuple[int, int], mm_per_px: tuple[float, float]
) -> np.ndarray:
    """Albedo factor (H, W, 1) float32: 1 on the gel, ``1 - marker_darkness`` on markers."""
    h, w = size_hw
    if optics.marker_pitch_mm <= 0:
        return np.ones((h, w, 1), np.float32)
    p = optics.marker_pitch_mm
    x = (np.arange(w, dtype=np.float32) + 0.5) * mm_per_px[0]
    y = (np.arange(h, dtype=np.float32) + 0.5) * mm_per_px[1]
    dx = (x - w * mm_per_px[0] / 2) % p - p / 2
    dy = (y - h * mm_per_px[1] / 2) % p - p / 2
    r = np.sqrt(dx[None, :] ** 2 + dy[:, None] ** 2)
    edge = np.clip((optics.marker_radius_mm - r) / max(mm_per_px[0], 1e-6) + 0.5, 0.0, 1.0)
    return (1.0 - optics.marker_darkness * edge)[..., None].astype(np.float32)


def background_image(optics: Optics, size_hw: tuple[int, int]) -> np.ndarray:
    """The unloaded pad as float32 (H, W, 3) BGR, at the requested size (without markers)."""
    h, w = size_hw
    if optics.background == "mini":
        return _mini_background(size_hw)
    if optics.background == "wedge":
        grid = np.asarray(WEDGE_BACKGROUND_GRID_BGR, dtype=np.float32)
        return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    if optics.background == "procedural":
        return _procedural_background(size_hw).astype(np.float32)
    path = Path(optics.background)
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise ConfigError(
            f"background image {path} cannot be read",
            hint="pass 'wedge', 'procedural' or the path of a PNG of the unloaded pad",
        )
    if optics.background_is_rgb:
        img = img[..., ::-1]
    return cv2.resize(img.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)


class Shader:
    """Precomputed background and light matrix for one frame size; cheap per frame."""

    def __init__(self, optics: Optics, size_hw: tuple[int, int], mm_per_px: tuple[float, float]):
        self.optics = optics
        self.mm_per_px_x, self.mm_per_px_y = mm_per_px
        self.background = background_image(optics, size_hw) * marker_mask(
            optics, size_hw, mm_per_px
        )
        self._dirs = np.array([lt.direction for lt in optics.lights], dtype=np.float32)  # (L,3)
        self._cols = np.array([lt.colour_bgr for lt in optics.lights], dtype=np.float32)  # (L,3)
        flat = optics.ambient + np.clip(self._dirs[:, 2], 0, None) @ self._cols
        self._flat = flat.astype(np.float32)  # (3,)
        self._bg_grad: tuple[np.ndarray, np.ndarray] | None = None

    def ratio(self, depth_mm: np.ndarray) -> np.ndarray:
        """Shading ratio S(n)/S(n_flat) per pixel and channel, (H, W, 3) float32."""
        gy, gx = np.gradient(depth_mm.astype(np.float32), self.mm_per_px_y, self.mm_per_px_x)
        inv_norm = 1.0 / np.sqrt(1.0 + gx * gx + gy * gy)
        ndotl = np.empty((*depth_mm.shape, len(self._dirs)), np.float32)
        for i, d in enumerate(self._dirs):
            ndotl[..., i] = (d[2] - gx * d[0] - gy * d[1]) * inv_norm
        np.maximum(ndotl, 0.0, out=ndotl)
        out = ndotl @ (self._cols / self._flat)
        out += self.optics.ambient / self._flat
        return out

    def _roi(self, depth_mm: np.ndarray) -> tuple[slice, slice]:
        """Bounding box of the indented region (plus a margin for gradients and blur)."""
        active = depth_mm > _DEPTH_EPS_MM
        rows, cols = np.flatnonzero(active.any(axis=1)), np.flatnonzero(active.any(axis=0))
        if rows.size == 0:
            return slice(0, 0), slice(0, 0)
        m = 2 + math.ceil(4 * self.optics.blur_sigma_px)
        h, w = depth_mm.shape
        return (
            slice(max(rows[0] - m, 0), min(rows[-1] + m + 1, h)),
            slice(max(cols[0] - m, 0), min(cols[-1] + m + 1, w)),
        )

    def shifted_background(self, force_n: float) -> np.ndarray:
        """The background moved by ``background_shift_mm_per_n * force``: shifts are below a
        couple of pixels, so a first-order Taylor step along the background's gradient."""
        sx, sy = self.optics.background_shift_mm_per_n
        dx, dy = sx * force_n / self.mm_per_px_x, sy * force_n / self.mm_per_px_y
        if dx == 0 and dy == 0:
            return self.background
        if self._bg_grad is None:
            gy, gx = np.gradient(self.background, axis=(0, 1))
            self._bg_grad = (gx.astype(np.float32), gy.astype(np.float32))
        gx, gy = self._bg_grad
        return self.background - np.float32(dx) * gx - np.float32(dy) * gy

    def render(self, depth_mm: np.ndarray, force_n: float = 0.0) -> np.ndarray:
        """Noise-free float32 BGR frame of the pad with this gel indentation (and, when the
        optics say so, the illumination shifted by the load)."""
        rs, cs = self._roi(depth_mm)
        out = self.shifted_background(force_n).copy()
        if rs.stop <= rs.start or cs.stop <= cs.start:
            return out
        ratio = self.ratio(depth_mm[rs, cs])
        if self.optics.blur_sigma_px > 0:
            ratio = cv2.GaussianBlur(ratio, (0, 0), sigmaX=self.optics.blur_sigma_px)
        out[rs, cs] *= ratio
        return out
