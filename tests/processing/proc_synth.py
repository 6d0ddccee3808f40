"""Synthetic GelSight-like frames for tests: a lit gel and spherical-cap presses."""

from __future__ import annotations

import numpy as np

from tactile.calibration.depth_fit import depth_slopes, hertz_press_depth

#: true colour response (B, G, R change per unit slope dd/dx, dd/dy) of the synthetic sensor
COLOUR_RESPONSE = np.array([[110.0, 10.0], [-15.0, 115.0], [-70.0, -70.0]])


def lit_gel(shape: tuple[int, int] = (240, 320), seed: int = 0) -> np.ndarray:
    """(H, W, 3) float image of an unloaded gel with a lighting gradient per channel."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    img = np.stack([100 + 50 * (1 - yy), 90 + 60 * xx, 80 + 50 * yy], -1)
    return img + np.random.default_rng(seed).normal(0, 1.0, img.shape)


def to_u8(img: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def press(
    base: np.ndarray,
    *,
    contact_radius_mm: float,
    ball_radius_mm: float = 10.0,
    center_px: tuple[float, float] = (160.0, 120.0),
    mm_per_px: tuple[float, float] = (35.0 / 320.0, 25.5 / 240.0),
    seed: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """A rigid-ball (Hertz) press rendered on ``base``: (uint8 frame, true depth map in mm)."""
    kw = {"mm_per_px_x": mm_per_px[0], "mm_per_px_y": mm_per_px[1]}
    depth, _ = hertz_press_depth(
        base.shape[:2],
        center_px=center_px,
        contact_radius_mm=contact_radius_mm,
        ball_radius_mm=ball_radius_mm,
        **kw,
    )
    # multiplicative shading, as on a real gel: relative change linear in the slopes
    change = base * (depth_slopes(depth, **kw) @ COLOUR_RESPONSE.T) / 128.0
    noise = np.random.default_rng(seed).normal(0, 1.0, base.shape)
    return to_u8(base + change + noise), depth
