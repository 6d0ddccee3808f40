"""Simulate one full grasp (open -> close -> hold -> open) and return it as a :class:`Grasp`,
optionally with the ground truth (true force, contact area, gel depth, object deformation)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tactile import __version__
from tactile.errors import ConfigError
from tactile.sensor import SIM_WEDGE, SIM_WEDGE_RAW, SensorCalibration
from tactile.sim.camera import WEDGE_RAW_SHIFT_PX_PER_N, RawCamera
from tactile.sim.gripper import (
    PHASE_NAMES,
    GripperProfile,
    encoder_width_mm,
    plan_motion,
    relaxation_factor,
)
from tactile.sim.objects import SimObject
from tactile.sim.render import WEDGE_BACKGROUND_SHIFT_MM_PER_N, Optics
from tactile.sim.scene import Scene, equivalent_radius_mm
from tactile.sim.sensors import (
    WEDGE_MJPEG_QTABLE,
    ImageNoise,
    SensorNoise,
    frame_times,
    noisy_force,
    noisy_width,
)
from tactile.types import Grasp, GraspMetadata


@dataclass(frozen=True)
class SimGraspConfig:
    """Everything about a simulated grasp except the object and the seed.

    The gel follows ``calibration`` exactly, like a real sensor's profile: its modulus,
    thickness, ``gel_model`` (``sim-wedge-thin-v1``: the finite-gel-thickness stiffening of
    Shull 2002; off by default, the real Wedge golf-ball grasps follow half-space Hertz, see
    docs/simulator.md) and ``gel_max_strain`` (where it bottoms out). Grasps name the profile,
    and the estimators read it, not the simulator's settings.
    ``offset_jitter_mm`` moves the contact centre randomly (uniform, per axis) per grasp.
    ``raw_camera`` renders what the camera records through the mirror: ``size_hw`` is then the
    raw frame size and the calibration must have pad corners (the truth's masks stay in pad
    coordinates, the calibration's warped image); ``raw_shift_px_per_n`` then moves the whole
    raw view with the force (the real Wedge's camera moves against pad and housing under load,
    see ``camera.WEDGE_RAW_SHIFT_PX_PER_N``). ``relaxation_fraction`` of the force
    relaxes with ``relaxation_time_s`` once the fingers stop (viscoelastic gel and object; the
    real grasps lose 3-6 % during the hold).
    """

    calibration: SensorCalibration = SIM_WEDGE
    size_hw: tuple[int, int] = (240, 320)
    fps: float = 30.0
    gripper: GripperProfile = field(default_factory=GripperProfile)
    noise: SensorNoise = field(default_factory=SensorNoise)
    optics: Optics = field(default_factory=Optics)
    contact_offset_mm: tuple[float, float] = (0.0, 0.0)
    offset_jitter_mm: float = 0.0
    raw_camera: bool = False
    relaxation_fraction: float = 0.0
    relaxation_time_s: float = 0.5
    max_frames: int = 1000
    raw_shift_px_per_n: tuple[float, float] = (0.0, 0.0)
    raw_surround: str = ""  # a raw no-contact frame (PNG) as the housing view; "": shipped grid
    preset: str = "ideal"  # the preset it started from (recorded in metadata and cards)
    raw_pose_offset_px: tuple[float, float] = (0.0, 0.0)  # whole raw view moved (camera pose)
    #: the calibration the grasp names for processing ("": ``calibration``'s own id); with a
    #: randomised rig the physics gel differs from the processing calibration, as on a real rig
    processing_calibration_id: str = ""
    #: a randomised rig's draw (:func:`tactile.sim.rigs.apply_rig`), recorded in the metadata
    rig: dict[str, Any] = field(default_factory=dict)
    #: the rig's own calibration (``tactile calibrate rig`` on simulated presses of that rig,
    #: :func:`tactile.sim.rigs.calibrate_rig`): the grasps carry it and name its id
    rig_calibration: SensorCalibration | None = None

    def __post_init__(self) -> None:
        h, w = self.size_hw
        if not (16 <= h <= 4096 and 16 <= w <= 4096):
            raise ConfigError(
                f"SimGraspConfig.size_hw={self.size_hw} is not a sensible frame size",
                hint="use (height, width) in pixels, e.g. (240, 320)",
            )
        if not (math.isfinite(self.fps) and 1.0 <= self.fps <= 1000.0):
            raise ConfigError(f"SimGraspConfig.fps={self.fps} out of range", hint="use e.g. 30")
        if not (0.0 <= self.relaxation_fraction < 1.0 and self.relaxation_time_s > 0):
            raise ConfigError(
                f"SimGraspConfig relaxation {self.relaxation_fraction} / "
                f"{self.relaxation_time_s} s is invalid",
                hint="use a fraction in [0, 1) and a positive time constant, e.g. 0.04 / 0.5",
            )

    @classmethod
    def clean(cls, **kwargs: Any) -> SimGraspConfig:
        """Perfect sensors (for tests): no noise, no jitter, no blur."""
        cfg = cls(noise=SensorNoise.clean(), optics=Optics(blur_sigma_px=0.0), preset="clean")
        return replace(cfg, **kwargs)

    @classmethod
    def realistic(cls, **kwargs: Any) -> SimGraspConfig:
        """Like the reference rig: force glitches, dropped frames, off-centre contacts, 4 %
        force relaxation during the hold, illumination shifting with the load."""
        cfg = cls(
            noise=SensorNoise.realistic(),
            optics=Optics(background_shift_mm_per_n=WEDGE_BACKGROUND_SHIFT_MM_PER_N),
            offset_jitter_mm=2.0,
            relaxation_fraction=0.04,
            preset="realistic",
        )
        return replace(cfg, **kwargs)

    @classmethod
    def wedge_raw(cls, **kwargs: Any) -> SimGraspConfig:
        """Raw 640x480 frames of the reference Wedge rig (``sim-wedge-raw-v1``: the geometry of
        ``wedge-reference-v1`` with the simulator's gel), realistic."""
        return replace(as_wedge_raw(cls.realistic(preset="wedge-raw")), **kwargs)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable scalars describing the settings (for metadata and dataset cards)."""
        g, n = self.gripper, self.noise
        return {
            "preset": self.preset,
            "calibration_id": self.calibration.calibration_id,
            "height_px": self.size_hw[0],
            "width_px": self.size_hw[1],
            "fps": self.fps,
            "force_target_n": g.force_target_n,
            "close_speed_mm_s": g.close_speed_mm_s,
            "open_gap_mm": g.open_gap_mm,
            "hold_s": g.hold_s,
            "finger_stiffness_n_per_mm": g.finger_stiffness_n_per_mm,
            "relaxation_fraction": self.relaxation_fraction,
            "image_noise_sd": n.image_noise_sd,
            "force_noise_sd_n": n.force_noise_sd_n,
            "force_spike_probability": n.force_spike_probability,
            "frame_drop_probability": n.frame_drop_probability,
            "width_update_period_s": n.width_update_period_s,
            "blur_sigma_px": self.optics.blur_sigma_px,
            "background": self.optics.background,
            "raw_camera": self.raw_camera,
            "raw_shift_px_per_n_x": self.raw_shift_px_per_n[0],
            "raw_shift_px_per_n_y": self.raw_shift_px_per_n[1],
        }


#: Sensor noise (grey levels) before MJPG compression that leaves 0.66 levels frame to frame
#: after it on the cropped warped pad (real first files: 0.58-0.75, mean 0.66; 1.6 -> 0.64,
#: 1.8 -> 0.69 simulated).
WEDGE_RAW_NOISE_BEFORE_JPEG = 1.7


#: RMS height (mm) of the contact texture of the reference Wedge's rendering (``Optics.
#: contact_texture_mm``, full at 25 kPa of mean contact pressure): chosen so that the simulated
#: twins of the real soft balls and foam brick show contact areas in the range the real sessions
#: show through the same pipeline (docs/simulator.md, "Simulated vs real"); the real soft objects
#: of ../shared/data were used to choose it.
WEDGE_CONTACT_TEXTURE_MM = 0.045
WEDGE_CONTACT_TEXTURE_PRESSURE_PA = 2.5e4


#: The named simulator settings (``tactile simulate --physics``).
PRESETS: tuple[str, ...] = ("realistic", "thin-layer", "ideal", "clean")


def preset_config(name: str, size_hw: tuple[int, int]) -> SimGraspConfig:
    """The simulator settings of one named preset (:data:`PRESETS`) at this frame size:
    ``realistic`` (force glitches, dropped frames, off-centre contacts), ``thin-layer``
    (realistic with a thin, stiffening gel: ``sim-wedge-thin-v1``), ``ideal`` (mild noise,
    centred: the defaults) or ``clean`` (no noise at all)."""
    from tactile.sensor import SIM_WEDGE_THIN

    if name == "realistic":
        return SimGraspConfig.realistic(size_hw=size_hw)
    if name == "thin-layer":
        return SimGraspConfig.realistic(
            calibration=SIM_WEDGE_THIN, size_hw=size_hw, preset="thin-layer"
        )
    if name == "clean":
        return SimGraspConfig.clean(size_hw=size_hw)
    if name == "ideal":
        return SimGraspConfig(size_hw=size_hw)
    raise ConfigError(f"unknown simulator preset {name!r}", hint=f"use one of {', '.join(PRESETS)}")


def as_wedge_raw(cfg: SimGraspConfig) -> SimGraspConfig:
    """These settings rendered as the reference Wedge's camera records them (raw 640x480
    frames through the mirror). If the settings move the illumination with the load, the whole
    raw view moves too (``WEDGE_RAW_SHIFT_PX_PER_N``, measured on the whole raw frame) and the
    pad's background keeps only the rest of the shift measured inside the pad, so the two are
    not counted twice. Unless the settings are noise-free, frames are MJPG-compressed with the
    real camera's quantisation table (``sensors.WEDGE_MJPEG_QTABLE``)."""
    bx, by = cfg.optics.background_shift_mm_per_n
    if bx == 0 and by == 0:
        shift, optics = (0.0, 0.0), cfg.optics
    else:
        shift = WEDGE_RAW_SHIFT_PX_PER_N
        rest = (
            bx - shift[0] * SIM_WEDGE_RAW.mm_per_px_x,
            by - shift[1] * SIM_WEDGE_RAW.mm_per_px_y,
        )
        optics = replace(cfg.optics, background_shift_mm_per_n=rest)
    if optics.contact_texture_mm == 0 and cfg.noise.image_noise_sd > 0:
        # the real pad's contacts print a fine texture whatever the object's stiffness
        optics = replace(optics, contact_texture_mm=WEDGE_CONTACT_TEXTURE_MM)
    noise = cfg.noise
    if noise.image_noise_sd > 0 and not noise.jpeg_qtable:
        # the Wedge camera's MJPG smooths part of the sensor noise away: this much before it
        # leaves the measured frame-to-frame noise after it
        noise = replace(
            noise, jpeg_qtable=WEDGE_MJPEG_QTABLE, image_noise_sd=WEDGE_RAW_NOISE_BEFORE_JPEG
        )
    return replace(
        cfg,
        calibration=SIM_WEDGE_RAW,
        size_hw=(480, 640),
        raw_camera=True,
        raw_shift_px_per_n=shift,
        optics=optics,
        noise=noise,
    )


@dataclass(frozen=True, eq=False)
class SimTruth:
    """Ground truth per delivered frame (aligned with the Grasp's frames)."""

    t_s: np.ndarray
    force_n: np.ndarray
    width_mm: np.ndarray  # true gap between the gel surfaces
    delta_mm: np.ndarray  # approach per finger (object + gel)
    gel_depth_mm: np.ndarray  # peak indentation of the imaged gel
    object_def_mm: np.ndarray  # object deformation at one finger
    contact_area_mm2: np.ndarray  # inside the pad image
    contact_masks: np.ndarray  # (T, H, W) bool
    phase: np.ndarray  # int codes, see PHASE_NAMES
    depth_maps: np.ndarray | None = None  # (T, H, W) float32 mm, when requested
    stopped_by: str = "force"

    @property
    def contact_radius_mm(self) -> np.ndarray:
        return equivalent_radius_mm(self.contact_area_mm2)

    @property
    def contact_index(self) -> int:
        """First frame with the object touching (-1 if never)."""
        idx = np.flatnonzero(self.delta_mm > 0)
        return int(idx[0]) if idx.size else -1

    @property
    def peak_index(self) -> int:
        return int(np.argmax(self.force_n))

    def phase_names(self) -> list[str]:
        return [PHASE_NAMES[int(p)] for p in self.phase]


def _rng_pair(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    root = np.random.SeedSequence(seed)
    a, b = root.spawn(2)
    return np.random.default_rng(a), np.random.default_rng(b)


def _metadata(
    obj: SimObject, cfg: SimGraspConfig, seed: int, scene: Scene, truth: SimTruth
) -> GraspMetadata:
    gel = scene.gel
    extra: dict[str, Any] = {
        "seed": int(seed),
        "true_gel_modulus_pa": gel.modulus_pa,
        "true_gel_poisson": gel.poisson,
        "true_gel_thickness_mm": gel.thickness_mm,
        "object_poisson": obj.poisson,
        "object_size_z_mm": obj.size_z_mm,
        "object_material": obj.material,
        "object_foam": obj.foam,
        "contact_kind": scene.curve.kind,
        "stopped_by": truth.stopped_by,
        "true_peak_force_n": float(truth.force_n.max()),
        "true_peak_gel_depth_mm": float(truth.gel_depth_mm.max()),
        "true_peak_object_def_mm": float(truth.object_def_mm.max()),
        "true_peak_contact_area_mm2": float(truth.contact_area_mm2.max()),
        "true_contact_index": truth.contact_index,
        "true_peak_index": truth.peak_index,
    }
    if obj.size_mm is not None:
        extra.update(
            zip(("size_x_mm", "size_y_mm", "size_z_mm"), map(float, obj.size_mm), strict=True)
        )
    if obj.shape in ("cylinder", "cylinder_end"):
        extra["length_mm"] = obj.length_mm
    extra.update({f"sim_{k}": v for k, v in cfg.summary().items()})
    extra.update(cfg.rig)
    q = f"modulus_pa={obj.modulus_pa:.6g}&shape={obj.shape}&radius_mm={obj.radius_mm:g}"
    return GraspMetadata(
        object_id=obj.name,
        label_modulus_pa=float(obj.modulus_pa),
        shape=obj.shape,
        radius_mm=obj.contact_radius_label_mm,
        source="sim",
        devices={
            "gripper": f"sim://gripper?{q}",
            "camera": f"sim://camera?calibration={cfg.calibration.calibration_id}",
            "force": "sim://force",
        },
        calibration_id=(
            cfg.rig_calibration.calibration_id
            if cfg.rig_calibration is not None
            else cfg.processing_calibration_id or cfg.calibration.calibration_id
        ),
        calibration=cfg.rig_calibration.to_dict() if cfg.rig_calibration is not None else None,
        software_version=__version__,
        extra=extra,
    )


def simulate_grasp_truth(
    obj: SimObject,
    config: SimGraspConfig | None = None,
    seed: int = 0,
    *,
    grasp_id: str | None = None,
    keep_depth_maps: bool = False,
) -> tuple[Grasp, SimTruth]:
    """Simulate one grasp of ``obj`` and return it with its ground truth."""
    cfg = config if config is not None else SimGraspConfig()
    rng_scene, rng_sensor = _rng_pair(seed)
    offset = cfg.contact_offset_mm
    if cfg.offset_jitter_mm > 0:
        jx, jy = rng_scene.uniform(-cfg.offset_jitter_mm, cfg.offset_jitter_mm, 2)
        offset = (offset[0] + float(jx), offset[1] + float(jy))
    camera = (
        RawCamera.from_config(cfg.calibration, cfg.size_hw, cfg.raw_surround)
        if cfg.raw_camera
        else None
    )
    pad_hw = camera.pad_size_hw if camera is not None else cfg.size_hw
    scene = Scene(
        obj,
        cfg.calibration,
        optics=cfg.optics,
        size_hw=pad_hw,
        center_offset_mm=offset,
        rng=rng_scene,
    )
    motion = plan_motion(obj.size_z_mm, scene.curve, cfg.gripper, cfg.fps, cfg.max_frames)
    t_s, keep = frame_times(motion.t_s.size, cfg.fps, cfg.noise, rng_sensor)
    width = motion.width_mm[keep]
    delta = np.maximum((obj.size_z_mm - width) / 2.0, 0.0)
    states = scene.curve.at(delta)
    noise = ImageNoise(cfg.noise, cfg.size_hw, rng_sensor)
    frames = np.empty((delta.size, *cfg.size_hw, 3), np.uint8)
    masks = np.empty((delta.size, *pad_hw), bool)
    depths = np.empty((delta.size, *pad_hw), np.float32) if keep_depth_maps else None
    sx, sy = cfg.raw_shift_px_per_n
    px, py = cfg.raw_pose_offset_px
    for i, d in enumerate(delta):
        image, depth, mask = scene.fields(float(d))
        if camera is not None:
            f = float(states["force_n"][i])
            image = camera.project(image, (px + sx * f, py + sy * f))
        frames[i] = noise.apply(image)
        masks[i] = mask
        if depths is not None:
            depths[i] = depth
    background = scene.background if camera is None else camera.project(scene.background, (px, py))
    truth = SimTruth(
        t_s=t_s,
        force_n=states["force_n"]
        * relaxation_factor(
            motion.t_s[keep], motion.stop_time_s, cfg.relaxation_fraction, cfg.relaxation_time_s
        ),
        width_mm=width,
        delta_mm=delta,
        gel_depth_mm=states["gel_depth_mm"],
        object_def_mm=states["object_def_mm"],
        contact_area_mm2=masks.sum(axis=(1, 2)) * scene.grid.mm_per_px_x * scene.grid.mm_per_px_y,
        contact_masks=masks,
        phase=motion.phase[keep],
        depth_maps=depths,
        stopped_by=motion.stopped_by,
    )
    # force that builds with the closing motion itself (some real rigs), on the reading only
    motion_force = truth.force_n + cfg.noise.motion_force_n_per_mm * (width[0] - width)
    grasp = Grasp(
        grasp_id=grasp_id or f"{obj.name}_s{seed}",
        frames=frames,
        t_s=t_s,
        force_n=noisy_force(motion_force, t_s, cfg.noise, rng_sensor),
        width_mm=noisy_width(
            encoder_width_mm(width, truth.force_n, cfg.gripper), t_s, cfg.noise, rng_sensor
        ),
        meta=_metadata(obj, cfg, seed, scene, truth),
        reference_frame=noise.apply(background),
    )
    return grasp, truth


def simulate_grasp(
    obj: SimObject,
    config: SimGraspConfig | None = None,
    seed: int = 0,
    *,
    grasp_id: str | None = None,
) -> Grasp:
    """Simulate one grasp of ``obj`` (see :func:`simulate_grasp_truth` for the ground truth)."""
    return simulate_grasp_truth(obj, config, seed, grasp_id=grasp_id)[0]
