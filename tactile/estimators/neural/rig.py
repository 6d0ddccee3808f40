"""Rig calibrations for the network: JSON files of a rigid-sphere press (torch-free).

A :class:`~tactile.sim.rigs.RigCalibration` says how far a rig closes on a rigid reference
sphere at each force, as the network's loading-phase logic measures it. Real rigs get one from
a few grasps of a golf ball (``measure_rig_file``, or ``python -m
tactile.estimators.neural.rig GRASPS.h5 --object golf_ball --out FILE.json``); the shipped ones
are ``calibration/rigs/<name>.json``. Simulated grasps carry their own in their metadata.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tactile._paths import artifact_dir
from tactile.errors import ConfigError
from tactile.sim.rigs import RigCalibration, measure_rig_calibration


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
