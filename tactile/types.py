"""Core data types: the grasp as recorded, its physical features, and a modulus estimate.

Units are in every field name: ``_s`` seconds, ``_n`` newtons, ``_mm`` millimetres,
``_mm2`` square millimetres, ``_pa`` pascals, ``_px`` pixels. Arrays are numpy; the dataclasses
are frozen so a grasp cannot be half-modified between recording and storage.
"""

from __future__ import annotations

import enum
import math
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from tactile.errors import InvalidGraspError


class Flag(enum.StrEnum):
    """Quality flags attached to features and estimates (stable strings, used in JSON/HDF5)."""

    NO_CONTACT = "no_contact"
    FORCE_TOO_LOW = "force_too_low"
    #: only a lower bound on E is physical, and the bound itself is at least the gel's modulus:
    #: the claim "stiffer than the gel" is what the bound proves (see :func:`bound_flag`)
    STIFFER_THAN_GEL = "stiffer_than_gel"
    #: only a lower bound on E is physical (the object's own deformation is not resolved), and
    #: the bound is below the gel's modulus: the object may be softer than the gel
    UNRESOLVED = "unresolved"
    SATURATED_IMAGE = "saturated_image"
    FEW_LOADING_FRAMES = "few_loading_frames"
    POOR_FIT = "poor_fit"
    FORCE_GLITCHES = "force_glitches"
    WIDTH_UNCHANGED = "width_unchanged"
    SHAPE_ASSUMED = "shape_assumed"  # geometry not given, a default/estimated one was used
    SLIP = "slip"  # the force collapsed mid-squeeze: only the frames before it were used
    WIDTH_UNCALIBRATED = "width_uncalibrated"  # recorded without a gripper width calibration
    #: the force rose but the tactile image did not change beyond its noise: the estimate stands
    #: only if the object is a flat face covering the whole pad (which shows no edge)
    CONTACT_NOT_SEEN = "contact_not_seen"
    #: the given geometry (a label table's, ``--shape`` / ``--radius-mm``) disagrees with what
    #: the grasp measures beyond their uncertainty: the answer is the blind physics' reading,
    #: which rests on the grasp alone (:func:`~tactile.estimators.auto.geometry_mismatch`)
    GEOMETRY_MISMATCH = "geometry_mismatch"


def bound_flag(lower_bound_pa: float, gel_modulus_pa: float | None) -> Flag:
    """The flag of a lower-bound-only answer: :attr:`Flag.STIFFER_THAN_GEL` only where the
    bound itself is at least the gel's modulus (then "stiffer than the gel" holds wherever the
    bound holds), else :attr:`Flag.UNRESOLVED` (an unresolved closure says only "at least the
    bound": a soft object squashed flat can be unresolved too). Without a gel modulus: unresolved.
    """
    if gel_modulus_pa is not None and gel_modulus_pa > 0 and lower_bound_pa >= gel_modulus_pa:
        return Flag.STIFFER_THAN_GEL
    return Flag.UNRESOLVED


@dataclass(frozen=True)
class GraspMetadata:
    """Everything about a grasp that is not a time series."""

    object_id: str
    label_modulus_pa: float | None = None
    shape: str | None = None  # "sphere", "cylinder", "box", "ellipsoid", "irregular", ...
    radius_mm: float | None = None  # curvature radius of the contacting surface, if known
    source: str = "unknown"  # "sim", "reference-import", "collect", ...
    devices: dict[str, str] = field(default_factory=dict)  # role -> URL
    calibration_id: str | None = None
    #: The whole calibration record (``SensorCalibration.to_dict()``) when the grasp carries its
    #: own, e.g. a simulated grasp on its randomised rig; it wins over ``calibration_id``.
    calibration: dict[str, Any] | None = None
    software_version: str = ""
    created_utc: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.object_id or not isinstance(self.object_id, str):
            raise InvalidGraspError(
                "GraspMetadata.object_id must be a non-empty string",
                hint="name the object, e.g. object_id='golf_ball'",
            )
        if self.label_modulus_pa is not None and not (
            math.isfinite(self.label_modulus_pa) and self.label_modulus_pa > 0
        ):
            raise InvalidGraspError(
                f"label_modulus_pa={self.label_modulus_pa!r} is not a positive finite number",
                hint="give Young's modulus in pascals, or None when unknown",
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_1d(name: str, arr: np.ndarray, n: int) -> np.ndarray:
    a = np.asarray(arr, dtype=np.float64)
    if a.ndim != 1 or a.shape[0] != n:
        raise InvalidGraspError(
            f"{name} has shape {a.shape}, expected ({n},) to match the {n} frames",
            hint=f"record one {name} sample per frame (interpolate slower streams)",
        )
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        raise InvalidGraspError(
            f"{name} has {bad.size} non-finite value(s), first at index {int(bad[0])}",
            hint=f"drop or interpolate the missing {name} samples before building a Grasp",
        )
    return a


def _check_streams(
    grasp_id: str, streams: dict[str, dict[str, np.ndarray]]
) -> dict[str, dict[str, np.ndarray]]:
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, columns in streams.items():
        arrays = {k: np.asarray(v) for k, v in columns.items()}
        lengths = {a.shape for a in arrays.values()}
        if "t_s" not in arrays or len(lengths) != 1 or len(next(iter(lengths))) != 1:
            raise InvalidGraspError(
                f"grasp {grasp_id!r}: stream {name!r} needs a t_s column and 1-D columns of one "
                f"length (got {sorted((k, a.shape) for k, a in arrays.items())})",
                hint="store one row per sample, each with its own time stamp",
            )
        out[name] = arrays
    return out


@dataclass(frozen=True, eq=False)
class Grasp:
    """One squeeze of one object, as recorded.

    ``frames``: (T, H, W, 3) uint8 BGR images of the gel; ``t_s``: (T,) monotonic seconds;
    ``force_n``: (T,) grip force, compression positive; ``width_mm``: (T,) gripper opening;
    ``reference_frame``: (H, W, 3) uint8 image of the unloaded gel, or None when the recording
    has none (processing then picks the last frame before contact and says so).
    ``streams``: the raw device streams behind the per-frame values, each with its own
    timestamps, e.g. ``{"force": {"t_s": ..., "force_n": ...}, "gripper": {"t_s": ...,
    "width_mm": ...}}``: stream name -> column name -> 1-D array, every column of a stream the
    same length, ``t_s`` (monotonic seconds, same clock as ``t_s``) always present.
    ``camera_jpegs``: the camera's own JPEG image of each frame, as it came (``frames`` are
    their decoding), when the camera delivered JPEG (an MJPEG stream); a store writing JPEG
    keeps these bytes verbatim. None otherwise, and for grasps read from a file.
    """

    grasp_id: str
    frames: np.ndarray
    t_s: np.ndarray
    force_n: np.ndarray
    width_mm: np.ndarray
    meta: GraspMetadata
    reference_frame: np.ndarray | None = None
    streams: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    camera_jpegs: tuple[bytes, ...] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        frames = np.asarray(self.frames)
        if frames.ndim != 4 or frames.shape[-1] != 3:
            raise InvalidGraspError(
                f"grasp {self.grasp_id!r}: frames have shape {frames.shape}, expected (T, H, W, 3)",
                hint="pass colour frames stacked along the first axis",
            )
        if frames.dtype != np.uint8:
            raise InvalidGraspError(
                f"grasp {self.grasp_id!r}: frames have dtype {frames.dtype}, expected uint8",
                hint="convert with np.clip(x, 0, 255).astype(np.uint8)",
            )
        n = frames.shape[0]
        if n < 2:
            raise InvalidGraspError(
                f"grasp {self.grasp_id!r} has {n} frame(s); a grasp needs at least 2",
                hint="record the whole squeeze, from before contact to peak force",
            )
        t = _check_1d("t_s", self.t_s, n)
        if np.any(np.diff(t) < 0):
            i = int(np.flatnonzero(np.diff(t) < 0)[0])
            raise InvalidGraspError(
                f"grasp {self.grasp_id!r}: t_s goes backwards at frame {i + 1}",
                hint="use a monotonic clock (time.monotonic) for frame timestamps",
            )
        object.__setattr__(self, "frames", frames)
        object.__setattr__(self, "t_s", t)
        object.__setattr__(self, "force_n", _check_1d("force_n", self.force_n, n))
        object.__setattr__(self, "width_mm", _check_1d("width_mm", self.width_mm, n))
        if self.reference_frame is not None:
            ref = np.asarray(self.reference_frame)
            if ref.shape != frames.shape[1:] or ref.dtype != np.uint8:
                raise InvalidGraspError(
                    f"grasp {self.grasp_id!r}: reference_frame has shape {ref.shape} "
                    f"{ref.dtype}, expected {frames.shape[1:]} uint8",
                    hint="the reference frame must come from the same camera and warp",
                )
            object.__setattr__(self, "reference_frame", ref)
        object.__setattr__(self, "streams", _check_streams(self.grasp_id, self.streams))
        if self.camera_jpegs is not None:
            jpegs = tuple(bytes(b) for b in self.camera_jpegs)
            if len(jpegs) != n:
                raise InvalidGraspError(
                    f"grasp {self.grasp_id!r}: {len(jpegs)} camera JPEG images for {n} frames",
                    hint="pass the camera's JPEG image of every frame, or None",
                )
            object.__setattr__(self, "camera_jpegs", jpegs)

    @property
    def n_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def frame_shape(self) -> tuple[int, int]:
        return int(self.frames.shape[1]), int(self.frames.shape[2])

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0])


#: Frame-to-frame changes below this (grey levels, after the visibility smoothing) are no
#: change at all: a frozen camera's (identical frames) noise is taken as this floor.
VISIBILITY_NOISE_FLOOR = 0.1


@dataclass(frozen=True)
class ContactVisibility:
    """How far the camera's change at peak force stands above its own frame-to-frame noise.

    ``change``: the largest local (smoothed) colour change of the peak-force frame against the
    unloaded reference, in grey levels; ``noise``: the same statistic between consecutive frames
    that show the same gel (the smallest over the pairs measured), i.e. the camera's noise.
    See :func:`tactile.processing.contact.contact_visibility`.
    """

    change: float
    noise: float
    #: median grey level of the unloaded reference on the pad: ``change`` and ``noise`` are
    #: relative changes expressed at mid-grey (128), so a dim gel's few grey levels of camera
    #: noise read as tens; 128 where unknown
    brightness: float = 128.0

    @property
    def noise_grey(self) -> float:
        """``noise`` in the camera's own grey levels (at the gel's ``brightness``, not at
        mid-grey): what consecutive frames really differ by."""
        return self.noise * self.brightness / 128.0

    @property
    def score(self) -> float:
        """``change / max(noise, VISIBILITY_NOISE_FLOOR)``: ~1 for a camera that sees no
        contact (noise only), 0 for a frozen one, 5 or more for every real contact measured."""
        return self.change / max(self.noise, VISIBILITY_NOISE_FLOOR)


@dataclass(frozen=True)
class WidthLag:
    """The width reading's lag behind the force (s) and the loop it closes: the median width
    gap (mm) between the unloading and the loading branch at zero lag
    (:func:`tactile.processing.grasp_signals.width_lag_s`)."""

    lag_s: float
    loop_mm: float


@dataclass(frozen=True, eq=False)
class MeasuredWidthLag:
    """The width lag as measured on these time stamps, (despiked) force and width; ``lag`` is
    None where none could be measured. The loading phase measures it (its slip test reads the
    width on the force's clock) and hands it on, so that the blind estimate's signal
    correction reads it instead of measuring it again on the same arrays
    (:func:`tactile.processing.grasp_signals.correct_signals`)."""

    t_s: np.ndarray
    force_n: np.ndarray
    width_mm: np.ndarray
    lag: WidthLag | None

    def measured_on(self, t_s: np.ndarray, force_n: np.ndarray, width_mm: np.ndarray) -> bool:
        """Whether it was measured on exactly these values (shape and every sample)."""
        return all(
            np.shape(a) == np.shape(b) and np.array_equal(a, b)
            for a, b in ((self.t_s, t_s), (self.force_n, force_n), (self.width_mm, width_mm))
        )


@dataclass(frozen=True, eq=False)
class GraspFeatures:
    """Physical features of one grasp over its loading phase (first contact .. peak force).

    Per-frame arrays cover the whole grasp; ``contact_index`` and ``peak_index`` delimit the
    loading phase (inclusive). ``depth_mm`` is the gel's indentation depth when it could be
    measured, else None. ``contact_patch_mm`` (frames x 4, NaN where not measured) is the
    imaged patch's shape per frame: major and minor axis of its moment ellipse and its span
    along the pad's x and y (``tactile.processing.contact.PATCH_COLUMNS``), or None.
    ``contact_visibility`` says whether the camera saw the contact at all (None: not measured,
    e.g. features built by hand); estimators refuse a grasp whose score is below
    ``tactile.processing.contact.MIN_CONTACT_VISIBILITY``. ``width_lag`` is the width reading's
    lag as the loading phase measured it on these signals (:class:`MeasuredWidthLag`).
    """

    grasp_id: str
    t_s: np.ndarray
    force_n: np.ndarray
    width_mm: np.ndarray
    contact_area_mm2: np.ndarray
    contact_index: int
    peak_index: int
    reference_index: int | None  # frame used as the unloaded reference (None: stored reference)
    depth_mm: np.ndarray | None = None
    sampled_indices: tuple[int, ...] = ()
    flags: frozenset[Flag] = frozenset()
    notes: tuple[str, ...] = ()
    contact_patch_mm: np.ndarray | None = None
    contact_visibility: ContactVisibility | None = None
    #: the width lag the loading phase measured on these ``t_s``, ``force_n`` and ``width_mm``
    #: (None: not measured); checked against the arrays before it is used
    width_lag: MeasuredWidthLag | None = None
    #: the two measured loading frames the imprint (shape class) is judged on: the first at a
    #: fifth of the peak force and the peak, the same whatever number of frames was decoded
    #: (``tactile.processing.features.imprint_indices``); None: chosen from the arrays
    imprint_indices: tuple[int, int] | None = None
    #: the force reading's offset taken off every sample before the onset readings (0.0: none;
    #: ``tactile.processing.loading.force_zero``) and what was said about the zero (None:
    #: nothing); estimates carry them in ``details`` (:func:`with_force_zero`)
    force_offset_n: float = 0.0
    force_zero_note: str | None = None

    @property
    def loading(self) -> slice:
        return slice(self.contact_index, self.peak_index + 1)

    @property
    def contact_radius_mm(self) -> np.ndarray:
        """Radius of the circle with the same area as the contact (mm)."""
        return np.sqrt(np.maximum(self.contact_area_mm2, 0.0) / np.pi)

    @property
    def closure_mm(self) -> np.ndarray:
        """Gripper closure since first contact (mm): object deformation + both gels' indentation."""
        return float(self.width_mm[self.contact_index]) - self.width_mm


def format_pa(value: float | None) -> str:
    """Human-readable pascals: 3.2e+05 -> '320 kPa'; None or infinite -> 'inf'."""
    if value is None or not math.isfinite(value):
        return "inf"
    for unit, scale in (("GPa", 1e9), ("MPa", 1e6), ("kPa", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} Pa"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width characters (East Asian width
    W or F: ``苹果`` is 4 columns) take 2, combining marks 0, any other 1."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (``f"{text:<{width}}"`` counts
    characters, so a CJK name pushed a table's columns right); a wider text is kept whole."""
    return text + " " * max(0, width - display_width(text))


def clip(text: str, width: int) -> str:
    """The longest start of ``text`` that fits in ``width`` terminal columns."""
    used = 0
    for i, ch in enumerate(text):
        used += display_width(ch)
        if used > width:
            return text[:i]
    return text


@dataclass(frozen=True)
class ModulusEstimate:
    """An estimate of Young's modulus, never a bare float.

    Intervals are in pascals and come from a log10-space distribution. When ``lower_bound_only``
    is true (the object's own deformation is not resolved), ``modulus_pa`` is the lower bound
    itself, the upper ends of the intervals are ``inf``, and the flag says what the bound proves
    (:func:`bound_flag`): :attr:`Flag.STIFFER_THAN_GEL` when the bound is at least the gel's
    modulus, else :attr:`Flag.UNRESOLVED`.
    """

    modulus_pa: float
    interval_68_pa: tuple[float, float]
    interval_95_pa: tuple[float, float]
    estimator: str
    flags: frozenset[Flag] = frozenset()
    lower_bound_only: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.modulus_pa) and self.modulus_pa > 0):
            raise InvalidGraspError(
                f"{self.estimator}: modulus_pa={self.modulus_pa!r} is not positive and finite",
                hint="an estimator that cannot estimate must raise or flag, not return 0",
            )

    @property
    def log10_modulus(self) -> float:
        return math.log10(self.modulus_pa)

    def contains(self, modulus_pa: float, level: int = 68) -> bool:
        lo, hi = self.interval_68_pa if level == 68 else self.interval_95_pa
        return lo <= modulus_pa <= hi

    def __str__(self) -> str:
        """One line for people: ``50.4 kPa (68 %: 43.2 kPa – 58.3 kPa) [hertz]``."""
        lo, hi = self.interval_68_pa
        flags = "".join(f", {f}" for f in sorted(str(f) for f in self.flags))
        if self.lower_bound_only:
            value = f"> {format_pa(self.modulus_pa)} (95 % lower bound"
        else:
            value = f"{format_pa(self.modulus_pa)} (68 %: {format_pa(lo)} – {format_pa(hi)}"
        return f"{value}{flags}) [{self.estimator}]"

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return None if math.isinf(x) else float(x)

        return {
            "modulus_pa": float(self.modulus_pa),
            "interval_68_pa": [num(v) for v in self.interval_68_pa],
            "interval_95_pa": [num(v) for v in self.interval_95_pa],
            "estimator": self.estimator,
            "flags": sorted(str(f) for f in self.flags),
            "lower_bound_only": self.lower_bound_only,
            "details": self.details,
        }


def with_bound_flag(estimate: ModulusEstimate, gel_modulus_pa: float | None) -> ModulusEstimate:
    """``estimate`` with the flag its lower bound proves (:func:`bound_flag`), for estimators
    that lower a bound after it was first flagged; a two-sided estimate carries neither flag."""
    stale = estimate.flags - {Flag.STIFFER_THAN_GEL, Flag.UNRESOLVED}
    if estimate.lower_bound_only:
        flags = stale | {bound_flag(estimate.modulus_pa, gel_modulus_pa)}
    else:
        flags = stale
    if flags == estimate.flags:
        return estimate
    return replace(estimate, flags=frozenset(flags))


def with_force_zero(estimate: ModulusEstimate, features: GraspFeatures) -> ModulusEstimate:
    """``estimate`` with its grasp's force offset in ``details`` when one was taken off before
    the onset readings: ``force_offset_n`` (the level subtracted from every force sample) and
    ``force_zero_note`` (what the record showed). Unchanged otherwise (no offset taken off: the
    force started near zero, or the record showed no rest)."""
    if features.force_offset_n == 0.0 or features.force_zero_note is None:
        return estimate
    from dataclasses import replace

    details = dict(
        estimate.details,
        force_offset_n=round(features.force_offset_n, 4),
        force_zero_note=features.force_zero_note,
    )
    return replace(estimate, details=details)


def with_recording_flags(estimate: ModulusEstimate, meta: GraspMetadata) -> ModulusEstimate:
    """``estimate`` with the flags its grasp's recording calls for, whatever estimator made it.

    The one place every estimate path goes through (:func:`tactile.estimators.estimate_grasp`,
    :mod:`tactile.evaluation.runner`, hence ``tactile estimate`` / ``evaluate``): a grasp recorded
    with an uncalibrated gripper width (``meta.extra["width_calibrated"]`` is False, see
    ``tactile calibrate gripper``) gets :attr:`Flag.WIDTH_UNCALIBRATED`; its closure, and so E,
    may be off by the gripper's count error (up to ~11 % on a 2F-85).
    """
    if meta.extra.get("width_calibrated") is False and Flag.WIDTH_UNCALIBRATED not in (
        estimate.flags
    ):
        from dataclasses import replace

        return replace(estimate, flags=estimate.flags | {Flag.WIDTH_UNCALIBRATED})
    return estimate
