"""Batches as tensors: normalisation and sim-to-real augmentation (both on the fly, cheap).

Augmentations act on the *raw* cached inputs before normalisation, per grasp:

- images: sensor noise, lighting gain and offset, Gaussian blur, scale (zoom about the centre,
  i.e. a different mm/px), timing jitter (blend with the neighbouring sampled frame);
- force / width: relative force and area noise, closure noise (width resolution), and the same
  timing jitter;
- analytical: occasionally dropped (as if the analytical estimator failed), and log10 E noise;
- rig: a compliant gripper (fingers of stiffness k per finger add ``2 F / k`` to the closure,
  as the reference Franka rig's do) and a width reading that runs ahead of the object's size
  at first contact (an encoder offset, a late contact): closure and size are perturbed and
  every channel derived from them recomputed (:func:`width_channels`);
- geometry: the optional shape / radius metadata dropped (``metadata_dropout``: set to
  "unknown", as when a user does not give them), the radius alone dropped, and the size D
  (width at first contact) scaled, with the size-normalised width channels moved consistently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - the usual torch alias
from torch import Tensor

from tactile.errors import ConfigError
from tactile.estimators.neural.config import SHAPE_CATEGORIES
from tactile.estimators.neural.inputs import (
    CLOSURE_LOG_SCALE_MM,
    INPUT_KEYS,
    MIN_AREA_MM2,
    MIN_CLOSURE_MM,
    MIN_FORCE_N,
    MIN_WIDTH_MM,
    Normalization,
)

_UNKNOWN = SHAPE_CATEGORIES.index("unknown")
_N_SHAPES = len(SHAPE_CATEGORIES)


@dataclass(frozen=True)
class AugmentConfig:
    """Strength of each augmentation; ``enabled=False`` switches all of them off."""

    enabled: bool = True
    image_noise: float = 0.03
    gain: float = 0.25  # images *= U(1 - gain, 1 + gain)
    offset: float = 0.03
    blur_prob: float = 0.3
    blur_sigma_px: float = 1.0
    scale: float = 0.1  # zoom U(1 - scale, 1 + scale)
    timing_jitter: float = 0.3  # fraction of one sample step
    force_noise: float = 0.03  # in log units (~relative)
    closure_noise_mm: float = 0.02
    analytical_dropout: float = 0.05
    analytical_noise: float = 0.05  # log10 units
    compliant_prob: float = 0.0  # share of grasps given compliant fingers
    finger_stiffness_n_per_mm: tuple[float, float] = (5.0, 50.0)  # log-uniform range
    size_offset_mm: float = 0.0  # width at contact += U(0, size_offset_mm)
    metadata_dropout: float = 0.5  # shape and radius -> unknown
    radius_dropout: float = 0.2  # radius alone -> unknown
    size_noise: float = 0.03  # D *= exp(N(0, size_noise))
    rig_dropout: float = 0.15  # rig calibration -> unknown (an uncalibrated rig)

    def __post_init__(self) -> None:
        lo, hi = self.finger_stiffness_n_per_mm
        if not 0 < lo <= hi:
            raise ConfigError(
                f"AugmentConfig.finger_stiffness_n_per_mm={self.finger_stiffness_n_per_mm!r} "
                "must be a range (lo, hi) with 0 < lo <= hi",
                hint="use e.g. (5.0, 50.0) N/mm",
            )
        for key, value in asdict(self).items():
            if key in ("enabled", "finger_stiffness_n_per_mm"):
                continue
            if not (isinstance(value, int | float) and value >= 0):
                raise ConfigError(
                    f"AugmentConfig.{key}={value!r} must be a non-negative number",
                    hint="use 0 to switch that augmentation off",
                )
        for key in (
            "blur_prob",
            "analytical_dropout",
            "gain",
            "scale",
            "metadata_dropout",
            "radius_dropout",
            "rig_dropout",
        ):
            if getattr(self, key) >= 1:
                raise ConfigError(f"AugmentConfig.{key} must be < 1", hint="use e.g. 0.2")
        if self.compliant_prob > 1:
            raise ConfigError("AugmentConfig.compliant_prob must be <= 1", hint="use e.g. 0.5")


def to_tensors(arrays: dict[str, np.ndarray]) -> dict[str, Tensor]:
    return {
        k: torch.from_numpy(np.ascontiguousarray(arrays[k], dtype=np.float32)) for k in INPUT_KEYS
    }


#: (mean, std) of one input as tensors shaped to broadcast over its batch, by (input, dtype, dims)
NormCache = dict[tuple[str, torch.dtype, int], tuple[Tensor, Tensor]]


def normalize(
    batch: dict[str, Tensor],
    norm: Normalization,
    keys: Sequence[str] = INPUT_KEYS,
    cache: NormCache | None = None,
) -> dict[str, Tensor]:
    """Standardise each input of ``keys`` (default: all); missing (NaN) values become 0, the
    training mean. ``cache``: where the statistics' tensors are kept between calls with the
    same ``norm`` (inference builds them once per model); the same numbers either way."""
    out = {}
    for key in keys:
        x = batch[key]
        stats = None if cache is None else cache.get((key, x.dtype, x.dim()))
        if stats is None:
            shape = norm.shape_for(key, x.dim())
            stats = (
                torch.tensor(norm.mean[key], dtype=x.dtype).reshape(shape),
                torch.tensor(norm.std[key], dtype=x.dtype).reshape(shape),
            )
            if cache is not None:
                cache[(key, x.dtype, x.dim())] = stats
        mean, std = stats
        out[key] = torch.nan_to_num((x - mean) / std, nan=0.0)
    return out


def _blur(images: Tensor, sigma: Tensor) -> Tensor:
    """Per-sample Gaussian blur of (B, K, S, S) with sigma (B,) in pixels (3x3..7x7 kernel)."""
    radius = 3
    x = torch.arange(-radius, radius + 1, dtype=images.dtype)
    k1 = torch.exp(-(x[None, :] ** 2) / (2 * sigma[:, None].clamp_min(1e-3) ** 2))
    k1 = k1 / k1.sum(dim=1, keepdim=True)  # (B, 7)
    b, k, h, w = images.shape
    img = images.reshape(1, b * k, h, w)
    kern = k1.repeat_interleave(k, dim=0)
    img = F.conv2d(
        F.pad(img, (radius, radius, 0, 0), mode="replicate"), kern[:, None, None, :], groups=b * k
    )
    img = F.conv2d(
        F.pad(img, (0, 0, radius, radius), mode="replicate"), kern[:, None, :, None], groups=b * k
    )
    return img.reshape(b, k, h, w)


def _zoom(images: Tensor, scale: Tensor) -> Tensor:
    b = images.shape[0]
    theta = torch.zeros(b, 2, 3, dtype=images.dtype)
    theta[:, 0, 0] = 1.0 / scale
    theta[:, 1, 1] = 1.0 / scale
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, padding_mode="zeros", align_corners=False)


def _shift_time(x: Tensor, frac: Tensor) -> Tensor:
    """Linear interpolation along the K axis (dim 1 for images, last for sequences) by frac (B,)."""
    time_dim = 1 if x.dim() == 4 else x.dim() - 1
    x_t = x.movedim(time_dim, -1)
    later = torch.cat([x_t[..., 1:], x_t[..., -1:]], dim=-1)
    earlier = torch.cat([x_t[..., :1], x_t[..., :-1]], dim=-1)
    f = frac.reshape((-1,) + (1,) * (x_t.dim() - 1))
    shifted = torch.where(f >= 0, x_t + f * (later - x_t), x_t - f * (earlier - x_t))
    return shifted.movedim(-1, time_dim)


def width_channels(
    force_n: Tensor, area_mm2: Tensor, closure_mm: Tensor, depth_mm: Tensor, size_mm: Tensor
) -> Tensor:
    """(B, 6, K) width-tower channels from raw quantities (B, K) and the size D (B,): the same
    formulas as :func:`tactile.estimators.neural.inputs.make_inputs`, in torch."""
    d = size_mm.clamp_min(MIN_WIDTH_MM)[:, None]
    c = closure_mm.clamp_min(MIN_CLOSURE_MM)
    f = force_n.clamp_min(MIN_FORCE_N)
    a = area_mm2.clamp_min(MIN_AREA_MM2)
    pressure_pa = f / a * 1e6
    return torch.stack(
        [
            closure_mm,
            torch.log1p(closure_mm / CLOSURE_LOG_SCALE_MM),
            torch.log(c / d),
            (closure_mm - 2.0 * depth_mm) / d,
            torch.log10(pressure_pa * d / c),
            torch.log10(1.5 * f / (torch.sqrt(a / math.pi) * c) * 1e6),
        ],
        dim=1,
    )


def _augment_rig(
    force: Tensor, width: Tensor, geometry: Tensor, cfg: AugmentConfig, gen: torch.Generator
) -> tuple[Tensor, Tensor]:
    """Compliant fingers (closure += 2 F / k) and a width reading ahead of the size at contact
    (D += U(0, size_offset_mm)); the width channels and log D are recomputed."""
    b = force.shape[0]
    f_n, area = torch.expm1(force[:, 0]), torch.expm1(force[:, 1])
    depth = torch.exp(force[:, 5])
    lo, hi = (math.log(v) for v in cfg.finger_stiffness_n_per_mm)
    k = torch.exp(lo + (hi - lo) * torch.rand(b, generator=gen))
    compliant = torch.rand(b, generator=gen) < cfg.compliant_prob
    extra = torch.where(compliant[:, None], 2.0 * f_n / k[:, None], torch.zeros_like(f_n))
    size = torch.exp(geometry[:, 0]) + cfg.size_offset_mm * torch.rand(b, generator=gen)
    closure = width[:, 0] + extra
    geometry = geometry.clone()
    geometry[:, 0] = torch.log(size.clamp_min(MIN_WIDTH_MM))
    width = torch.cat([width_channels(f_n, area, closure, depth, size), width[:, 6:]], dim=1)
    return width, geometry


def _augment_geometry(
    geometry: Tensor, width: Tensor, cfg: AugmentConfig, gen: torch.Generator
) -> tuple[Tensor, Tensor]:
    """Drop shape/radius metadata at random; scale the size D (and its width channels)."""
    geo, width = geometry.clone(), width.clone()
    b = geo.shape[0]
    drop_meta = torch.rand(b, generator=gen) < cfg.metadata_dropout
    drop_radius = drop_meta | (torch.rand(b, generator=gen) < cfg.radius_dropout)
    onehot = torch.zeros(_N_SHAPES, dtype=geo.dtype)
    onehot[_UNKNOWN] = 1.0
    geo[drop_meta, 1 : 1 + _N_SHAPES] = onehot
    geo[drop_radius, 1 + _N_SHAPES] = float("nan")
    geo[drop_radius, 2 + _N_SHAPES] = 0.0
    log_s = cfg.size_noise * torch.randn(b, generator=gen)
    geo[:, 0] = geo[:, 0] + log_s
    width[:, 2] = width[:, 2] - log_s[:, None]  # log strain
    width[:, 3] = width[:, 3] * torch.exp(-log_s)[:, None]  # object strain
    width[:, 4] = width[:, 4] + log_s[:, None] / math.log(10.0)  # flat-punch modulus scale
    return geo, width


def augment(
    batch: dict[str, Tensor], cfg: AugmentConfig, gen: torch.Generator
) -> dict[str, Tensor]:
    """A randomly perturbed copy of a raw batch (see the module docstring)."""
    if not cfg.enabled:
        return batch
    images, force, width = batch["images"], batch["force"].clone(), batch["width"].clone()
    ana, geometry = batch["analytical"].clone(), batch["geometry"]
    b = images.shape[0]
    if cfg.compliant_prob > 0 or cfg.size_offset_mm > 0:
        width, geometry = _augment_rig(force, width, geometry, cfg, gen)

    def u(lo: float, hi: float, n: int = b) -> Tensor:
        return lo + (hi - lo) * torch.rand(n, generator=gen)

    if cfg.timing_jitter > 0:
        frac = u(-cfg.timing_jitter, cfg.timing_jitter)
        images, force, width = (_shift_time(t, frac) for t in (images, force, width))
    if cfg.scale > 0:
        images = _zoom(images, u(1 - cfg.scale, 1 + cfg.scale))
    if cfg.blur_prob > 0 and cfg.blur_sigma_px > 0:
        sigma = u(0.3, cfg.blur_sigma_px)
        blurred = _blur(images, sigma)
        pick = (torch.rand(b, generator=gen) < cfg.blur_prob).reshape(b, 1, 1, 1)
        images = torch.where(pick, blurred, images)
    gain = u(1 - cfg.gain, 1 + cfg.gain).reshape(b, 1, 1, 1)
    offset = u(-cfg.offset, cfg.offset).reshape(b, 1, 1, 1)
    noise = cfg.image_noise * torch.randn(images.shape, generator=gen)
    images = (images * gain + offset + noise).clamp_min(0.0)
    force = force + cfg.force_noise * torch.randn(force.shape, generator=gen)
    force[:, 2:4] = force[:, 2:4] + torch.log(gain.reshape(b, 1, 1))  # raw image statistics
    closure = width[:, 0] + cfg.closure_noise_mm * torch.randn(width[:, 0].shape, generator=gen)
    closure = closure.clamp_min(0.0)
    width[:, 0], width[:, 1] = closure, torch.log1p(closure / CLOSURE_LOG_SCALE_MM)
    width[:, 2:] = width[:, 2:] + cfg.force_noise * torch.randn(width[:, 2:].shape, generator=gen)
    geometry, width = _augment_geometry(geometry, width, cfg, gen)
    if cfg.rig_dropout > 0:  # an uncalibrated rig: no rig channels, no excess closure
        drop_rig = torch.rand(b, generator=gen) < cfg.rig_dropout
        geometry[drop_rig, -5:-1] = float("nan")
        geometry[drop_rig, -1] = 0.0
        width[drop_rig, 6:] = float("nan")
    ana[:, 0] = ana[:, 0] + cfg.analytical_noise * torch.randn(b, generator=gen)
    drop = torch.rand(b, generator=gen) < cfg.analytical_dropout
    ana[drop] = torch.tensor([float("nan")] * 3 + [0.0], dtype=ana.dtype)
    return {
        "images": images,
        "force": force,
        "width": width,
        "analytical": ana,
        "geometry": geometry,
    }
