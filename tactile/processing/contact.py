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

from tactile.errors import InvalidGraspError, NoContactError, ProcessingError
from tactile.types import VISIBILITY_NOISE_FLOOR, ContactVisibility, GraspFeatures

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


#: Gaussian sigma (mm) of the log intensity before :func:`shading_contrast` takes its spread.
SHADING_SIGMA_MM = 2.0


def shading_contrast(image: np.ndarray, *, sigma_px: float) -> float:
    """The unloaded gel's shading contrast: 128 × (90th − 10th percentile) of the smoothed log
    intensity (mean over channels; pixels darker than 16 count as 16) of a warped no-contact
    frame. A change of the camera's contrast (gamma, black level) scales it as it scales the
    relative colour change a contact makes (issue 11, BENCHMARKS.md "Blind: appearance drift
    on the real grasps"); a gain leaves both alone."""
    log = cv2.log(np.maximum(image.astype(np.float32), _MIN_REF))
    level = cv2.transform(log, _MEAN3)
    if sigma_px > 0:
        level = cv2.GaussianBlur(level, (0, 0), sigma_px)
    lo, hi = np.percentile(level, [10.0, 90.0])
    return float(128.0 * (hi - lo))


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


# --- visible contact ---------------------------------------------------------------------------

#: Gaussian sigma (px of the working pad image, ~0.5 mm on the Wedge) of the neighbourhood over
#: which :func:`largest_change` averages the colour change: a 5-9 px blob. Pixel noise averages
#: out over it, a contact (millimetres across) does not.
VISIBILITY_SIGMA_PX = 1.5
#: The scales :func:`contact_visibility` tries, the best one counting: 1.5 px for small
#: imprints, 5 px (~2.5 mm) for JPEG-stored frames, whose noise comes in 8 px blocks that a
#: small neighbourhood does not average out (a 5 kPa ball stored as JPEG: 2.4 at 1.5 px, 6.5 at
#: 5 px; a camera that sees nothing: 1.2 and 1.5).
VISIBILITY_SIGMAS_PX = (VISIBILITY_SIGMA_PX, 5.0)
#: A grasp whose :attr:`~tactile.types.ContactVisibility.score` is below this shows no contact:
#: the image at peak force changed less than 3x as much as two consecutive frames differ. A
#: simulated camera that sees no contact (noise only, raw or JPEG) scores at most 1.5, a frozen
#: one 0; the faintest real contact (27 grasps, both sessions) scores 7.2, a 5 kPa 50 mm ball
#: collected as JPEG 6.5 (docs/processing.md "Visible contact" has the measurements).
MIN_CONTACT_VISIBILITY = 3.0
#: A stream whose consecutive frames differ by more than this (grey levels of the camera, the
#: :attr:`~tactile.types.ContactVisibility.noise_grey` statistic: the smallest over the still
#: pairs, at the gel's brightness; a dim but live gel's relative noise is tens at mid-grey)
#: cannot show the absence of an imprint: no flat-face exemption for it. Measured 2026-12-07:
#: real Wedge grasps 0.53 at most (27, both sessions), simulated raw grasps 1.91 at most (780:
#: sim_val, sim_test, sim_below, f3305, f3321), +-10 % flicker bands 17.6 (all as ``noise`` on
#: bright frames, where ``noise_grey`` is at most ``noise``); random pixels 40-108.
MAX_CAMERA_NOISE_GREY = 20.0
#: Pad images (at the working scale) narrower than this are too coarse to judge: not measured.
MIN_VISIBILITY_PAD_PX = 16


def largest_change(
    image: np.ndarray, reference: np.ndarray, *, sigma_px: float = VISIBILITY_SIGMA_PX
) -> float:
    """Largest local colour change (grey levels) of ``image`` against ``reference``: the signed
    relative change per channel (:class:`RelativeDifference`) Gaussian-smoothed with
    ``sigma_px`` *before* its absolute value is taken (so pixel noise averages towards 0 while a
    contact's change, of one sign over millimetres, stays), mean over channels, max over the pad.
    """
    diff = RelativeDifference(reference)(image)
    if sigma_px > 0:
        diff = cv2.GaussianBlur(diff, (0, 0), sigma_px)
    return float(cv2.transform(np.abs(diff), _MEAN3).max())


def contact_visibility(
    reference: np.ndarray,
    loaded: np.ndarray,
    still_pairs: list[tuple[np.ndarray, np.ndarray]],
    *,
    sigmas_px: tuple[float, ...] = VISIBILITY_SIGMAS_PX,
) -> ContactVisibility:
    """Did the camera see the contact? Pure function of warped uint8 pad images.

    ``change`` = :func:`largest_change` of ``loaded`` (the frame at peak force) against
    ``reference`` (the unloaded gel); ``noise`` = the smallest :func:`largest_change` between the
    two frames of each of ``still_pairs`` (consecutive frames: the two before the reference, the
    peak and its neighbours), i.e. what the camera's own noise makes of the same statistic. The
    minimum over pairs keeps a pair that caught the gel moving from inflating the noise.
    Without pairs the noise is :data:`~tactile.types.VISIBILITY_NOISE_FLOOR`. Each smoothing
    scale of ``sigmas_px`` is tried; the one with the best score is returned.
    """
    best: ContactVisibility | None = None
    brightness = float(np.median(reference))
    for sigma in sigmas_px:
        change = largest_change(loaded, reference, sigma_px=sigma)
        noises = [largest_change(b, a, sigma_px=sigma) for a, b in still_pairs]
        vis = ContactVisibility(
            change=change, noise=min(noises) if noises else 0.0, brightness=brightness
        )
        if best is None or vis.score > best.score:
            best = vis
    if best is None:
        raise InvalidGraspError("no smoothing scale given", hint="pass sigmas_px=(1.5, 5.0)")
    return best


def contact_seen(features: GraspFeatures) -> bool:
    """False when the camera showed no change beyond its noise at peak force (score below
    :data:`MIN_CONTACT_VISIBILITY`); True when it did or was not measured."""
    vis = features.contact_visibility
    return vis is None or vis.score >= MIN_CONTACT_VISIBILITY


def require_visible_contact(features: GraspFeatures, *, flat_face_possible: bool = False) -> None:
    """Raise :class:`~tactile.errors.NoContactError` when the force rose but the tactile image
    did not show the contact. Every estimator calls it (features without a measured visibility
    pass).

    * A frozen stream (not even noise: consecutive frames and the peak frame equal the
      reference within :data:`~tactile.types.VISIBILITY_NOISE_FLOOR`) is refused always: a live
      camera always shows noise.
    * A garbled stream (consecutive frames differ by more than :data:`MAX_CAMERA_NOISE_GREY`
      of the camera's grey levels: another camera's moving scene, a strongly flickering light,
      corrupt frames) whose change does not stand out of that noise is refused even where a
      flat face is possible: such a stream cannot show the absence of an imprint.
    * An image that changed no more than its noise (score below :data:`MIN_CONTACT_VISIBILITY`)
      is refused unless ``flat_face_possible``: a flat face covering the whole pad indents the gel
      uniformly and shows no edge, so for an object that may be one (no shape given, or a flat
      shape) the absence of change is no proof of a missing contact; the estimate then carries
      :attr:`~tactile.types.Flag.CONTACT_NOT_SEEN`. A curved object (sphere, cylinder, any
      radius) always prints a visible imprint.
    """
    vis = features.contact_visibility
    if vis is None:
        return
    frozen = max(vis.change, vis.noise) < VISIBILITY_NOISE_FLOOR
    garbled = vis.noise_grey > MAX_CAMERA_NOISE_GREY
    # a contact that stands out of even a loud camera's noise is seen; only the flat-face
    # exemption (no change expected) needs a stream quiet enough to show what it would hide
    if not frozen and (vis.score >= MIN_CONTACT_VISIBILITY or (flat_face_possible and not garbled)):
        return
    c, p = features.contact_index, features.peak_index
    force = np.asarray(features.force_n[c : p + 1], dtype=np.float64)
    peak = float(np.nanmax(force)) if np.any(np.isfinite(force)) else float("nan")
    if garbled:
        what = (
            f"changes by {vis.noise_grey:.0f} grey levels between consecutive frames (a tactile "
            f"camera's own noise is about 1; over {MAX_CAMERA_NOISE_GREY:.0f} no gel can be read): "
            "the stream is not a still gel's image"
        )
    elif frozen:
        what = (
            "did not change at all, not even by camera noise (largest change "
            f"{vis.change:.2f} grey levels, frame-to-frame {vis.noise:.2f}): the stream is frozen"
        )
    else:
        what = (
            f"did not change beyond its noise (largest change {vis.change:.2f} grey levels, "
            f"frame-to-frame noise {vis.noise:.2f}: visibility {vis.score:.1f} < "
            f"{MIN_CONTACT_VISIBILITY}) although the object is not a flat face over the pad"
        )
    raise NoContactError(
        f"grasp {features.grasp_id!r}: the force rose to {peak:.1f} N but the tactile image "
        f"{what}; no estimate from a camera that did not see the contact",
        hint="is the tactile sensor on this gripper's finger, and is this the right camera "
        "(device URL / --tactile)? check that the stream is live (not frozen), steady (no "
        "flickering light, no corrupt frames) and the gel lit",
    )
