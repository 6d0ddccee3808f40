"""Rig calibrations: what a rigid-sphere press measures about a rig, as a network input.
(Torch-free; the simulator writes one for each simulated rig, :mod:`tactile.sim.rigs`.)

A :class:`~tactile.sim.rigs.RigCalibration` says how far a rig closes on a rigid reference
sphere at each force, as the network's loading-phase logic measures it. Real rigs get one from
a few grasps of a golf ball (``measure_rig_file``, or ``python -m
tactile.estimators.neural.rig GRASPS.h5 --object golf_ball --out FILE.json``); the shipped ones
are ``calibration/rigs/<name>.json``. Simulated grasps carry their own in their metadata.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tactile._paths import artifact_dir
from tactile.errors import ConfigError, TactileError
from tactile.processing.loading import find_loading_phase

#: The rigid reference sphere of a rig calibration: a regulation golf ball (42.67 mm).
REFERENCE_SPHERE_RADIUS_MM = 21.335
#: Forces at which a rig calibration tabulates the rigid-press closure.
CALIBRATION_FORCES_N: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0, 25.0)


@dataclass(frozen=True)
class RigCalibration:
    """What a rigid-sphere press measures about a rig, as a network input.

    ``rigid_closure_mm[j]``: closure since first contact (width at contact minus width) on a
    rigid sphere of ``REFERENCE_SPHERE_RADIUS_MM`` at ``CALIBRATION_FORCES_N[j]``: gel
    indentation on both fingers plus everything else that deflects (fingers, mount, gripper).
    ``width_step_mm``: the width reading's typical step; ``gel_thickness_mm``: the gel's
    nominal thickness (a datasheet value)."""

    rigid_closure_mm: tuple[float, ...]
    width_step_mm: float
    gel_thickness_mm: float
    source: str = ""
    rigid_closure_sd_mm: float = 0.0  # spread of the presses' closures (median over forces)

    def __post_init__(self) -> None:
        if len(self.rigid_closure_mm) != len(CALIBRATION_FORCES_N):
            raise ConfigError(
                f"RigCalibration needs {len(CALIBRATION_FORCES_N)} closures (at "
                f"{CALIBRATION_FORCES_N} N), got {len(self.rigid_closure_mm)}",
                hint="tabulate the rigid-sphere closure at each calibration force",
            )
        values = (*self.rigid_closure_mm, self.width_step_mm, self.gel_thickness_mm)
        if not all(isinstance(v, int | float) and math.isfinite(v) and v >= 0 for v in values):
            raise ConfigError(
                f"RigCalibration values must be finite and >= 0: {values}",
                hint="closures and steps are in mm",
            )

    def closure_at(self, force_n: np.ndarray) -> np.ndarray:
        """Rigid-press closure (mm) at these forces (linear in between, ∝ F^(2/3) below the
        first tabulated force, the last slope above the last)."""
        f = np.asarray(force_n, dtype=np.float64)
        fs = np.asarray(CALIBRATION_FORCES_N)
        cs = np.asarray(self.rigid_closure_mm, dtype=np.float64)
        out = np.interp(f, fs, cs)
        low = f < fs[0]
        out[low] = cs[0] * (np.maximum(f[low], 0.0) / fs[0]) ** (2.0 / 3.0)
        high = f > fs[-1]
        slope = (cs[-1] - cs[-2]) / (fs[-1] - fs[-2])
        out[high] = cs[-1] + slope * (f[high] - fs[-1])
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rigid_closure_mm"] = [round(float(v), 4) for v in self.rigid_closure_mm]
        data["forces_n"] = list(CALIBRATION_FORCES_N)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RigCalibration:
        try:
            return cls(
                rigid_closure_mm=tuple(float(v) for v in data["rigid_closure_mm"]),
                width_step_mm=float(data["width_step_mm"]),
                gel_thickness_mm=float(data["gel_thickness_mm"]),
                source=str(data.get("source", "")),
                rigid_closure_sd_mm=float(data.get("rigid_closure_sd_mm", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"a rig calibration record is malformed: {exc}",
                hint="it needs rigid_closure_mm, width_step_mm and gel_thickness_mm",
            ) from exc


def measure_rig_calibration(
    presses: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    gel_thickness_mm: float,
    source: str,
) -> RigCalibration:
    """A rig calibration from grasps of a rigid sphere of ``REFERENCE_SPHERE_RADIUS_MM``, each
    ``(t_s, force_n, width_mm)``: the closure since the loading phase's first contact (the same
    loading-phase logic and stair-step interpolation as the network's inputs, so the latency
    and offsets of the width reading are measured as the network will see them) at each
    calibration force, median over the presses (their spread: ``rigid_closure_sd_mm``); the
    width step is the median nonzero change of the raw reading."""
    from tactile.estimators.neural.inputs import destair  # (inputs imports this module)

    rows, steps = [], []
    for t_s, force_n, width_mm in presses:
        try:
            phase = find_loading_phase(np.asarray(force_n), np.asarray(width_mm))
        except TactileError:
            continue
        c, p = phase.contact_index, phase.peak_index
        w = destair(np.asarray(width_mm, dtype=np.float64), np.asarray(t_s, dtype=np.float64))
        closure = w[c] - w[c : p + 1]
        f = np.maximum.accumulate(np.asarray(phase.force_n[c : p + 1], dtype=np.float64))
        f = f + np.arange(f.size) * 1e-9  # strictly increasing for interpolation
        rows.append(np.interp(CALIBRATION_FORCES_N, f, closure))
        dw = np.abs(np.diff(np.asarray(width_mm, dtype=np.float64)))
        steps.extend(dw[dw > 1e-6].tolist())
    if not rows:
        raise ConfigError(
            f"no usable rigid-sphere press for a rig calibration ({source})",
            hint="give grasps of a rigid reference sphere that load the gel (e.g. a golf ball)",
        )
    table = np.stack(rows)
    closures = np.maximum.accumulate(np.maximum(np.median(table, axis=0), 0.0))
    spread = float(np.median(np.std(table, axis=0, ddof=1))) if len(rows) > 1 else 0.0
    return RigCalibration(
        rigid_closure_mm=tuple(float(v) for v in closures),
        width_step_mm=float(np.median(steps)) if steps else 0.0,
        gel_thickness_mm=gel_thickness_mm,
        source=source,
        rigid_closure_sd_mm=spread,
    )


def rigs_dir() -> Path:
    """Where named rig calibrations live: ``calibration/rigs``."""
    return artifact_dir("calibration", "TACTILE_CALIBRATION_DIR") / "rigs"


def load_rig_calibration(name_or_path: str | Path) -> RigCalibration:
    """A rig calibration by file path or by name (``calibration/rigs/<name>.json``)."""
    path = Path(name_or_path)
    if not path.is_file():
        path = rigs_dir() / f"{name_or_path}.json"
    if not path.is_file():
        known = sorted(p.stem for p in rigs_dir().glob("*.json"))
        raise ConfigError(
            f"no rig calibration {str(name_or_path)!r}",
            hint=f"use one of {known} or measure one from golf-ball grasps "
            "(python -m tactile.estimators.neural.rig --help)",
        )
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"rig calibration {path} is unreadable: {exc}", hint="re-measure it"
        ) from exc
    return RigCalibration.from_dict(data)


def save_rig_calibration(rig: RigCalibration, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rig.to_dict(), indent=2) + "\n")
    return path


def measure_rig_file(
    path: str | Path, object_id: str, *, gel_thickness_mm: float = 3.0
) -> RigCalibration:
    """A rig calibration from the grasps of ``object_id`` (a rigid sphere of the reference
    radius, e.g. a golf ball) in a grasp file: force and width only, no labels."""
    from tactile.io import GraspReader

    reader = GraspReader(path)
    presses = []
    for gid in reader.ids():
        sig = reader.read_signals(gid)
        if sig.meta.object_id == object_id:
            presses.append((sig.t_s, sig.force_n, sig.width_mm))
    if not presses:
        raise ConfigError(
            f"no grasps of {object_id!r} in {path}", hint="name the rigid sphere's object id"
        )
    return measure_rig_calibration(
        presses,
        gel_thickness_mm=gel_thickness_mm,
        source=f"{len(presses)} presses of {object_id} in {Path(path).name}",
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Measure a rig calibration from rigid-sphere grasps")
    p.add_argument("grasps", type=Path, help="grasp file (HDF5) holding the rigid-sphere grasps")
    p.add_argument("--object", default="golf_ball", help="object id of the rigid sphere")
    p.add_argument("--gel-thickness-mm", type=float, default=3.0)
    p.add_argument("--out", type=Path, required=True, help="output JSON")
    args = p.parse_args(argv)
    rig = measure_rig_file(args.grasps, args.object, gel_thickness_mm=args.gel_thickness_mm)
    print(f"wrote {save_rig_calibration(rig, args.out)}: {rig.to_dict()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
