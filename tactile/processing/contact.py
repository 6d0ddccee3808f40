"""Contact mask and contact area from a warped pad image and its unloaded reference.

Pipeline (per frame, all on the small warped pad image):

1. relative colour change 128 * (frame - reference) / reference per channel (the uneven LED
   illumination multiplies the shading, so the ratio depends on the gel surface alone);
2. minus its per-channel median over the pad: a global brightness/exposure change between the
   reference and the frame changes nothing (assumes the contact covers < half the pad);
3. magnitude = mean over channels of |change| (grey levels at mid-grey);
4. Gaussian smoothing (sigma ~ 0.25 mm): camera noise, dust specks and marker dots vanish;
5. threshold from the calibration (``contact_threshold``);
6. morphological opening then closing (removes isolated specks, bridges dimples/markers);
7. connected components: keep the largest and every component at least ``keep_fraction`` of it
   (the press), drop small blobs (lighting flicker at the pad edge);
8. fill holes (a ring-shaped imprint, e.g. a flat-topped object, counts as its full disc).
"""

from __future__ import annotations

import cv2
import numpy as np

from tactile.errors import InvalidGraspError, ProcessingError

_MEAN3 = np.full((1, 3), 1.0 / 3.0, dtype=np.float32)
_MIN_REF = np.float32(16.0)  # darker reference pixels are noise, not signal


def _check_pair(image: np.ndarray, reference: np.ndarray) -> None:
    if image.shape != reference.shape:
        raise InvalidGraspError(
            f"image {image.shape} and reference {reference.shape} differ in shape",
            hint="warp both with the same PadWarp",
        )
    if image.dtype != np.uint8 or reference.dtype != np.uint8:
        raise InvalidGraspError(
            f"images must be uint8, got {image.dtype} and {reference.dtype}",
            hint="pass camera frames as uint8 BGR",
        )
    if image.ndim != 3 or image.shape[2] != 3:
        raise InvalidGraspError(
            f"expected (H, W, 3) colour images, got {image.shape}", hint="pass BGR frames"
        )


class RelativeDifference:
    """Signed relative colour change of frames against one fixed reference.

    ``RelativeDifference(reference)(image)`` returns (H, W, 3) float32
    ``128 * (q / median(q) - 1)`` per channel with ``q = image / reference``, in grey levels
    at mid-grey: the LEDs' uneven illumination multiplies the gel's shading, so the *ratio*
    is what depends on the surface alone, and dividing by its per-channel median (on a strided
    subsample) cancels a global exposure/gain change between reference and frame. The
    reference-dependent factors are computed once, which matters at thousands of frames/s.
    """

    def __init__(self, reference: np.ndarray) -> None:
        if reference.dtype != np.uint8 or reference.ndim != 3 or reference.shape[2] != 3:
            raise InvalidGraspError(
                f"reference must be (H, W, 3) uint8, got {reference.shape} {reference.dtype}",
                hint="pass a warped BGR camera frame",
            )
        self.reference = reference
        self._inv = (1.0 / np.maximum(reference.astype(np.float32), _MIN_REF)).astype(np.float32)
        # ~500 evenly spaced pixels are plenty for the per-channel median
        self._stride = max(1, int(np.sqrt(reference.shape[0] * reference.shape[1] / 500)))

    def _ratio(self, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``image / reference`` (float32) and its per-channel median level (strided sample)."""
        if image.shape != self.reference.shape or image.dtype != np.uint8:
            _check_pair(image, self.reference)
        ratio = cv2.multiply(image, self._inv, dtype=cv2.CV_32F)
        k = self._stride
        sample = ratio[::k, ::k].reshape(-1, 3)
        mid = sample.shape[0] // 2  # the upper median: np.partition is 3x faster than median
        level = np.maximum(np.partition(sample, mid, axis=0)[mid], 1e-3)
        return ratio, level

    def __call__(self, image: np.ndarray) -> np.ndarray:
        ratio, level = self._ratio(image)
        affine = np.zeros((3, 4), np.float32)
        affine[[0, 1, 2], [0, 1, 2]] = 128.0 / level
        affine[:, 3] = -128.0
        return cv2.transform(ratio, affine)

    def magnitude(self, image: np.ndarray, *, sigma_px: float = 1.5) -> np.ndarray:
        """Smoothed mean absolute change over channels, (H, W) float32 in grey levels.

        Equals ``difference_magnitude_from_diff(self(image), sigma_px=sigma_px)`` in two fewer
        passes: ``|128 (q/l - 1)| = 128/l · |q - l|`` per channel, summed with weights.
        """
        ratio, level = self._ratio(image)
        scalar = (float(level[0]), float(level[1]), float(level[2]), 0.0)
        dev = cv2.absdiff(ratio, scalar)  # type: ignore[call-overload]  # a Scalar
        weights = (128.0 / 3.0 / level).astype(np.float32).reshape(1, 3)
        mag = cv2.transform(dev, weights)
        if sigma_px > 0:
            mag = cv2.GaussianBlur(mag, (0, 0), sigma_px)
        return mag


def signed_difference(image: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Relative colour change of ``image`` against ``reference`` (see RelativeDifference)."""
    _check_pair(image, reference)
    return RelativeDifference(reference)(image)


def difference_magnitude_from_diff(diff: np.ndarray, *, sigma_px: float = 1.5) -> np.ndarray:
    """(H, W) float32 smoothed mean absolute colour change of a signed difference."""
    mag = cv2.transform(np.abs(diff), _MEAN3)
    if sigma_px > 0:
        mag = cv2.GaussianBlur(mag, (0, 0), sigma_px)
    return mag


def difference_magnitude(
    image: np.ndarray, reference: np.ndarray, *, sigma_px: float = 1.5
) -> np.ndarray:
    """(H, W) float32 smoothed mean absolute colour change (0-255 scale)."""
    return difference_magnitude_from_diff(signed_difference(image, reference), sigma_px=sigma_px)


_KERNELS: dict[int, np.ndarray] = {}


def _kernel(radius_px: int) -> np.ndarray:
    k = _KERNELS.get(radius_px)
    if k is None:
        size = 2 * radius_px + 1
        k = _KERNELS.setdefault(
            radius_px, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        )
    return k


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill regions of a uint8 0/1 mask that the image border cannot reach (dimples, markers)."""
    h, w = mask.shape
    padded = np.zeros((h + 2, w + 2), dtype=np.uint8)
    padded[1:-1, 1:-1] = mask
    flood = padded.copy()
    cv2.floodFill(flood, np.zeros((h + 4, w + 4), np.uint8), (0, 0), 1)
    holes = flood[1:-1, 1:-1] == 0
    return (mask.astype(bool) | holes).astype(np.uint8)


def clean_mask(
    raw: np.ndarray, *, open_px: int = 1, close_px: int = 2, keep_fraction: float = 0.2
) -> np.ndarray:
    """Morphology, component filter and hole filling on a uint8 0/1 mask; returns bool."""
    m = raw
    if open_px > 0:
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, _kernel(open_px))
    if close_px > 0:
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, _kernel(close_px))
    if not cv2.countNonZero(m):
        return m.astype(bool)
    n, labels = cv2.connectedComponents(m, connectivity=8, ltype=cv2.CV_16U)
    if n > 2:
        areas = np.bincount(labels.ravel(), minlength=n)[1:]
        keep = np.flatnonzero(areas >= keep_fraction * areas.max()) + 1
        if n <= 256:  # uint8 labels: cv2.LUT is ~10x faster than fancy indexing
            lut = np.zeros(256, dtype=np.uint8)
            lut[keep] = 1
            m = cv2.LUT(labels.astype(np.uint8), lut)
        else:
            keep_lut = np.zeros(n, dtype=np.uint8)
            keep_lut[keep] = 1
            m = keep_lut[labels]
    return fill_holes(m).astype(bool)


def contact_mask(
    image: np.ndarray,
    reference: np.ndarray,
    *,
    threshold: float = 12.0,
    sigma_px: float = 1.5,
    open_px: int = 1,
    close_px: int = 2,
    keep_fraction: float = 0.2,
) -> np.ndarray:
    """Boolean (H, W) contact mask of a warped pad image against its reference.

    ``threshold``: mean absolute colour change (0-255) that counts as contact (from
    ``SensorCalibration.contact_threshold``); the pixel sizes of the smoothing and morphology
    suit a working resolution of ~5-10 px/mm.
    """
    if not np.isfinite(threshold) or threshold <= 0:
        raise InvalidGraspError(
            f"contact threshold {threshold!r} must be positive",
            hint="set contact_threshold in the calibration (e.g. 12)",
        )
    mag = difference_magnitude(image, reference, sigma_px=sigma_px)
    raw = (mag > threshold).astype(np.uint8)
    return clean_mask(raw, open_px=open_px, close_px=close_px, keep_fraction=keep_fraction)


def contact_area_mm2(mask: np.ndarray, *, mm_per_px_x: float, mm_per_px_y: float) -> float:
    """Area of a boolean mask in mm^2: pixel count times the per-axis pixel sizes."""
    return float(np.count_nonzero(mask)) * mm_per_px_x * mm_per_px_y


#: Columns of :func:`patch_shape_mm` (and of ``GraspFeatures.contact_patch_mm``).
PATCH_COLUMNS: tuple[str, ...] = ("major_mm", "minor_mm", "span_x_mm", "span_y_mm")


def patch_shape_mm(
    mask: np.ndarray, *, mm_per_px_x: float, mm_per_px_y: float
) -> tuple[float, float, float, float]:
    """Shape of a contact patch: (major, minor, span along x, span along y) in mm.

    ``major``/``minor`` are the full axes of the uniform ellipse with the patch's second
    moments (4·√eigenvalue of the pixel-coordinate covariance): a disc of diameter d gives
    (d, d), a strip of length L and width w gives about (1.15 L, 1.15 w). The spans are the
    extent of the patch along the pad's x and y axes (a cylinder on its side spans the pad).
    All NaN for a patch of fewer than 3 pixels.
    """
    ys, xs = np.nonzero(mask)
    if xs.size < 3:
        nan = float("nan")
        return nan, nan, nan, nan
    x = xs.astype(np.float64) * mm_per_px_x
    y = ys.astype(np.float64) * mm_per_px_y
    cov = np.cov(np.vstack([x, y]))
    low, high = np.linalg.eigvalsh(cov)
    return (
        4.0 * float(np.sqrt(max(high, 0.0))),
        4.0 * float(np.sqrt(max(low, 0.0))),
        float(x.max() - x.min()) + mm_per_px_x,
        float(y.max() - y.min()) + mm_per_px_y,
    )


def saturated_fraction(image: np.ndarray, *, level: int = 250) -> float:
    """Share of channel values at or above ``level`` (clipped highlights)."""
    if image.dtype != np.uint8:
        raise InvalidGraspError(f"expected uint8 image, got {image.dtype}", hint="pass uint8")
    rows = image.reshape(image.shape[0], -1)  # one channel, many columns: fast in OpenCV
    _, hot_mask = cv2.threshold(rows, level - 1, 1, cv2.THRESH_BINARY)
    return cv2.countNonZero(hot_mask) / max(rows.size, 1)


def check_not_black(image: np.ndarray, *, what: str, min_mean: float = 4.0) -> None:
    """Raise :class:`ProcessingError` for an all-black (camera off / covered) image."""
    mean = float(np.mean(cv2.mean(image)[: image.shape[2] if image.ndim == 3 else 1]))
    if mean < min_mean:
        raise ProcessingError(
            f"{what} is black (mean intensity {mean:.1f} of 255)",
            hint="check the sensor LEDs and camera exposure; the gel must be lit",
        )
