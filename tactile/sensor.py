"""The sensor calibration record: the constants that turn pixels into mm and gel deformation
into force, and the rig's width reading into an approach.

A :class:`SensorCalibration` is a small versioned JSON file (``calibration/<id>.json`` in the
repository for shipped profiles, or any path a user gives). Grasp files reference it by
``calibration_id``; nothing downstream hard-codes a gel modulus or a pixel scale, and nothing
downstream reads a sensor property from anywhere else (a simulated sensor has its own profile,
like a real one). This module is the bottom layer beside :mod:`tactile.types`: the procedures
that *fit* calibrations live in :mod:`tactile.calibration` (docs/decisions.md, "Layering").
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from tactile._paths import artifact_dir
from tactile.errors import CalibrationError
from tactile.types import GraspMetadata

#: 2: the v1 ``extra`` dict became typed fields (gel model, bottoming, width offsets, rig
#: compliance, pad area) and ``provenance``; v1 files are still read (:func:`_upgrade_v1`).
CALIBRATION_SCHEMA_VERSION = 2
#: Gel mechanics: a half-space (Hertz) or a thin layer bonded to a rigid window (Shull 2002).
GEL_MODELS = ("half-space", "thin-layer")
#: Where a calibration's gel comes from (``gel_source``): None, a reference or fitted gel;
#: ``"measured"``, a coupon and calipers (``tactile calibrate gel-measured``).
GEL_SOURCES: tuple[str | None, ...] = (None, "measured")
#: Grip forces (N) at which ``tactile calibrate rig`` tabulates the rigid-press closure.
RIGID_PRESS_FORCES_N: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0, 25.0)
#: v1 ``extra`` keys that became typed fields in v2.
_V1_TYPED_KEYS = (
    "gel_model",
    "gel_max_strain",
    "width_offset_mm",
    "width_offset_sd_mm",
    "onset_width_bias_mm",
    "onset_width_sd_mm",
    "rig_compliance_mm_per_n",
    "rig_compliance_sd_mm_per_n",
    "contact_width_bias_mm",
    "contact_width_bias_sd_mm",
    "pad_area_mm2",
)


@dataclass(frozen=True)
class SensorCalibration:
    """Geometry and mechanics of one tactile sensor (one gel pad + camera).

    ``mm_per_px_x`` / ``mm_per_px_y`` apply to frames *after* the perspective warp (if
    ``corners_px`` is given) — they are separate per axis: an area is
    ``n_px * mm_per_px_x * mm_per_px_y`` (never a diagonal norm of the two).
    ``corners_px``: pad corners in raw pixels, order top-left, top-right, bottom-left,
    bottom-right; ``warp_size_px``: (width, height) of the warped image; ``crop_px``: pixels
    cut from each side after the warp.
    """

    calibration_id: str
    mm_per_px_x: float
    mm_per_px_y: float
    gel_modulus_pa: float
    gel_poisson: float = 0.48
    gel_thickness_mm: float = 2.0
    gel_modulus_log10_sd: float = 0.1  # uncertainty of the gel modulus, log10 units
    corners_px: tuple[tuple[float, float], ...] | None = None
    warp_size_px: tuple[int, int] | None = None
    crop_px: int = 0
    contact_threshold: float = 12.0  # relative colour change (grey levels) that counts as contact
    contact_smoothing_mm: float = 0.33  # Gaussian sigma of the change before thresholding
    #: The shading contrast (:func:`tactile.processing.contact.shading_contrast`) of the
    #: unloaded gel when ``contact_threshold`` was set. When given, each grasp's threshold is
    #: scaled by its own no-contact frame's contrast over this one (a camera's gamma or black
    #: level changes the contact's relative colour change alike); None: used as is.
    contact_reference_contrast: float | None = None
    depth_scale_mm_per_unit: float | None = None  # from a ball-press depth calibration
    # Region of the (warped) image that is processed, (x0, y0, x1, y1) in warped px; overrides
    # crop_px when set (e.g. to leave out an LED glare band along one pad edge).
    roi_px: tuple[int, int, int, int] | None = None
    # Linear photometric model: rows map the (B, G, R) colour change (0-255) to the surface
    # slopes dz/dx and dz/dy of the gel (dimensionless); fitted from a ball press.
    gradient_matrix: tuple[tuple[float, float, float], tuple[float, float, float]] | None = None
    pad_size_mm: tuple[float, float] | None = None  # (width, height) of the gel pad
    # How the contact mask is found: "intensity" (colour change above contact_threshold) or
    # "depth" (concave region of the depth map; needs gradient_matrix).
    contact_method: str = "intensity"
    sensor_model: str = "generic"
    notes: str = ""
    # --- gel mechanics beyond modulus, Poisson ratio and thickness
    #: "half-space" (Hertz) or "thin-layer" (bonded to the window: compliance / (1 + 0.33 (a/h)^3))
    gel_model: str = "half-space"
    #: Gel indentation / thickness at which the gel bottoms out on its window; None: not modelled
    #: (the shipped real-rig profiles). Simulated sensors set it: their gel bottoms out.
    gel_max_strain: float | None = None
    #: Where the gel's law comes from: ``"measured"`` (``tactile calibrate gel-measured``: a
    #: coupon's modulus and the gel's thickness measured by the user; ``tactile calibrate rig``
    #: then counts the rig from the read touch, :mod:`tactile.processing.rig_fit`); None: a
    #: reference or fitted gel (every profile before 2026-12-07). Left out of the JSON when None.
    gel_source: str | None = None
    # --- the gripper's width reading
    #: Width reading minus the gap between the two gel surfaces (mm), and its uncertainty.
    width_offset_mm: float = 0.0
    width_offset_sd_mm: float = 0.5
    #: Width reading at force onset minus the object's size (the reading's lag, mm), and its
    #: spread: used when a sphere's size is read from the width at force onset.
    onset_width_bias_mm: float = 0.0
    onset_width_sd_mm: float = 2.0
    #: Closure (mm, both fingers together) added per newton of grip force by what deflects in
    #: series between the width reading and the gel (fingers, mounts, gripper); 0: rigid rig.
    rig_compliance_mm_per_n: float = 0.0
    #: Spread of the rig compliance between rigid presses (mm/N): what a new grasp may show.
    rig_compliance_sd_mm_per_n: float = 0.0
    #: Contact width as :func:`tactile.processing.grasp_geometry.contact_width` reads it minus
    #: the object's size (mm), and its spread: ``tactile calibrate rig`` on rigid presses.
    contact_width_bias_mm: float = 0.0
    contact_width_bias_sd_mm: float = 2.0
    #: Imaged area of the gel pad (mm²) when the frames are not warped to the pad.
    pad_area_mm2: float | None = None
    # --- the rigid-press curve (``tactile calibrate rig``): what the learned estimators and
    # their physics limits read about the rig (docs/network.md, "Rig calibration")
    #: Closure (mm, both fingers) since the loading phase's first contact on the rigid reference
    #: at each force of :data:`RIGID_PRESS_FORCES_N` (median over the presses), measured with
    #: the estimators' own loading-phase logic; None: not measured.
    rigid_press_closure_mm: tuple[float, ...] | None = None
    #: Spread of those closures between presses (mm, median over the forces).
    rigid_press_closure_sd_mm: float = 0.0
    #: Size (mm) along the squeeze of the rigid reference pressed (a golf ball: 42.67) and its
    #: shape (``sphere`` or ``flat``).
    rigid_press_size_mm: float | None = None
    rigid_press_shape: str = "sphere"
    #: The gripper width reading's typical step (mm: the median nonzero change while closing).
    width_step_mm: float | None = None
    #: The width reading's lag behind the force (s), median over the rigid presses
    #: (:func:`tactile.processing.grasp_signals.width_lag_s`); None: not measured. Quoted, not
    #: applied, by the blind estimate of a record that cannot show its own lag (no complete
    #: loading and release: cut before the release, an online estimate while closing).
    width_lag_s: float | None = None
    #: How the values were obtained (``depth_fit``, ``gel_fit`` evidence, ...): a record for
    #: people, never read by processing or estimators.
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in (
            "mm_per_px_x",
            "mm_per_px_y",
            "gel_modulus_pa",
            "gel_thickness_mm",
            "contact_threshold",
            "contact_smoothing_mm",
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise CalibrationError(
                    f"calibration {self.calibration_id!r}: {name}={value!r} must be positive",
                    hint="re-run the matching `tactile calibrate` step or fix the JSON file",
                )
        if not 0.0 <= self.gel_poisson < 0.5:
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: gel_poisson={self.gel_poisson} "
                "must be in [0, 0.5)",
                hint="silicone gels are nearly incompressible; 0.48 is a good default",
            )
        if self.contact_method not in ("intensity", "depth"):
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: contact_method="
                f"{self.contact_method!r} is not 'intensity' or 'depth'",
                hint="use 'depth' only with a fitted gradient_matrix",
            )
        if self.contact_method == "depth" and self.gradient_matrix is None:
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: contact_method='depth' needs a "
                "gradient_matrix",
                hint="run `tactile calibrate depth` first, or use contact_method='intensity'",
            )
        if self.roi_px is not None and not (
            len(self.roi_px) == 4
            and self.roi_px[2] > self.roi_px[0] >= 0
            and self.roi_px[3] > self.roi_px[1] >= 0
        ):
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: roi_px={self.roi_px} must be "
                "(x0, y0, x1, y1) with x1 > x0 >= 0 and y1 > y0 >= 0",
                hint="give the processed region of the warped image in pixels",
            )
        if self.gel_model not in GEL_MODELS:
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: gel_model={self.gel_model!r} is not one "
                f"of {', '.join(GEL_MODELS)}",
                hint="use 'thin-layer' for a gel bonded to a rigid window, else 'half-space'",
            )
        crc = self.contact_reference_contrast
        if crc is not None and not (
            isinstance(crc, int | float) and math.isfinite(crc) and crc > 0
        ):
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: contact_reference_contrast={crc!r} must "
                "be positive or null",
                hint="leave it null to use contact_threshold as is",
            )
        if self.gel_max_strain is not None and not (
            math.isfinite(self.gel_max_strain) and 0.0 < self.gel_max_strain <= 1.0
        ):
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: gel_max_strain={self.gel_max_strain} "
                "must be in (0, 1] (a share of the gel's thickness) or null",
                hint="leave it null unless the gel's bottoming is measured or simulated",
            )
        if self.gel_source not in GEL_SOURCES:
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: gel_source={self.gel_source!r} is not "
                "'measured' or null",
                hint="write a measured gel with `tactile calibrate gel-measured`, or leave it out",
            )
        for name in (
            "width_offset_sd_mm",
            "onset_width_sd_mm",
            "rig_compliance_mm_per_n",
            "rig_compliance_sd_mm_per_n",
            "contact_width_bias_sd_mm",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise CalibrationError(
                    f"calibration {self.calibration_id!r}: {name}={value!r} must be >= 0",
                    hint="re-run the matching `tactile calibrate` step or fix the JSON file",
                )
        if not math.isfinite(
            self.width_offset_mm + self.onset_width_bias_mm + self.contact_width_bias_mm
        ):
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: width offsets must be finite",
                hint="fix width_offset_mm / onset_width_bias_mm in the JSON file",
            )
        if self.pad_area_mm2 is not None and not (
            math.isfinite(self.pad_area_mm2) and self.pad_area_mm2 > 0
        ):
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: pad_area_mm2={self.pad_area_mm2} "
                "must be positive or null",
                hint="give the gel pad's imaged area in mm², or leave it null",
            )
        if self.rigid_press_closure_mm is not None:
            curve = self.rigid_press_closure_mm
            size = self.rigid_press_size_mm
            if not (
                len(curve) == len(RIGID_PRESS_FORCES_N)
                and all(math.isfinite(v) and v >= 0 for v in curve)
                and size is not None
                and math.isfinite(size)
                and size > 0
            ):
                raise CalibrationError(
                    f"calibration {self.calibration_id!r}: rigid_press_closure_mm={curve!r} "
                    f"needs {len(RIGID_PRESS_FORCES_N)} closures >= 0 (mm, at "
                    f"{RIGID_PRESS_FORCES_N} N) and a positive rigid_press_size_mm",
                    hint="re-run `tactile calibrate rig` on presses of a rigid object",
                )
        if self.rigid_press_shape not in ("sphere", "flat"):
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: rigid_press_shape="
                f"{self.rigid_press_shape!r} is not 'sphere' or 'flat'",
                hint="re-run `tactile calibrate rig`",
            )
        for name in ("rigid_press_closure_sd_mm", "width_step_mm", "width_lag_s"):
            value = getattr(self, name)
            if value is not None and not (
                isinstance(value, numbers.Real)  # a string in a JSON file: named, not a TypeError
                and not isinstance(value, bool)
                and math.isfinite(value)
                and float(value) >= 0
            ):
                raise CalibrationError(
                    f"calibration {self.calibration_id!r}: {name}={value!r} must be a number "
                    ">= 0 or null",
                    hint="re-run `tactile calibrate rig` or fix the JSON file",
                )
        if self.corners_px is not None and len(self.corners_px) != 4:
            raise CalibrationError(
                f"calibration {self.calibration_id!r}: corners_px needs 4 points",
                hint="give top-left, top-right, bottom-left, bottom-right pad corners",
            )

    @property
    def gel_reduced_compliance_per_pa(self) -> float:
        """(1 - nu^2) / E of the gel: its share of 1/E* in Hertz contact."""
        return (1.0 - self.gel_poisson**2) / self.gel_modulus_pa

    @property
    def px_area_mm2(self) -> float:
        return self.mm_per_px_x * self.mm_per_px_y

    @property
    def thin_layer(self) -> bool:
        """Whether the gel is modelled as a thin layer bonded to its window."""
        return self.gel_model == "thin-layer"

    @property
    def gel_measured(self) -> bool:
        """Whether the gel's modulus and thickness were measured (``gel_source``)."""
        return self.gel_source == "measured"

    @property
    def gel_lock_depth_mm(self) -> float | None:
        """Gel indentation (mm) at which the gel bottoms out, or None when not modelled."""
        if self.gel_max_strain is None:
            return None
        return self.gel_max_strain * self.gel_thickness_mm

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["gel_source"] is None:  # files (and simulated rigs' ids) as before the field
            del data["gel_source"]
        data["schema_version"] = CALIBRATION_SCHEMA_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SensorCalibration:
        data = dict(data)
        version = data.pop("schema_version", 1 if "extra" in data else CALIBRATION_SCHEMA_VERSION)
        if not isinstance(version, int):
            raise CalibrationError(
                f"calibration {data.get('calibration_id')!r}: schema_version={version!r} is not "
                "an integer",
                hint="write calibrations with `tactile calibrate` or SensorCalibration.save",
            )
        if version > CALIBRATION_SCHEMA_VERSION:
            raise CalibrationError(
                f"calibration {data.get('calibration_id')!r} has schema {version}, newer than "
                f"this tactile understands ({CALIBRATION_SCHEMA_VERSION})",
                hint="upgrade tactile",
            )
        if version < 2:
            data = _upgrade_v1(data)
        try:
            if data.get("corners_px") is not None:
                data["corners_px"] = tuple(tuple(map(float, p)) for p in data["corners_px"])
            for key in ("warp_size_px", "roi_px"):
                if data.get(key) is not None:
                    data[key] = tuple(int(v) for v in data[key])
            if data.get("pad_size_mm") is not None:
                data["pad_size_mm"] = tuple(float(v) for v in data["pad_size_mm"])
            if data.get("rigid_press_closure_mm") is not None:
                data["rigid_press_closure_mm"] = tuple(
                    float(v) for v in data["rigid_press_closure_mm"]
                )
            if data.get("gradient_matrix") is not None:
                data["gradient_matrix"] = tuple(
                    tuple(float(v) for v in row) for row in data["gradient_matrix"]
                )
            return cls(**data)
        except (TypeError, ValueError, OverflowError) as exc:  # overflow: a 400-digit integer
            raise CalibrationError(
                f"calibration file has unexpected fields: {exc}",
                hint="write calibrations with `tactile calibrate` or SensorCalibration.save",
            ) from exc

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> SensorCalibration:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError as exc:
            raise CalibrationError(
                f"calibration file {path} does not exist",
                hint="pass an existing file, or a shipped id such as 'sim-wedge-v1'",
            ) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CalibrationError(
                f"calibration file {path} is not valid JSON ({exc})",
                hint="re-run `tactile calibrate` to rewrite it",
            ) from exc
        if not isinstance(data, dict):
            raise CalibrationError(f"calibration file {path} is not a JSON object")
        return cls.from_dict(data)


def _upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A schema-1 record as schema 2: ``extra`` entries that code read become typed fields,
    the rest (fit evidence and notes) becomes ``provenance``."""
    extra = data.pop("extra", None) or {}
    if not isinstance(extra, dict):
        raise CalibrationError(
            f"calibration {data.get('calibration_id')!r}: 'extra' is not a JSON object",
            hint="write calibrations with `tactile calibrate` or SensorCalibration.save",
        )
    provenance = dict(extra)
    for key in _V1_TYPED_KEYS:
        value = provenance.pop(key, None)
        if value is not None and value != "":
            data[key] = value
    data["provenance"] = provenance
    return data


# Built-in profiles. Each is also shipped as JSON under calibration/ in the repository.

#: The simulator's default sensor: a Wedge-like pad rendered straight onto a 240x320 image.
#: Depth model from :func:`tactile.calibration.sim_fit.calibrate_sim_depth` (a simulated 10 GPa
#: ball, R = 10 mm, pressed 0.8 mm into the gel; depth scale from the simulator's true depth).
SIM_WEDGE = SensorCalibration(
    calibration_id="sim-wedge-v1",
    mm_per_px_x=35.0 / 320.0,
    mm_per_px_y=25.5 / 240.0,
    gel_modulus_pa=2.0e5,
    gel_poisson=0.48,
    gel_thickness_mm=3.0,
    gel_modulus_log10_sd=0.02,
    depth_scale_mm_per_unit=1.3146,
    gradient_matrix=((-0.0042502, 0.0146179, -0.0044100), (0.0066798, -0.0000760, -0.0082226)),
    pad_size_mm=(35.0, 25.5),
    contact_method="depth",
    sensor_model="sim-wedge",
    notes="Simulator default; the gel modulus is exact by construction.",
    gel_max_strain=0.9,
    provenance={
        "depth_fit": {
            "source": "calibrate_sim_depth(): simulated sphere R=10 mm, 10 GPa, seed 3, frame 16",
            "ball_radius_mm": 10.0,
            "model": "hertz",
            "contact_radius_mm": 3.0808,
            "cap_depth_mm": 0.94911,
            "fitted_cap_radius_mm": 9.169,
            "scale": 0.35,
        }
    },
)

#: The GelSight Wedge rig of Burgess et al. 2024 (../shared/data): 4-corner warp to 400x300 (the
#: corners sit on the pad's edges, so 400 px = 35 mm and 300 px = 25.5 mm: 0.0875 and 0.085 mm/px),
#: processed region x 70..375, y 25..275 of the warp (leaves out the green LED glare band along
#: the left edge, which moves when the finger loads). Contact by intensity change (the soft
#: balls' imprints are too faint for the depth route). Depth model fitted on golf_ball_1 (rigid
#: ball, R = 21.335 mm, thin-gel cap model) with `tactile calibrate depth`. The gel modulus is a
#: prior (150 kPa in the reference code, ~275 kPa from Shore 00 60) until fitted with
#: `tactile calibrate gel`.
WEDGE_REFERENCE = SensorCalibration(
    calibration_id="wedge-reference-v1",
    mm_per_px_x=35.0 / 400.0,
    mm_per_px_y=25.5 / 300.0,
    gel_modulus_pa=2.0e5,
    gel_poisson=0.48,
    gel_thickness_mm=3.0,
    gel_modulus_log10_sd=0.15,
    corners_px=((46.0, 87.0), (439.0, 121.0), (52.0, 425.0), (446.0, 368.0)),
    warp_size_px=(400, 300),
    crop_px=25,
    contact_threshold=2.5,
    contact_smoothing_mm=0.6,
    depth_scale_mm_per_unit=2.7585,
    roi_px=(70, 25, 375, 275),
    gradient_matrix=((-0.0060857, 0.0027141, -0.0006133), (0.0073707, -0.0054613, -0.0032568)),
    pad_size_mm=(35.0, 25.5),
    contact_method="intensity",
    sensor_model="gelsight-wedge",
    notes="Reference rig of Burgess et al. 2024; gel modulus is a prior until calibrated.",
    provenance={
        "depth_fit": {
            "source": "reference_grasps/golf_ball_1.avi frame 31 (peak force)",
            "ball_radius_mm": 21.335,
            "model": "cap",
            "contact_radius_mm": 10.4001,
            "cap_depth_mm": 2.7065,
            "fitted_cap_radius_mm": 13.529,
            "scale": 0.35,
        }
    },
)

#: The same rig with its effective gel modulus calibrated on a rigid sphere (docs/calibration.md):
#: ``tactile calibrate gel golf_ball_{1,2,3}.avi --rigid-sphere-radius-mm 21.335
#: --calibration wedge-reference-v1 --id wedge-reference-v2``. Force and gripper width at the
#: hold of three presses of a regulation golf ball (E >> gel) give E_g,eff = 474 kPa; its log10
#: SD 0.057 combines the leave-one-press-out error (0.010) and the single-press fit error
#: (0.056, mostly the width reading's ±0.5 mm offset). No soft object's label is used. The golf
#: ball's `stiffer_than_gel` flag is then true by construction, not independent evidence. The
#: same presses give the rig's width lag at force onset (+2.25 mm, LOO SD 1.35 mm), used when a
#: sphere's size has to be read from the width at force onset.
WEDGE_REFERENCE_V2 = replace(
    WEDGE_REFERENCE,
    calibration_id="wedge-reference-v2",
    gel_modulus_pa=474357.1,
    gel_modulus_log10_sd=0.057,
    notes=(
        "gelsight-wedge: effective gel modulus fitted on 3 presses of a rigid sphere "
        "(R = 21.335 mm) at the force-controlled hold; that sphere's stiffer_than_gel flag is "
        "true by construction."
    ),
    onset_width_bias_mm=2.252,
    onset_width_sd_mm=1.348,
    provenance={
        **WEDGE_REFERENCE.provenance,
        "gel_fit": {
            "method": "rigid-sphere hold (Hertz, object compliance 0)",
            "radius_mm": 21.335,
            "gel_modulus_pa": 474357.1,
            "log10_sd": 0.057,
            "loo_log10_rms": 0.0103,
            "fit_log10_se": 0.0561,
            "grasps": ["golf_ball_1", "golf_ball_2", "golf_ball_3"],
            "per_grasp_pa": [474357.1, 460570.9, 477753.8],
            "approach_mm": [3.437, 3.469, 3.438],
            "peak_force_n": [24.74, 24.29, 24.61],
            "skipped": [],
            "onset_width_bias_mm": 2.252,
            "onset_width_sd_mm": 1.348,
        },
    },
)

#: v2 with the gel modelled as what it is, a thin layer bonded to the acrylic window (Shull 2002:
#: compliance / (1 + 0.33 (a/h)^3)), calibrated by the same rigid-sphere protocol:
#: ``tactile calibrate gel golf_ball_{1,2,3}.avi --rigid-sphere-radius-mm 21.335 --gel-model
#: thin-layer --calibration wedge-reference-v1 --id wedge-reference-v3``. The fitted intrinsic
#: modulus (54.7 kPa for the assumed h = 3 mm; 17.6 kPa at 2 mm, 112 kPa at 4 mm) matters only
#: together with h: object estimates change by <= 4 % between h = 2 and 4 mm. The default profile
#: of the reference rig (docs/calibration.md).
WEDGE_REFERENCE_V3 = replace(
    WEDGE_REFERENCE_V2,
    calibration_id="wedge-reference-v3",
    gel_modulus_pa=54689.4,
    gel_modulus_log10_sd=0.0578,
    gel_model="thin-layer",
    provenance={
        **WEDGE_REFERENCE.provenance,
        "gel_fit": {
            "method": "rigid-sphere hold (Hertz, object compliance 0), thin-layer gel (Shull 2002)",
            "radius_mm": 21.335,
            "gel_modulus_pa": 54689.4,
            "log10_sd": 0.0578,
            "loo_log10_rms": 0.014,
            "fit_log10_se": 0.0561,
            "grasps": ["golf_ball_1", "golf_ball_2", "golf_ball_3"],
            "per_grasp_pa": [54689.4, 52453.4, 55058.6],
            "approach_mm": [3.437, 3.469, 3.438],
            "peak_force_n": [24.74, 24.29, 24.61],
            "skipped": [],
            "onset_width_bias_mm": 2.252,
            "onset_width_sd_mm": 1.348,
        },
    },
)

#: The simulator's Wedge with its gel modelled as a thin bonded layer (the ``thin-layer``
#: simulation preset): the simulator's gel follows its calibration's ``gel_model``, and the
#: estimators read the same profile, as for a real sensor.
SIM_WEDGE_THIN = replace(
    SIM_WEDGE,
    calibration_id="sim-wedge-thin-v1",
    gel_model="thin-layer",
    notes="Simulator default with a thin bonded gel layer (Shull 2002); exact by construction.",
)

#: The reference Wedge rig as the simulator renders it (raw 640x480 frames through the mirror,
#: ``SimGraspConfig.wedge_raw``): the geometry and image processing of ``wedge-reference-v1``
#: with the simulator's gel, which bottoms out at 90 % of its thickness.
SIM_WEDGE_RAW = replace(
    WEDGE_REFERENCE,
    calibration_id="sim-wedge-raw-v1",
    gel_max_strain=0.9,
    sensor_model="sim-gelsight-wedge",
    notes="The simulator's rendering of the reference Wedge rig (wedge-reference-v1 geometry); "
    "the gel modulus is exact by construction.",
)

BUILTIN_CALIBRATIONS: dict[str, SensorCalibration] = {
    c.calibration_id: c
    for c in (
        SIM_WEDGE,
        SIM_WEDGE_THIN,
        SIM_WEDGE_RAW,
        WEDGE_REFERENCE,
        WEDGE_REFERENCE_V2,
        WEDGE_REFERENCE_V3,
    )
}


#: Folder of calibration JSON files (``calibration/`` at the repo root, or ``share/tactile``).
CALIBRATION_DIR = artifact_dir("calibration")

#: Shipped, versioned profiles that live only as JSON in :data:`CALIBRATION_DIR` (fitted, not
#: built in): the calibrate steps refuse to write different values under their ids, as for
#: :data:`BUILTIN_CALIBRATIONS` (review24: ``--overwrite`` could rewrite v4 in place).
SHIPPED_JSON_CALIBRATIONS: tuple[str, ...] = ("wedge-reference-v4",)


def get_calibration(id_or_path: str | Path) -> SensorCalibration:
    """A calibration by id (built-in, or ``calibration/<id>.json``) or from a JSON file path."""
    key = str(id_or_path)
    if key in BUILTIN_CALIBRATIONS:
        return BUILTIN_CALIBRATIONS[key]
    path = Path(key)
    if path.suffix == ".json" or path.exists():
        return SensorCalibration.load(path)
    shipped = CALIBRATION_DIR / f"{key}.json"
    if shipped.is_file():
        return SensorCalibration.load(shipped)
    raise CalibrationError(
        f"unknown calibration {key!r}",
        hint=f"use one of {sorted(BUILTIN_CALIBRATIONS)} or a path to a calibration JSON file",
    )


def resolve_calibration(
    meta: GraspMetadata, calibration: SensorCalibration | str | Path | None = None
) -> SensorCalibration:
    """The calibration for a grasp: the one given (object, id or path), else the record the
    grasp carries (``meta.calibration``: a simulated rig's own), else its ``calibration_id``.
    The one place a grasp's calibration is looked up; called at the
    boundaries (the CLI, :meth:`Estimator.estimate`, :func:`estimate_grasp`, the evaluation
    runner), never by processing.

    Never a silent default: a grasp without ``calibration_id`` and no calibration given raises,
    because the gel modulus sets the whole stiff end of the scale.
    """
    if isinstance(calibration, SensorCalibration):
        return calibration
    if calibration is not None:
        return get_calibration(calibration)
    if meta.calibration is not None:
        return SensorCalibration.from_dict(meta.calibration)
    if meta.calibration_id:
        return get_calibration(meta.calibration_id)
    raise CalibrationError(
        f"object {meta.object_id!r}: the grasp names no sensor calibration",
        hint="pass one, e.g. --calibration wedge-reference-v4 (the reference import's default; "
        "sim-wedge-v1 for simulated data)",
    )
