"""The gel's indentation field on the pad grid, from a contact state.

The *total* surface displacement (object + gel) follows the Hertz solution of each contact
kind; the gel carries the share ``f = gel_depth / delta`` of it everywhere (both bodies'
displacements are proportional to their compliances, Johnson 1985 ch. 3-4):

- point contact, inside (``rho <= a``): ``u = delta - rho^2 / (2 R)``; outside the Hertz
  surface displacement outside a Hertz pressure circle (Johnson ch. 3, total for both bodies)
  ``u = [(2a^2 - rho^2) asin(a/rho) + a sqrt(rho^2 - a^2)] / (pi R)``, where ``rho`` is the
  radius scaled to a circle for elliptical contacts. Hertz assumes ``a << R``; soft spheres
  squeezed to ``a/R`` of 0.3-0.6 conform and their contact pressure flattens (Y. Tatara,
  "On compression of rubber elastic sphere over a large range of displacements",
  J. Eng. Mater. Technol. 113 (1991) 285-291 (Part 1)), so the profile is blended towards the
  uniform-pressure one (same centre depth) with :func:`conforming_weight` times the object's
  share of the deformation (a rigid sphere imposes its own cap on the gel).
- line contact (2D Hertz, Johnson ch. 4): inside ``u = delta - y^2/(2R)``; outside the surface slope
  ``du/dy = -(y - sqrt(y^2 - b^2)) / R``, integrated in closed form and clipped at zero.
- flat contact: uniform ``delta`` inside; outside a flat punch's
  ``u = delta (2/pi) asin(a / (a + d))`` with ``d`` the distance from the edge
  (rigid flat punch on a half-space, Johnson ch. 3).

The gel is a layer of thickness ``h`` on a rigid window, so its far field dies out within about
one thickness (a half-space's decays only as 1/r): outside the contact the tail is multiplied
by ``exp(-(d/h)^2)``, ``d`` the distance from the contact edge (the Gaussian keeps the slope
continuous at the edge, so the decay adds no artificial ring).
Depths are in mm, positive towards the camera (the gel is pushed in by the object).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.special import ellipe, ellipk

from tactile.sensor import SensorCalibration

_PROFILE_POINTS = 1024


@dataclass(frozen=True)
class PadGrid:
    """Pixel-centre coordinates (mm) of the pad image, origin at the contact centre."""

    x_mm: np.ndarray  # (1, W)
    y_mm: np.ndarray  # (H, 1)
    mm_per_px_x: float
    mm_per_px_y: float

    @classmethod
    def for_calibration(
        cls,
        cal: SensorCalibration,
        size_hw: tuple[int, int],
        *,
        center_offset_mm: tuple[float, float] = (0.0, 0.0),
    ) -> PadGrid:
        """Grid for frames of ``size_hw`` pixels at the calibration's pixel scale (a larger
        frame shows a larger pad; pass a calibration with a finer scale to zoom)."""
        h, w = size_hw
        sx, sy = cal.mm_per_px_x, cal.mm_per_px_y
        x = (np.arange(w, dtype=np.float32) - (w - 1) / 2.0) * sx - center_offset_mm[0]
        y = (np.arange(h, dtype=np.float32) - (h - 1) / 2.0) * sy - center_offset_mm[1]
        return cls(x[None, :], y[:, None], sx, sy)

    @property
    def pad_mm(self) -> tuple[float, float]:
        return self.x_mm.shape[1] * self.mm_per_px_x, self.y_mm.shape[0] * self.mm_per_px_y


def _point_profile(rho: np.ndarray, a: float, radius: float, delta: float) -> np.ndarray:
    out = np.empty_like(rho)
    inside = rho <= a
    out[inside] = delta - rho[inside] ** 2 / (2 * radius)
    r = rho[~inside]
    out[~inside] = (
        (2 * a * a - r * r) * np.arcsin(np.clip(a / r, -1, 1)) + a * np.sqrt(r * r - a * a)
    ) / (math.pi * radius)
    return out


def _uniform_pressure_profile(rho: np.ndarray, a: float) -> np.ndarray:
    """Surface displacement under a uniform pressure on a circle of radius ``a``, normalised to
    1 at the centre (Johnson 1985 ch. 3): ``E(r/a)`` inside and
    ``(r/a)[E(a/r) - (1 - a^2/r^2) K(a/r)]`` outside, with the complete elliptic integrals
    ``E(k)``, ``K(k)`` of modulus ``k`` (scipy takes the parameter ``m = k^2``)."""
    out = np.empty_like(rho)
    inside = rho <= a
    out[inside] = ellipe((rho[inside] / a) ** 2)
    x = rho[~inside] / a
    m = 1.0 / (x * x)
    out[~inside] = x * (ellipe(m) - (1.0 - m) * ellipk(m))
    return out / (math.pi / 2)


def conforming_weight(a_mm: float, radius_mm: float) -> float:
    """How far a point contact has moved from Hertz (a << R) towards a flattened, uniformly
    pressed contact: 0 below a/R = 0.2, 1 above 0.6, linear in between (our heuristic)."""
    return float(np.clip((a_mm / radius_mm - 0.2) / 0.4, 0.0, 1.0))


def _line_profile(s: np.ndarray, b: float, radius: float, delta: float) -> np.ndarray:
    out = np.empty_like(s)
    inside = s <= b
    out[inside] = delta - s[inside] ** 2 / (2 * radius)
    t = s[~inside]
    root = np.sqrt(t * t - b * b)
    tail = t * t - b * b - t * root + b * b * np.log((t + root) / max(b, 1e-12))
    out[~inside] = delta - b * b / (2 * radius) - tail / (2 * radius)
    return np.maximum(out, 0.0)


def _flat_profile(d: np.ndarray, a_eq: float, delta: float) -> np.ndarray:
    return delta * (2 / math.pi) * np.arcsin(a_eq / (a_eq + d))


_DECAY_WIDTHS = 3.5  # exp(-3.5^2) ~ 5e-6: beyond this the finite gel's tail is dropped


def gel_depth_map(
    grid: PadGrid,
    kind: str,
    state: dict[str, float],
    radii_mm: tuple[float, float],
    *,
    flat_circle: bool = False,
    thickness_mm: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gel indentation (H, W) float32 in mm, and the boolean contact mask.

    ``state`` holds scalar ``delta_mm``, ``semi_x_mm``, ``semi_y_mm``, ``gel_depth_mm``.
    ``thickness_mm`` switches on the finite-thickness decay of the far field (and lets the
    computation skip the pad beyond a few thicknesses from the contact).
    """
    h, w = grid.y_mm.shape[0], grid.x_mm.shape[1]
    depth = np.zeros((h, w), np.float32)
    mask = np.zeros((h, w), bool)
    if float(state["delta_mm"]) <= 0:
        return depth, mask
    rows, cols = slice(0, h), slice(0, w)
    if thickness_mm is not None:
        margin = _DECAY_WIDTHS * thickness_mm
        ax, ay = float(state["semi_x_mm"]), float(state["semi_y_mm"])
        if kind == "line":
            ax += 3.0 * max(ay, 0.5) - margin  # the cylinder's ends taper over ~3 b
        rows = _span(grid.y_mm[:, 0], ay + margin)
        cols = _span(grid.x_mm[0, :], ax + margin)
        if rows.stop <= rows.start or cols.stop <= cols.start:
            return depth, mask
    sub = PadGrid(grid.x_mm[:, cols], grid.y_mm[rows, :], grid.mm_per_px_x, grid.mm_per_px_y)
    depth[rows, cols], mask[rows, cols] = _depth_on(
        sub, kind, state, radii_mm, flat_circle, thickness_mm
    )
    return depth, mask


def _span(coords: np.ndarray, half_extent: float) -> slice:
    inside = np.flatnonzero(np.abs(coords) <= half_extent)
    if inside.size == 0:
        return slice(0, 0)
    return slice(int(inside[0]), int(inside[-1]) + 1)


def _depth_on(
    grid: PadGrid,
    kind: str,
    state: dict[str, float],
    radii_mm: tuple[float, float],
    flat_circle: bool,
    thickness_mm: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    delta = float(state["delta_mm"])
    share = float(state["gel_depth_mm"]) / delta
    ax, ay = float(state["semi_x_mm"]), float(state["semi_y_mm"])
    if kind == "point":
        a = math.sqrt(ax * ay)
        rho = np.sqrt((grid.x_mm * (a / ax)) ** 2 + (grid.y_mm * (a / ay)) ** 2)
        edge_dist = rho - a
        re = math.sqrt(radii_mm[0] * radii_mm[1])
        samples = np.linspace(0.0, float(rho.max()) + 1e-6, _PROFILE_POINTS)
        profile = _point_profile(samples, a, re, delta)
        w = conforming_weight(a, re) * (1.0 - share)  # a rigid object keeps the Hertz cap
        if w > 0:
            profile = (1 - w) * profile + w * delta * _uniform_pressure_profile(samples, a)
        total = np.interp(rho, samples, profile)
    elif kind == "line":
        s = np.abs(grid.y_mm) + 0 * grid.x_mm
        edge_dist = s - ay
        samples = np.linspace(0.0, float(s.max()) + 1e-6, _PROFILE_POINTS)
        total = np.interp(s, samples, _line_profile(samples, ay, radii_mm[1], delta))
        beyond = np.maximum(np.abs(grid.x_mm) - ax, 0.0)
        total = total * np.exp(-((beyond / max(ay, 0.5)) ** 2))
        edge_dist = np.maximum(edge_dist, beyond)
    else:
        if flat_circle:
            edge_dist = np.sqrt(grid.x_mm**2 + grid.y_mm**2) - ax
        else:
            dx = np.maximum(np.abs(grid.x_mm) - ax, 0.0)
            dy = np.maximum(np.abs(grid.y_mm) - ay, 0.0)
            edge_dist = np.sqrt(dx * dx + dy * dy) - (dx == 0) * (dy == 0) * 1e-6
        total = _flat_profile(np.maximum(edge_dist, 0.0), math.sqrt(ax * ay), delta)
    contact = edge_dist <= 0
    depth = share * total
    if thickness_mm is not None:
        decay = np.exp(-((np.maximum(edge_dist, 0) / thickness_mm) ** 2))
        depth = np.where(contact, depth, depth * decay)
    return depth.astype(np.float32), np.asarray(contact)


def texture_field(
    rng: np.random.Generator, size_hw: tuple[int, int], rms_mm: float, corr_px: float = 3.0
) -> np.ndarray:
    """A smooth random surface texture with the given RMS height (mm), zero mean."""
    if rms_mm <= 0:
        return np.zeros(size_hw, np.float32)
    noise = rng.standard_normal(size_hw).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), sigmaX=corr_px)
    smooth -= smooth.mean()
    return smooth * np.float32(rms_mm / max(float(smooth.std()), 1e-9))


def dimple_field(
    rng: np.random.Generator,
    size_hw: tuple[int, int],
    mm_per_px: tuple[float, float],
    pitch_mm: float,
    depth_mm: float,
) -> np.ndarray:
    """A hexagonal lattice of round dimples (radius 0.42 pitch, parabolic, ``depth_mm`` deep)
    at a random phase, as a height field (mm, <= 0: the gel is pushed less into a dimple)."""
    h, w = size_hw
    if pitch_mm <= 0 or depth_mm <= 0:
        return np.zeros(size_hw, np.float32)
    x = (np.arange(w, dtype=np.float32) * mm_per_px[0])[None, :]
    y = (np.arange(h, dtype=np.float32) * mm_per_px[1])[:, None]
    x0, y0 = (float(v) for v in rng.uniform(0.0, pitch_mm, 2))
    row = pitch_mm * math.sqrt(3.0)  # two rectangular sub-lattices make the hexagonal one
    r2 = np.full(size_hw, np.inf, np.float32)
    for ox, oy in ((x0, y0), (x0 + pitch_mm / 2, y0 + row / 2)):
        dx = (x - ox) % pitch_mm - pitch_mm / 2
        dy = (y - oy) % row - row / 2
        r2 = np.minimum(r2, dx * dx + dy * dy)
    rd = 0.42 * pitch_mm
    return (-depth_mm * np.clip(1.0 - r2 / (rd * rd), 0.0, None)).astype(np.float32)


def ridge_field(
    rng: np.random.Generator,
    size_hw: tuple[int, int],
    mm_per_px: tuple[float, float],
    pitch_mm: float,
    depth_mm: float,
    *,
    angle_deg: float = 0.0,
) -> np.ndarray:
    """Parallel grooves (a screw thread, ribs, a ridged grip) of ``pitch_mm`` at a random phase,
    as a height field (mm, <= 0 in a groove: the gel is pushed less there). The profile is a
    rounded triangle wave ``depth_mm`` deep; ``angle_deg`` turns the ridges (0: along x, the
    pad's width, as the thread of a cylinder lying on its side)."""
    h, w = size_hw
    if pitch_mm <= 0 or depth_mm <= 0:
        return np.zeros(size_hw, np.float32)
    x = (np.arange(w, dtype=np.float32) * mm_per_px[0])[None, :]
    y = (np.arange(h, dtype=np.float32) * mm_per_px[1])[:, None]
    a = math.radians(angle_deg)
    u = y * np.float32(math.cos(a)) - x * np.float32(math.sin(a))
    phase = float(rng.uniform(0.0, pitch_mm))
    tri = np.abs(((u - phase) % pitch_mm) / pitch_mm - 0.5) * 2.0  # 0 at a crest, 1 in a groove
    return (-depth_mm * tri * tri).astype(np.float32)
