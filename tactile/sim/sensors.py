"""Sensor imperfections: what turns the true force, width and image into recorded ones.

Levels of the ``realistic`` preset were measured on the 15 real Wedge grasps in
``../shared/data``: frame-to-frame image noise ~0.75 grey levels (sd per frame), force rest
noise ~0.01-0.05 N, width readings that update every 3-6 frames (stair steps), and rare
force glitches of about -70 N.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from tactile.errors import ConfigError


@dataclass(frozen=True)
class SensorNoise:
    """Imperfections of force gauge, gripper encoder and camera. ``clean()`` turns all off."""

    force_noise_sd_n: float = 0.03
    force_drift_sd_n_per_sqrt_s: float = 0.02  # random-walk drift of the force zero
    force_spike_probability: float = 0.0  # per sample; the real rig shows rare glitches
    force_spike_n: float = -70.0
    force_max_n: float | None = None  # gauge saturation (None: no limit)
    width_update_period_s: float = 0.12  # readings hold their value in between (stair steps)
    width_noise_sd_mm: float = 0.01
    width_resolution_mm: float = 0.01
    frame_jitter_sd_s: float = 0.002
    frame_drop_probability: float = 0.0
    image_noise_sd: float = 0.75  # grey levels, per pixel and channel
    image_gain: float = 1.0  # exposure: > 1 brightens and saturates bright regions
    jpeg_qtable: tuple[int, ...] = ()  # 64 ints, natural order: compress each frame (MJPG)
    #: the width reading lags the fingers (the real Wedge rig's reads 3-6 mm above the golf
    #: ball's size at force onset while closing at 17-18 mm/s: ~0.2-0.35 s)
    width_latency_s: float = 0.0
    #: force that builds with the closing motion itself, before and during contact (N per mm
    #: closed from the open width; some real unclipped cycles rise ~2 N before the touch)
    motion_force_n_per_mm: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "force_noise_sd_n",
            "force_drift_sd_n_per_sqrt_s",
            "width_noise_sd_mm",
            "width_resolution_mm",
            "width_update_period_s",
            "frame_jitter_sd_s",
            "image_noise_sd",
            "width_latency_s",
            "motion_force_n_per_mm",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(
                    f"SensorNoise.{name}={value!r} must be >= 0",
                    hint="use 0 to switch this imperfection off",
                )
        for name in ("force_spike_probability", "frame_drop_probability"):
            value = getattr(self, name)
            if not 0.0 <= value < 0.5:
                raise ConfigError(
                    f"SensorNoise.{name}={value!r} must be in [0, 0.5)",
                    hint="glitches and dropped frames should be rare, e.g. 0.005",
                )
        if self.jpeg_qtable and (
            len(self.jpeg_qtable) != 64 or not all(1 <= int(v) <= 255 for v in self.jpeg_qtable)
        ):
            raise ConfigError(
                f"SensorNoise.jpeg_qtable has {len(self.jpeg_qtable)} entries",
                hint="give 64 quantisation steps (1..255) in natural order, or () for none",
            )
        if not (math.isfinite(self.image_gain) and self.image_gain > 0):
            raise ConfigError(
                f"SensorNoise.image_gain={self.image_gain!r} must be > 0", hint="1.0 is neutral"
            )

    @classmethod
    def clean(cls) -> SensorNoise:
        """Perfect sensors: exact force and width every frame, no image noise, no jitter."""
        return cls(
            force_noise_sd_n=0.0,
            force_drift_sd_n_per_sqrt_s=0.0,
            width_update_period_s=0.0,
            width_noise_sd_mm=0.0,
            width_resolution_mm=0.0,
            frame_jitter_sd_s=0.0,
            image_noise_sd=0.0,
        )

    @classmethod
    def realistic(cls) -> SensorNoise:
        """Like the reference rig, including rare -70 N force glitches and dropped frames."""
        return replace(cls(), force_spike_probability=0.002, frame_drop_probability=0.01)


def noisy_force(
    force_n: np.ndarray, t_s: np.ndarray, noise: SensorNoise, rng: np.random.Generator
) -> np.ndarray:
    """Force gauge reading: white noise + random-walk zero drift + rare spikes + saturation."""
    out = force_n.astype(np.float64).copy()
    n = out.size
    if noise.force_noise_sd_n > 0:
        out += rng.normal(0.0, noise.force_noise_sd_n, n)
    if noise.force_drift_sd_n_per_sqrt_s > 0 and n > 1:
        dt = np.diff(t_s, prepend=t_s[0])
        steps = rng.normal(0.0, 1.0, n) * np.sqrt(np.maximum(dt, 0.0))
        out += noise.force_drift_sd_n_per_sqrt_s * np.cumsum(steps)
    if noise.force_spike_probability > 0:
        spikes = rng.random(n) < noise.force_spike_probability
        out[spikes] = noise.force_spike_n
    if noise.force_max_n is not None:
        out = np.minimum(out, noise.force_max_n)
    return out


def noisy_width(
    width_mm: np.ndarray, t_s: np.ndarray, noise: SensorNoise, rng: np.random.Generator
) -> np.ndarray:
    """Encoder reading: ``width_latency_s`` late, updated every ``width_update_period_s`` (held
    in between), noisy, quantised."""
    out = width_mm.astype(np.float64).copy()
    if noise.width_latency_s > 0 and out.size > 1:  # the reading shows an earlier position
        out = np.interp(t_s - noise.width_latency_s, t_s, out)
    if noise.width_noise_sd_mm > 0:
        out = out + rng.normal(0.0, noise.width_noise_sd_mm, out.size)
    if noise.width_resolution_mm > 0:
        out = np.round(out / noise.width_resolution_mm) * noise.width_resolution_mm
    if noise.width_update_period_s > 0 and out.size > 1:
        phase = rng.uniform(0.0, noise.width_update_period_s)
        slot = np.floor((t_s - t_s[0] + phase) / noise.width_update_period_s).astype(np.int64)
        first_of_slot = np.flatnonzero(np.diff(slot, prepend=slot[0] - 1) != 0)
        idx = first_of_slot[np.searchsorted(first_of_slot, np.arange(out.size), side="right") - 1]
        out = out[idx]
    return out


def frame_times(
    n_frames: int, fps: float, noise: SensorNoise, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps of the frames the camera delivers, and the indices of the nominal frames kept.

    Jitter is clipped so timestamps stay strictly increasing.
    """
    dt = 1.0 / fps
    t = np.arange(n_frames) * dt
    if noise.frame_jitter_sd_s > 0:
        t = t + np.clip(rng.normal(0.0, noise.frame_jitter_sd_s, n_frames), -0.4 * dt, 0.4 * dt)
    keep = np.ones(n_frames, bool)
    if noise.frame_drop_probability > 0 and n_frames > 2:
        keep[1:-1] = rng.random(n_frames - 2) >= noise.frame_drop_probability
    idx = np.flatnonzero(keep)
    return t[idx] - t[idx[0]], idx


#: Luminance quantisation table (natural order) of the reference Wedge's MJPG frames: 1024 of
#: the 1039 frames in ../shared/data/reference_grasps use it (the first frame of each file a
#: coarser one); one table for all three components, chroma subsampled 4:2:0.
WEDGE_MJPEG_QTABLE: tuple[int, ...] = (
    8, 6, 7, 8, 9, 10, 10, 12, 6, 6, 8, 9, 10, 10, 12, 13,
    7, 8, 9, 10, 10, 12, 12, 14, 8, 8, 9, 10, 10, 12, 13, 15,
    8, 9, 10, 10, 12, 13, 15, 18, 9, 10, 10, 12, 13, 15, 18, 21,
    9, 10, 10, 12, 14, 17, 21, 25, 10, 10, 13, 14, 17, 21, 25, 31,
)  # fmt: skip


def jpeg_round_trip(frame_bgr: np.ndarray, qtable: tuple[int, ...]) -> np.ndarray:
    """Compress and decompress a uint8 BGR frame with this quantisation table (4:2:0), as an
    MJPG camera does: 8x8 block artefacts, ringing at edges, chroma at half resolution."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(frame_bgr[..., ::-1])).save(
        buffer, "JPEG", qtables=[list(qtable)], subsampling=2
    )
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.ascontiguousarray(np.asarray(decoded.convert("RGB"))[..., ::-1])


_BANK_FIELDS = 4
_BANK_MARGIN = 16
_BANKS: dict[tuple[int, int, float], np.ndarray] = {}


def _noise_bank(size_hw: tuple[int, int], sd: float) -> np.ndarray:
    """Rounded Gaussian noise fields (int16), shared by every grasp of this size in a process.

    The bank is drawn from a fixed seed, so it is identical in every process; each frame picks a
    field, an offset and a sign from the grasp's own generator.
    """
    key = (size_hw[0], size_hw[1], sd)
    bank = _BANKS.get(key)
    if bank is None:
        h, w = size_hw
        rng = np.random.default_rng(0x5EED)
        shape = (_BANK_FIELDS, h + _BANK_MARGIN, w + _BANK_MARGIN, 3)
        bank = np.round(rng.standard_normal(shape, dtype=np.float32) * sd).astype(np.int16)
        _BANKS.clear()  # keep one size at a time
        _BANKS[key] = bank
    return bank


class ImageNoise:
    """Per-frame sensor noise from a bank of Gaussian fields (cheap per frame)."""

    def __init__(
        self, noise: SensorNoise, size_hw: tuple[int, int], rng: np.random.Generator
    ) -> None:
        self.noise = noise
        self._rng = rng
        self._size = size_hw
        sd = noise.image_noise_sd
        self._bank = _noise_bank(size_hw, sd) if sd > 0 else None

    def apply(self, image: np.ndarray) -> np.ndarray:
        """float32 BGR image -> uint8 BGR frame with gain, noise and saturation at 0 and 255."""
        frame = cv2.convertScaleAbs(image, alpha=self.noise.image_gain)  # rounds, saturates
        if self._bank is not None:
            k, dy, dx = (int(v) for v in self._rng.integers(0, (_BANK_FIELDS, 17, 17)))
            h, w = self._size
            field = self._bank[k, dy : dy + h, dx : dx + w]
            if self._rng.random() < 0.5:
                frame = cv2.subtract(frame, field, dtype=cv2.CV_8U)
            else:
                frame = cv2.add(frame, field, dtype=cv2.CV_8U)
        if self.noise.jpeg_qtable:
            frame = jpeg_round_trip(frame, self.noise.jpeg_qtable)
        return frame
