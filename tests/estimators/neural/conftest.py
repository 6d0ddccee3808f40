"""Tiny synthetic grasps and prepared datasets for the network tests (no simulator needed)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tactile.estimators.neural.checkpoint import LoadedModel
from tactile.estimators.neural.config import (
    FORCE_CHANNELS,
    GEOMETRY_CHANNELS,
    WIDTH_CHANNELS,
    MultiTowerConfig,
)
from tactile.estimators.neural.data import PreparedDataset, prepare_grasp
from tactile.estimators.neural.inputs import Normalization, stack_inputs
from tactile.estimators.neural.model import create_model, model_config
from tactile.sensor import SensorCalibration, get_calibration
from tactile.types import Grasp, GraspFeatures, GraspMetadata


def disk_grasp(
    n_frames: int = 20, *, modulus_pa: float = 1e5, size: int = 48, object_id: str = "ball"
) -> tuple[Grasp, GraspFeatures]:
    """A grasp whose contact is a bright disk growing with force (contact at frame 4)."""
    t = np.linspace(0.0, 1.0, n_frames)
    load = np.clip((t - 0.2) / 0.8, 0.0, 1.0)
    force = 10.0 * load**1.5
    closure = 2.0 * load * (1e5 / modulus_pa) ** (1 / 3)
    width = 60.0 - closure
    yy, xx = np.mgrid[:size, :size]
    r2 = (yy - size / 2) ** 2 + (xx - size / 2) ** 2
    frames = np.full((n_frames, size, size, 3), 40, np.uint8)
    for i, q in enumerate(load):
        frames[i][r2 <= (q * size / 3) ** 2] = 200
    contact = int(np.argmax(load > 0))
    area = np.pi * (load * 8.0) ** 2
    meta = GraspMetadata(object_id=object_id, label_modulus_pa=modulus_pa, source="test")
    grasp = Grasp("g0", frames, t, force, width, meta, reference_frame=frames[0].copy())
    feats = GraspFeatures(
        grasp_id="g0",
        t_s=t,
        force_n=force,
        width_mm=width,
        contact_area_mm2=area,
        contact_index=max(contact - 1, 0),
        peak_index=n_frames - 1,
        reference_index=0,
    )
    return grasp, feats


def synthetic_dataset(
    config: MultiTowerConfig, *, n_objects: int = 24, grasps: int = 2, seed: int = 0
) -> PreparedDataset:
    """Inputs whose label (log10 E) is a learnable function of force/closure/analytical inputs."""
    rng = np.random.default_rng(seed)
    k, s = config.k_frames, config.image_size
    log_e = np.repeat(rng.uniform(4, 11, n_objects), grasps)
    n = log_e.size
    q = np.linspace(1 / k, 1, k)
    force = np.log1p(10 * q[None, :] * rng.uniform(0.8, 1.2, (n, 1)))
    closure = 3.0 * q[None, :] * 10 ** (-(log_e[:, None] - 4) / 4) + rng.normal(0, 0.01, (n, k))
    closure = np.maximum(closure, 0)
    images = rng.random((n, k, s, s)) * (1 - (log_e[:, None, None, None] - 4) / 8)
    ana = np.stack([log_e + rng.normal(0, 0.5, n), np.full(n, 0.4), log_e > 9, np.ones(n)], 1)
    size = np.repeat(rng.uniform(10, 60, n_objects), grasps)
    force_ch = [force * (0.5**i) for i in range(len(FORCE_CHANNELS))]
    width_ch = [closure, np.log1p(closure / 0.1)]
    width_ch += [np.log(np.maximum(closure, 0.01) / size[:, None])] * (len(WIDTH_CHANNELS) - 2)
    geometry = np.zeros((n, len(GEOMETRY_CHANNELS)))
    geometry[:, 0] = np.log(size)
    geometry[np.arange(n), 1 + rng.integers(0, 5, n)] = 1.0
    r_idx = GEOMETRY_CHANNELS.index("log10_radius")
    geometry[:, r_idx : r_idx + 2] = np.stack([np.log10(size / 2), np.ones(n)], 1)
    return PreparedDataset(
        arrays={
            "images": images.astype(np.float32),
            "force": np.stack(force_ch, 1).astype(np.float32),
            "width": np.stack(width_ch, 1).astype(np.float32),
            "analytical": ana.astype(np.float32),
            "geometry": geometry.astype(np.float32),
        },
        log10_modulus=log_e,
        object_ids=np.repeat([f"obj{i:03d}" for i in range(n_objects)], grasps),
        grasp_ids=np.array([f"g{i}" for i in range(n)]),
        analytical_log10=ana[:, 0],
        analytical_stiff=ana[:, 2] > 0,
    )


@pytest.fixture
def tiny_config() -> MultiTowerConfig:
    return model_config("mt-tiny")


def tiny_untrained_setup() -> tuple[MultiTowerConfig, Normalization]:
    """The ``mt-tiny`` design (analytical tower off) and a normalisation fitted on three disk
    grasps of 10 kPa, 1 MPa and 100 MPa: enough to save an untrained network as a model."""
    cfg = model_config("mt-tiny", analytical={"enabled": False})
    grasps = [disk_grasp(20, modulus_pa=e) for e in (1e4, 1e6, 1e8)]
    items = [
        prepare_grasp(g, cfg, calibration="sim-wedge-v1", analytical=None, features=f)[0]
        for g, f in grasps
    ]
    return cfg, Normalization.fit(stack_inputs(items), np.array([4.0, 6.0, 8.0]))


def tiny_untrained_model(n_objects: int = 4) -> tuple[LoadedModel, dict[str, np.ndarray]]:
    """An untrained ``mt-tiny`` network (seed 0) as a loaded model with
    :func:`tiny_untrained_setup`'s normalisation, and the inputs of ``n_objects`` synthetic
    grasps to feed it."""
    cfg, norm = tiny_untrained_setup()
    torch.manual_seed(0)
    model = create_model(cfg).eval()
    arrays = synthetic_dataset(cfg, n_objects=n_objects).arrays
    return LoadedModel(model=model, config=cfg, normalization=norm), arrays


def rig_calibration() -> SensorCalibration:
    """sim-wedge-v1 (3.0 mm, 200 kPa) with a rigid-press curve (what ``tactile calibrate rig``
    adds)."""
    from dataclasses import replace

    return replace(
        get_calibration("sim-wedge-v1"),
        calibration_id="sim-wedge-v1+rig-test",
        rigid_press_closure_mm=(0.8, 1.3, 1.9, 2.4, 2.9),
        rigid_press_size_mm=42.67,
        width_step_mm=0.1,
    )
