"""Gel indentation depth: colour change -> surface slopes -> Poisson integration.

Photometric model (first order, after Johnson & Adelson 2009 / Yuan et al. 2017, "GelSight"):
with lights of different colours from different directions, the colour change of a pixel
against the unloaded gel is, to first order, linear in the local surface slopes. A 2x3 matrix
``gradient_matrix`` (fitted on a ball press, see :mod:`tactile.calibration.depth_fit`) maps the
(B, G, R) change to the slopes of the indentation depth d(x, y) (positive into the gel). The
depth map is the least-squares surface with those slopes: the Poisson equation
lap(d) = div(g) with Neumann boundaries, solved exactly by a 2-D DCT-II (Simchony, Chellappa &
Shao 1990). Depth is zero at the median of the pad border (the unloaded gel).
"""

from __future__ import annotations

import cv2
import numpy as np

from tactile.errors import CalibrationError, InvalidGraspError, ProcessingError
from tactile.processing._lean import dct2_ortho, idct2_ortho
from tactile.processing.contact import clean_mask


def _matrix(gradient_matrix: object) -> np.ndarray:
    m = np.asarray(gradient_matrix, dtype=np.float32)
    if m.shape != (2, 3) or not np.all(np.isfinite(m)):
        raise CalibrationError(
            f"gradient_matrix must be a finite 2x3 matrix, got shape {m.shape}",
            hint="fit it from a ball press with `tactile calibrate depth`",
        )
    return m


def surface_slopes(diff: np.ndarray, gradient_matrix: object) -> np.ndarray:
    """(H, W, 2) float32 slopes (dd/dx, dd/dy) from an (H, W, 3) colour difference."""
    if diff.ndim != 3 or diff.shape[2] != 3:
        raise InvalidGraspError(
            f"colour difference must be (H, W, 3), got {diff.shape}",
            hint="use contact.signed_difference(image, reference)",
        )
    return cv2.transform(diff.astype(np.float32), _matrix(gradient_matrix))


def _dct_eigenvalues(h: int, w: int) -> np.ndarray:
    ky = 2.0 * np.cos(np.pi * np.arange(h) / h) - 2.0
    kx = 2.0 * np.cos(np.pi * np.arange(w) / w) - 2.0
    lam = (ky[:, None] + kx[None, :]).astype(np.float32)
    lam[0, 0] = 1.0
    return lam


_EIG_CACHE: dict[tuple[int, int], np.ndarray] = {}
_KX = np.array([[-0.5, 0.0, 0.5]], np.float32)
_KY = _KX.T.copy()


def integrate_slopes(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Least-squares surface z with dz/dx ~ gx, dz/dy ~ gy (per pixel step), mean zero.

    Neumann-boundary Poisson solve via the orthonormal DCT-II (``cv2.dct``: no scipy import at
    start-up, see ``tactile.processing._lean``). Sides must be even (``cv2.dct`` needs it;
    build_pad_warp returns even sizes).
    """
    if gx.shape != gy.shape or gx.ndim != 2:
        raise InvalidGraspError(
            f"slope maps must be equal 2-D arrays, got {gx.shape} and {gy.shape}",
            hint="pass the two channels of surface_slopes()",
        )
    h, w = gx.shape
    if h % 2 or w % 2:
        raise InvalidGraspError(
            f"slope maps must have even sides for the DCT, got {w}x{h}",
            hint="build the PadWarp with build_pad_warp (it returns even sizes)",
        )
    gx = np.asarray(gx, dtype=np.float32)
    gy = np.asarray(gy, dtype=np.float32)
    # divergence of the slopes taken at half-pixel faces (mean of neighbours), zero flux
    # through the border: central differences inside, corrected first/last rows and columns
    div = np.asarray(cv2.filter2D(gx, -1, _KX, borderType=cv2.BORDER_CONSTANT), np.float32)
    div += np.asarray(cv2.filter2D(gy, -1, _KY, borderType=cv2.BORDER_CONSTANT), np.float32)
    div[:, 0] += 0.5 * gx[:, 0]
    div[:, -1] -= 0.5 * gx[:, -1]
    div[0, :] += 0.5 * gy[0, :]
    div[-1, :] -= 0.5 * gy[-1, :]
    lam = _EIG_CACHE.get((h, w))
    if lam is None:
        lam = _EIG_CACHE.setdefault((h, w), _dct_eigenvalues(h, w))
    spec = dct2_ortho(div)  # = scipy.fft.dctn(type=2, norm="ortho") to float32 rounding
    spec /= lam
    spec[0, 0] = 0.0
    return np.asarray(idct2_ortho(spec), dtype=np.float32)


def depth_map_mm(
    diff: np.ndarray,
    *,
    gradient_matrix: object,
    mm_per_px_x: float,
    mm_per_px_y: float,
    depth_scale: float = 1.0,
) -> np.ndarray:
    """(H, W) float32 indentation depth in mm (positive into the gel) from a colour difference.

    ``diff`` is :func:`tactile.processing.contact.signed_difference` of the warped frame and
    reference; ``depth_scale`` the calibration's correction factor (1 for a perfect fit).
    """
    m = _matrix(gradient_matrix) * np.array([[mm_per_px_x], [mm_per_px_y]], np.float32)
    gx, gy = cv2.split(cv2.transform(diff.astype(np.float32, copy=False), m))
    z = integrate_slopes(gx, gy)
    border = np.concatenate([z[0], z[-1], z[1:-1, 0], z[1:-1, -1]])
    return (z - np.median(border)) * np.float32(depth_scale)


def fit_cap_radius_mm(
    depth_mm: np.ndarray, mask: np.ndarray, *, mm_per_px_x: float, mm_per_px_y: float
) -> tuple[float, tuple[float, float]]:
    """Radius (mm) and centre (x, y in px) of the sphere that best fits the depth map in ``mask``.

    Algebraic sphere fit x^2+y^2+z^2 = 2ax + 2by + 2cz + k (linear least squares) with x, y, z
    in mm: a ball press of radius R gives R back when the depth map is right.
    """
    ys, xs = np.nonzero(mask)
    if xs.size < 10:
        raise ProcessingError(
            f"only {xs.size} contact pixels: too few to fit a cap",
            hint="press harder or lower the contact threshold",
        )
    x = xs * mm_per_px_x
    y = ys * mm_per_px_y
    z = -depth_mm[ys, xs].astype(np.float64)  # surface height: down into the gel
    a = np.column_stack([2 * x, 2 * y, 2 * z, np.ones_like(x)])
    sol, *_ = np.linalg.lstsq(a, x**2 + y**2 + z**2, rcond=None)
    cx, cy, cz, k = sol
    radius = float(np.sqrt(max(k + cx**2 + cy**2 + cz**2, 0.0)))
    return radius, (float(cx / mm_per_px_x), float(cy / mm_per_px_y))


def contact_mask_from_depth(
    depth_mm: np.ndarray,
    *,
    sigma_px: float = 1.0,
    min_fraction: float = 0.5,
    min_depth_mm: float = 0.01,
) -> np.ndarray:
    """Contact = where the indented gel is concave (a cap pressed in), near the press.

    Inside a contact the gel takes the object's convex shape (the Laplacian of the depth map
    is negative: -2/R for a ball); outside it, the free gel surface relaxes back with positive
    curvature (Hertz far field). The sign change marks the contact edge whatever the depth
    scale, so soft and stiff objects are treated alike. Pixels shallower than ``min_fraction``
    of the peak depth are never contact (noise far from the press).
    """
    smooth = cv2.GaussianBlur(depth_mm, (0, 0), sigma_px) if sigma_px > 0 else depth_mm
    peak = float(cv2.minMaxLoc(smooth)[1])
    if peak < min_depth_mm:
        return np.zeros(depth_mm.shape, dtype=bool)
    lap = cv2.Laplacian(smooth, cv2.CV_32F)
    raw = ((lap < 0) & (depth_mm > min_fraction * peak)).astype(np.uint8)
    return clean_mask(raw)
