"""Blind: how late is the touch read? (issue 11)

    python benchmarks/bench_touch_reading.py SIM.h5 [SIM2.h5 ...] [--limit N]
        [--oracle] [--per-grasp] [--json OUT.json]

Question: blind's contact width (the gripper width reading at which the object first touches
both gels; the median of the estimates ``hinge_1.5``, ``hinge_1`` and ``force_onset`` of
:func:`tactile.processing.grasp_geometry.contact_width`, read after the width-lag and
motion-force corrections of :mod:`tactile.processing.grasp_signals`) -- how far from the truth
is it on simulated grasps, which estimate is off, and why?

The truth, from the simulator's own definition (:func:`tactile.sim.grasp.simulate_grasp_truth`):
the gel-to-gel gap at first contact is the object's size along the squeeze
(``extra["object_size_z_mm"]``: the per-finger approach is ``max((size − gap)/2, 0)``), and the
encoder reads the gap plus the rig's ``width_offset_mm`` minus the fingers' deflection ``2F/k``
(zero at first touch), so the reading at first touch is
``object_size_z_mm + rig_width_offset_mm`` (:func:`true_contact_width_mm`). The lag and motion
corrections put the reading on that scale; latency, update period and quantisation of the
encoder only make it harder to read.

Per grasp (``BlindEstimator`` on ``blind_metadata`` with the calibration the grasp carries, as
``benchmarks/eval_sim_families.py`` runs ``blind``): the measured contact width (the median of
the three estimates; the geometry ``blind`` reports may be a wider "what-if" touch when its note
says "contact width ambiguous" or the bound was taken from a wider reading), each estimate's
error (reading − truth: negative = read late, i.e. at a narrower width than the real touch), the
calibration's ``contact_width_bias_mm`` (fitted on rigid golf presses; blind's size is
``contact width − bias``) against the rig's true offset (``bias − offset`` is how late the golf
ball's touch was read), the resulting size error, the rig (latency, update period, width
resolution, closing speed, motion force) and the object (material, shape, E); the estimate
(log10, flagged) and whether it is within a decade of the label (a flagged estimate counts as
wrong: every object of the soft files is below the resolvable limit).

``--oracle`` (exploratory) re-estimates each grasp with blind's geometry patched (inside this
script only) or its calibration replaced: ``truth-cw`` (contact width = the truth, all three
estimates agreeing on it, size = truth − the calibration's bias, as blind would compute it),
``truth-cw+size`` (also the size = the true size), ``true-gel`` (the simulated rig's true gel,
as ``blind+gel`` of ``eval_sim_families.py``), ``true-gel+rig`` (also the true rig compliance),
each of those with the true touch, and two corrections blind could make itself (``hinge_1.5``,
``widest``: that estimate instead of the median; size = it − the stored bias; the first also
with the true gel) -- to size what a perfect touch reading would gain, alone and beside a
perfect calibration.

Prints the per-grasp table (``--per-grasp``), then the error summaries by material, E band,
shape and estimate, the rank correlations with the rig's properties, and per re-estimate the
share within a decade, the flagged count, the false bounds (a flag whose bound exceeds the
label) and the objects not within. The share is the issue's metric on a file of soft objects
(every one below the resolvable limit); on a file with rigid objects a flag there is right, so
read the false bounds instead. ``--limit N``: the first N grasps of each file (CPU-bounded;
~0.3-1 s per grasp and mode on one core). Findings: BENCHMARKS.md "Blind: how late is the
touch read?".
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_sim_families

import tactile.estimators.blind as blind_module
from tactile.errors import TactileError
from tactile.estimators.registry import get_estimator
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.sensor import SensorCalibration, resolve_calibration
from tactile.types import GraspMetadata

ESTIMATES = ("hinge_1.5", "hinge_1", "force_onset")
#: Re-estimates under ``--oracle`` (exploratory): the contact width (and size) from the truth,
#: the simulated rig's true gel (``blind+gel`` of eval_sim_families.py), also with its true rig
#: compliance (``+rig``), each alone and with the true touch, and two corrections blind could
#: make itself: the ``hinge_1.5`` estimate alone, or the widest of the three, instead of their
#: median (size = that width − the calibration's bias).
ORACLES = (
    "truth-cw", "truth-cw+size", "true-gel", "truth-cw+true-gel", "true-gel+rig",
    "truth-cw+true-gel+rig", "hinge_1.5", "widest", "hinge_1.5+true-gel",
)  # fmt: skip
E_BANDS: tuple[tuple[str, float, float], ...] = (
    ("<10 kPa", -math.inf, 4.0),
    ("10-50 kPa", 4.0, 4.7),
    ("50-320 kPa", 4.7, 5.5),
    ("0.32-10 MPa", 5.5, 7.0),
    (">10 MPa", 7.0, math.inf),
)
RIG_KEYS = (
    ("latency_s", "rig_width_latency_s"),
    ("update_period_s", "rig_width_update_period_s"),
    ("resolution_mm", "rig_width_resolution_mm"),
    ("close_speed_mm_s", "rig_close_speed_mm_s"),
    ("motion_force_n_per_mm", "rig_motion_force_n_per_mm"),
    ("rig_compliance_mm_per_n", "rig_rig_compliance_mm_per_n"),
    ("gel_modulus_pa", "rig_gel_modulus_pa"),
)


def true_contact_width_mm(meta: GraspMetadata) -> float:
    """The width reading at the object's first touch of both gels: its size along the squeeze
    plus the rig's width offset (the simulator's definition, see the module docstring)."""
    return float(meta.extra["object_size_z_mm"]) + float(meta.extra.get("rig_width_offset_mm", 0.0))


@contextlib.contextmanager
def oracle_geometry(
    truth_cw_mm: float | None, true_size_mm: float | None = None, pick: str | None = None
) -> Iterator[None]:
    """Within the block, blind reads the contact width as ``truth_cw_mm`` (all estimates agree)
    or, with ``pick`` (``"hinge_1.5"`` or ``"widest"``), as that one of its own estimates; the
    size as ``true_size_mm`` if given, else that width − the calibration's bias."""
    original = blind_module.geometry_of

    def patched(features: Any, calibration: Any) -> Any:
        geo = original(features, calibration)
        estimates = dict(geo.contact_width_estimates_mm)
        sd = geo.contact_width_sd_mm
        if truth_cw_mm is not None:
            cw = truth_cw_mm
            estimates = dict.fromkeys(estimates, cw)
            sd = blind_module.MIN_CONTACT_WIDTH_SD_MM
        elif pick == "widest":
            cw = max(estimates.values())
        else:
            cw = estimates.get(str(pick), geo.contact_width_mm)
        size = true_size_mm if true_size_mm is not None else cw - calibration.contact_width_bias_mm
        return dataclasses.replace(
            geo,
            contact_width_mm=cw,
            contact_width_sd_mm=sd,
            contact_width_estimates_mm=estimates,
            size_mm=size,
            radius_mm=max(size, 1.0) / 2.0,
            closure_mm=cw - geo.hold_width_mm,
        )

    blind_module.geometry_of = patched  # type: ignore[assignment]
    try:
        yield
    finally:
        blind_module.geometry_of = original  # type: ignore[assignment]


def with_true_gel(meta: GraspMetadata, rig: bool = False) -> SensorCalibration:
    """The grasp's calibration with the simulated rig's true gel (``blind+gel`` of
    ``benchmarks/eval_sim_families.py``, the same function) and, with ``rig``, its true rig
    compliance too."""
    cal = eval_sim_families.with_true_gel(meta)
    if rig:
        c = float(meta.extra.get("rig_rig_compliance_mm_per_n", cal.rig_compliance_mm_per_n))
        cal = replace(cal, rig_compliance_mm_per_n=c)
    return cal


def _score(est: Any, label: float) -> dict[str, Any]:
    flagged = bool(est.lower_bound_only)
    return {
        "log10": float(est.log10_modulus),
        "flagged": flagged,
        "ambiguous": "contact width ambiguous" in str(est.details.get("note", "")),
        "within": (not flagged) and abs(float(est.log10_modulus) - label) <= 1.0,
        "bound_holds": flagged and float(est.log10_modulus) <= label,
    }


def analyse_grasp(grasp: Any, *, oracle: bool = False) -> dict[str, Any]:
    """One grasp (with its full metadata): blind's touch reading against the truth."""
    meta = grasp.meta
    ex = meta.extra
    cal = resolve_calibration(meta)
    label = math.log10(meta.label_modulus_pa or 1.0)
    truth = true_contact_width_mm(meta)
    offset = float(ex.get("rig_width_offset_mm", 0.0))
    row: dict[str, Any] = {
        "grasp": grasp.grasp_id,
        "object": meta.object_id,
        "material": str(ex.get("object_material", "")),
        "shape": str(meta.shape),
        "label": label,
        "size_mm": float(ex["object_size_z_mm"]),
        "truth_cw_mm": truth,
        "bias_mm": cal.contact_width_bias_mm,
        "golf_late_mm": cal.contact_width_bias_mm - offset,
        **{name: float(ex.get(key, math.nan)) for name, key in RIG_KEYS},
    }
    est = get_estimator("blind")
    g = replace(grasp, meta=blind_metadata(meta))
    try:
        e = est.estimate(g, calibration=cal)
    except TactileError as exc:
        row["error"] = exc.message
        return row
    geo = e.details["geometry"]
    estimates = {k: float(v) for k, v in geo["contact_width_estimates_mm"].items()}
    measured = float(np.median(list(estimates.values())))
    row.update(
        _score(e, label),
        measured_cw_mm=measured,
        used_cw_mm=float(geo["contact_width_mm"]),
        cw_err_mm=measured - truth,
        used_err_mm=float(geo["contact_width_mm"]) - truth,
        size_err_mm=measured - cal.contact_width_bias_mm - float(ex["object_size_z_mm"]),
        lag_read_s=e.details.get("width_lag_s"),
        motion_read_n_per_mm=e.details.get("motion_force_n_per_mm"),
        note=str(e.details.get("note", "")),
        **{f"err_{k}": v - truth for k, v in estimates.items()},
    )
    if oracle:
        for name in ORACLES:
            size = float(ex["object_size_z_mm"]) if name == "truth-cw+size" else None
            cw = truth if name.startswith("truth-cw") else None
            pick = name.split("+")[0] if name.split("+")[0] in ("hinge_1.5", "widest") else None
            use = with_true_gel(meta, name.endswith("+rig")) if "true-gel" in name else cal
            block = (
                oracle_geometry(cw, size, pick)
                if cw is not None or pick is not None
                else contextlib.nullcontext()
            )
            with block:
                try:
                    o = est.estimate(g, calibration=use)
                except TactileError as exc:
                    row[name] = {"error": exc.message}
                    continue
            row[name] = _score(o, label)
    return row


def rows_of(paths: Sequence[Path], limit: int | None, oracle: bool) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        reader = GraspReader(path)
        for gid in reader.ids()[:limit]:
            row = analyse_grasp(reader.read(gid), oracle=oracle)
            row["file"] = path.name
            out.append(row)
    return out


def _band(label: float) -> str:
    return next(name for name, lo, hi in E_BANDS if lo <= label < hi)


def _stats(values: Sequence[float]) -> str:
    v = np.asarray([x for x in values if x is not None and math.isfinite(x)], dtype=np.float64)
    if v.size == 0:
        return "–"
    lo, med, hi = np.percentile(v, [10, 50, 90])
    return f"{med:+.2f} ({lo:+.2f}…{hi:+.2f})"


def _spearman(x: Sequence[float], y: Sequence[float]) -> float:
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 4:
        return math.nan
    ra = np.argsort(np.argsort(a[ok])).astype(np.float64)
    rb = np.argsort(np.argsort(b[ok])).astype(np.float64)
    return float(np.corrcoef(ra, rb)[0, 1])


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if "error" not in r]
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {"material": {}, "band": {}, "shape": {}}
    for r in ok:
        groups["material"].setdefault(r["material"], []).append(r)
        groups["band"].setdefault(_band(r["label"]), []).append(r)
        groups["shape"].setdefault(r["shape"], []).append(r)
    table: dict[str, Any] = {}
    for kind, by in groups.items():
        table[kind] = {
            k: {
                "n": len(rs),
                "cw_err_mm": _stats([r["cw_err_mm"] for r in rs]),
                **{f"err_{e}": _stats([r[f"err_{e}"] for r in rs]) for e in ESTIMATES},
                "size_err_mm": _stats([r["size_err_mm"] for r in rs]),
                "within": sum(r["within"] for r in rs),
            }
            for k, rs in sorted(by.items())
        }
    err = [r["cw_err_mm"] for r in ok]
    corr = {name: _spearman([r[name] for r in ok], err) for name, _ in RIG_KEYS}
    corr["label"] = _spearman([r["label"] for r in ok], err)
    corr["size_mm"] = _spearman([r["size_mm"] for r in ok], err)
    modes: dict[str, list[dict[str, Any]]] = {"main": ok}
    for name in ORACLES:
        if ok and name in ok[0]:
            modes[name] = [r[name] for r in ok]
    share = {
        k: sum(bool(m.get("within")) for m in ms) / max(len(rows), 1) for k, ms in modes.items()
    }
    outcome = {
        k: {
            "within": sum(bool(m.get("within")) for m in ms),
            "flagged": sum(bool(m.get("flagged")) for m in ms),
            "false_bounds": sum(bool(m.get("flagged")) and not m.get("bound_holds") for m in ms),
            "missed": [r["object"] for r, m in zip(ok, ms, strict=True) if not m.get("within")],
        }
        for k, ms in modes.items()
    }
    return {
        "n": len(rows),
        "failed": len(rows) - len(ok),
        "cw_err_mm": _stats(err),
        "golf_late_mm": _stats([r["golf_late_mm"] for r in ok]),
        "size_err_mm": _stats([r["size_err_mm"] for r in ok]),
        "used_err_mm": _stats([r["used_err_mm"] for r in ok]),
        "tables": table,
        "spearman_with_cw_err": corr,
        "within_a_decade": share,
        "outcome": outcome,
    }


def _print_rows(rows: list[dict[str, Any]]) -> None:
    print(
        "grasp | mat | shape | log10E | est | flag | truth cw | read−truth | h1.5 | h1 | onset | "
        "used−truth | golf late | size err | " + " / ".join(ORACLES)
    )
    for r in rows:
        if "error" in r:
            print(f"{r['grasp']} | error: {r['error'][:80]}")
            continue
        orc = " ".join(("✓" if r[n].get("within") else "✗") if n in r else "-" for n in ORACLES)
        print(
            f"{r['grasp']} | {r['material']} | {r['shape']} | {r['label']:.2f} | "
            f"{r['log10']:.2f} | {'B' if r['flagged'] else ('A' if r['ambiguous'] else '')} | "
            f"{r['truth_cw_mm']:.2f} | {r['cw_err_mm']:+.2f} | {r['err_hinge_1.5']:+.2f} | "
            f"{r['err_hinge_1']:+.2f} | {r['err_force_onset']:+.2f} | {r['used_err_mm']:+.2f} | "
            f"{r['golf_late_mm']:+.2f} | {r['size_err_mm']:+.2f} | {orc}"
        )


def _print_summary(title: str, s: dict[str, Any]) -> None:
    print(f"\n== {title}: {s['n']} grasps ({s['failed']} failed) ==")
    print(f"contact width read − truth, mm, median (10…90 %): {s['cw_err_mm']}")
    print(f"  as used (wider what-if touch where taken): {s['used_err_mm']}")
    print(
        f"golf ball read late (bias − offset): {s['golf_late_mm']}; size error {s['size_err_mm']}"
    )
    for kind, by in s["tables"].items():
        print(
            f"\nby {kind} | n | read−truth | hinge_1.5 | hinge_1 | force_onset | size err | within"
        )
        for k, v in by.items():
            print(
                f"{k} | {v['n']} | {v['cw_err_mm']} | {v['err_hinge_1.5']} | {v['err_hinge_1']} | "
                f"{v['err_force_onset']} | {v['size_err_mm']} | {v['within']}/{v['n']}"
            )
    print("\nSpearman ρ with read−truth: " + ", ".join(
        f"{k} {v:+.2f}" for k, v in s["spearman_with_cw_err"].items()
    ))  # fmt: skip
    print("\nre-estimate | within a decade | flagged | false bounds | not within")
    for k, v in s["outcome"].items():
        print(
            f"{k} | {100 * s['within_a_decade'][k]:.1f} % | {v['flagged']} | {v['false_bounds']} | "
            + (" ".join(v["missed"]) if len(v["missed"]) <= 12 else f"{len(v['missed'])} objects")
        )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="+", type=Path, help="simulated grasp files (HDF5)")
    p.add_argument("--limit", type=int, help="only the first N grasps of each file")
    p.add_argument("--oracle", action="store_true", help="also re-estimate with the true touch")
    p.add_argument("--per-grasp", action="store_true", help="print every grasp")
    p.add_argument("--json", type=Path, help="write rows and summaries here")
    args = p.parse_args(argv)
    out: dict[str, Any] = {}
    for path in args.files:
        rows = rows_of([path], args.limit, args.oracle)
        if args.per_grasp:
            print(f"\n# {path}")
            _print_rows(rows)
        s = summarise(rows)
        _print_summary(path.name, s)
        out[path.name] = {"rows": rows, "summary": s}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
