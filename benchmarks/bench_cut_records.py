"""Records without their release: would the rig's calibrated width lag help? (issue 11)

    python benchmarks/bench_cut_records.py SIM.h5 [SIM2.h5 ...] [--limit N] [--json OUT.json]

A record that ends before the gripper opens (a lighter grasp cut at 70 % of its peak, as
``bench_signal_drift.py``'s ``lighter``; or cut at the peak) cannot show the width reading's lag
(no unloading branch), so ``blind`` reads its width unshifted. ``tactile calibrate rig`` stores
the rig's lag from its rigid presses (``SensorCalibration.width_lag_s``). The question: should
``blind`` read a cut record with that lag? Then the width of a frame is the reading ``lag``
seconds later, and the frames of the record's last ``lag`` seconds have no reading yet, so they
are dropped. Each grasp of simulated randomised-rig files (``tactile simulate --rig random``) is
estimated blind, in memory, three ways: the whole record (the reference), the cut record as
``blind`` reads it (unshifted), and the cut record read with the rig's lag (the width realigned
and the last ``lag`` seconds dropped here, before the estimator, which then finds no lag of its
own and reads the record as given). The lag is the one the rig's presses give (the rig rebuilt
from the grasp's stored ``RigDraw`` as ``bench_rig_split.stored_cases`` does, its fit checked
against the stored one). Per file and cut: point estimates within a decade of the label and their
median error, lower bounds and how many hold, the shift against the whole record's estimate, and
false claims (a lower bound above the label; a 95 % interval that misses the label where the
whole record's holds it). Findings and the decision: BENCHMARKS.md, "Records without their
release".
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tactile.decisions.grasping import prefix
from tactile.errors import TactileError
from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.sensor import SensorCalibration
from tactile.types import Grasp, ModulusEstimate

sys.path.insert(0, str(Path(__file__).parent))
from bench_rig_split import _base_config, _fitted

CUTS = ("lighter", "peak")
LIGHTER_SHARE = 0.7


def cut(g: Grasp, how: str) -> Grasp:
    """``g`` cut at the first frame reaching 70 % of the peak (``lighter``) or at the peak."""
    force = np.asarray(g.force_n)
    peak = float(force.max())
    end = int(np.argmax(force >= LIGHTER_SHARE * peak)) if how == "lighter" else int(force.argmax())
    keep = slice(0, end + 1)
    return dataclasses.replace(
        g,
        streams={},
        camera_jpegs=None,
        frames=g.frames[keep],
        t_s=g.t_s[keep],
        force_n=g.force_n[keep],
        width_mm=g.width_mm[keep],
    )


def read_with_lag(g: Grasp, lag_s: float) -> Grasp | None:
    """``g`` with each frame's width the reading ``lag_s`` later, without the frames of the
    last ``lag_s`` seconds (no reading yet); None when no frame after the first would be left."""
    from tactile.processing.grasp_signals import aligned_width_mm

    t = np.asarray(g.t_s, dtype=np.float64)
    n = int(np.searchsorted(t, t[-1] - lag_s, side="right")) if lag_s > 0.0 else t.size
    if n < 2:
        return None
    width = aligned_width_mm(t, np.asarray(g.width_mm, dtype=np.float64), lag_s)
    return dataclasses.replace(prefix(g, n), width_mm=width[:n])


def rig_lag_s(grasp_extra: dict[str, Any], stored: SensorCalibration) -> float | None:
    """The lag the rig's own presses give (the rig rebuilt from its stored draw)."""
    from tactile.sim.rigs import RigDraw, apply_rig

    fields = set(RigDraw.__dataclass_fields__)
    args = {k[4:]: v for k, v in grasp_extra.items() if k.startswith("rig_") and k[4:] in fields}
    args["pose_offset_px"] = tuple(args["pose_offset_px"])
    cfg = apply_rig(_base_config(), RigDraw(**args))
    rebuilt = cfg.rig_calibration
    if _fitted(rebuilt) != _fitted(stored):
        raise SystemExit(f"the rebuilt rig fit {_fitted(rebuilt)} is not the stored one")
    return rebuilt.width_lag_s


def _row(est: ModulusEstimate | None) -> dict[str, Any] | None:
    if est is None:
        return None
    lo, hi = est.interval_95_pa
    return {
        "log10": math.log10(est.modulus_pa),
        "bound": bool(est.lower_bound_only),
        "lo95": math.log10(lo),
        "hi95": math.log10(hi) if math.isfinite(hi) else None,
    }


def _estimate(est: BlindEstimator, g: Grasp, cal: SensorCalibration) -> dict[str, Any] | None:
    try:
        return _row(est.estimate(g, calibration=cal))
    except TactileError:
        return None


def _false(r: dict[str, Any] | None, label: float, whole: dict[str, Any] | None) -> bool:
    if r is None:
        return False
    if r["bound"]:
        return r["log10"] > label
    holds_whole = whole is not None and not whole["bound"] and whole["lo95"] <= label
    if whole is not None and not whole["bound"]:
        holds_whole = holds_whole and (whole["hi95"] is None or label <= whole["hi95"])
    misses = label < r["lo95"] or (r["hi95"] is not None and label > r["hi95"])
    return bool(holds_whole and misses)


def run(paths: Sequence[Path], limit: int | None) -> list[dict[str, Any]]:
    est = BlindEstimator()
    rows = []
    lags: dict[str, float | None] = {}
    for path in paths:
        with GraspReader(path) as reader:
            for gid in list(reader.ids())[:limit]:
                g = reader.read(gid)
                stored = SensorCalibration.from_dict(g.meta.calibration or {})
                if stored.calibration_id not in lags:
                    lags[stored.calibration_id] = rig_lag_s(dict(g.meta.extra), stored)
                lag = lags[stored.calibration_id]
                label = math.log10(g.meta.label_modulus_pa or 1.0)
                g = dataclasses.replace(g, meta=blind_metadata(g.meta))
                whole = _estimate(est, g, stored)
                row: dict[str, Any] = {
                    "file": Path(path).stem,
                    "grasp": gid,
                    "label": label,
                    "rig_latency_s": float(g.meta.extra.get("rig_width_latency_s", math.nan)),
                    "calibrated_lag_s": lag,
                    "whole": whole,
                }
                for how in CUTS:
                    c = cut(g, how)
                    row[f"{how}:stored"] = _estimate(est, c, stored)
                    lagged = None if lag is None else read_with_lag(c, lag)
                    row[f"{how}:lag"] = None if lagged is None else _estimate(est, lagged, stored)
                rows.append(row)
    return rows


ROW_NAMES = {"whole": "as stored", "stored": "unshifted", "lag": "read with the presses' lag"}


def _table_row(file: str, mine: list[dict[str, Any]], how: str, which: str) -> str:
    key = "whole" if which == "whole" else f"{how}:{which}"
    got = [r for r in mine if r[key] is not None]
    shifts = [abs(r[key]["log10"] - r["whole"]["log10"]) for r in got if r["whole"] is not None]
    errs = [abs(r[key]["log10"] - r["label"]) for r in got if not r[key]["bound"]]
    bounds = [r for r in got if r[key]["bound"]]
    holds = sum(r[key]["log10"] <= r["label"] for r in bounds)
    false = sum(_false(r[key], r["label"], r["whole"]) for r in mine)
    med = float(np.median(shifts)) if shifts else math.nan
    big = max(shifts) if shifts else math.nan
    err = float(np.median(errs)) if errs else math.nan
    return (
        f"| {file} ({len(mine)}) | {how} | {ROW_NAMES[which]} | {len(got)} | "
        f"{sum(e <= 1.0 for e in errs)}/{len(errs)} | {err:.3f} | {len(bounds)} ({holds}) | "
        f"{med:.3f} / {big:.3f} | {sum(s > 0.1 for s in shifts)} | {false} |"
    )


def summarize(rows: list[dict[str, Any]]) -> list[str]:
    out = [
        "| file | cut | read | estimated | point estimates within a decade of the label "
        "| median abs error of the points (dex) | lower bounds (hold) | median / max abs shift "
        "vs whole (dex) | > 0.1 dex | false claims |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for file in sorted({r["file"] for r in rows}):
        mine = [r for r in rows if r["file"] == file]
        out.append(_table_row(file, mine, "whole", "whole"))
        out.extend(_table_row(file, mine, how, w) for how in CUTS for w in ("stored", "lag"))
    lat = [
        (r["rig_latency_s"], r["calibrated_lag_s"])
        for r in rows
        if r["calibrated_lag_s"] is not None
    ]
    if lat:
        err = np.abs(np.array([a - b for a, b in lat]))
        out.append(
            f"\nRigs' presses: calibrated lag vs the simulated latency, median |error| "
            f"{np.median(err):.3f} s, max {err.max():.3f} s over {len(lat)} grasps."
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--limit", type=int, default=None, help="grasps per file")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    rows = run(args.files, args.limit)
    print("\n".join(summarize(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
