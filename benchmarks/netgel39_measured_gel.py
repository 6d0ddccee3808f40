"""The network on a measured gel: ``neural`` and ``hybrid`` (and ``blind`` beside) with
calcon35's calibrations (helper netgel39, issue 12; an EXPLORATORY measurement, nothing in
``tactile/``, no pre-registration).

    python benchmarks/netgel39_measured_gel.py run DATA.h5 OUT.jsonl [--limit N] [--seed 35]
        [--modes S M T Mu ...]
    python benchmarks/netgel39_measured_gel.py report OUT.jsonl [OUT2.jsonl ...] [--detail]

Per grasp (blind protocol: :func:`~tactile.evaluation.protocol.blind_metadata`), the modes of
``benchmarks/calcon35_measured_gel.py`` (its functions, imported):

* ``S``: the grasp's stored calibration (what every benchmark figure uses);
* ``T``: the rig's true gel law and its true rig compliance (calcon35's ``T``: not marked
  measured, as there);
* ``M``: a measured gel (calcon35's draw: the coupon's modulus error, 1 σ 0.061 dex, and the
  calipers' thickness error, 1 σ 0.1 mm, per rig from seed 35) with the rig compliance fitted on
  it by Fix A (calcon35's ``measured_calibration``), **marked** ``gel_source: "measured"`` as
  ``tactile calibrate gel-measured`` marks it, so the network's calibration envelope
  (docs/network.md) judges it; blind does not read the mark (only ``calibrate rig`` does), so its
  ``M`` is calcon35's;
* ``Mu`` (neural and hybrid only): ``M`` without the mark, to check that the mark changes
  nothing inside the envelope and to see what the network would have said where the envelope
  refuses;
* added after the first results: ``Mx0.5`` / ``Mx2`` a coupon gone badly wrong (the modulus
  told x0.5 / x2 of the true gel, calcon35's ``Mfac0.5`` / ``Mfac2`` without its floor; the
  thickness as ``M``'s draw; marked), ``Mx0.5u`` / ``Mx2u`` the same unmarked (neural and
  hybrid only): where the envelope turns the network away, is the physics better?

``run``: one JSON line per grasp: the grasp's truth (:func:`~tactile.evaluation.simulated.
grasp_row` on the recorded metadata) and per mode and estimator the estimate's fields
(:func:`~tactile.evaluation.simulated.stiffer_fields`), its resolvable limit, source and OOD
reason, or the refusal's message; the calibration's gel per mode; the fitted rig compliance.

``report``: per file, mode and estimator the simulated-truth counts
(:func:`~tactile.evaluation.simulated.simulated_truth_counts`: below-limit hits, false bounds,
rigid points, soft flagged stiffer, 68 % coverage) and per family
(:func:`~tactile.evaluation.simulated.summarize`); every mode scored with the limits of the
hybrid in ``S`` (the same objects below the limit in every mode, as calcon35 scored against
main's list), and again with each mode's own hybrid limits; the refusals and the hybrid's
physics fallbacks; blind scored with calcon35's own ``score`` (its sim_below figures should
reproduce); ``--detail``: the objects whose verdict changes against ``S``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calcon35_measured_gel as c35
import eval_sim_families as esf
import gelref34_joint_cal as g34
from bench_rig_split import _base_config

from tactile.errors import TactileError
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator, resolve_model
from tactile.estimators.registry import get_estimator
from tactile.evaluation.protocol import blind_metadata
from tactile.evaluation.simulated import (
    grasp_row,
    per_object,
    simulated_truth_counts,
    stiffer_fields,
    summarize,
)
from tactile.io import GraspReader
from tactile.sensor import SensorCalibration, resolve_calibration
from tactile.sim.rigs import apply_rig

MODES = ("S", "M", "T")
ESTIMATORS = ("neural", "hybrid", "blind")
#: measured-gel modes -> the coupon's log10 error ("draw": calcon35's seeded draw)
MEASURED: dict[str, str | float] = {
    "M": "draw",
    "Mx0.5": math.log10(0.5),
    "Mx2": math.log10(2.0),
}
#: every mode in report order; a mode ending in "u" is its measured mode without the mark
#: (neural and hybrid only: blind does not read the mark)
ALL_MODES = ("S", "M", "T", "Mu", "Mx0.5", "Mx0.5u", "Mx2", "Mx2u")
DEFAULT_MODES = ("S", "M", "T", "Mu")
#: the limits every mode is scored with by default: the hybrid's in S
LIMITS_FROM = ("S", "hybrid")


def _fields(e: Any) -> dict[str, Any]:
    d = e.details
    lim = d.get("resolvable_limit_pa")
    return {
        **stiffer_fields(e),
        "limit_pa": lim if isinstance(lim, float) else None,
        "source": d.get("source"),
        "ood_reason": d.get("ood_reason"),
        "net_mu": d.get("network_log10_mean"),
    }


def calibrations(
    meta: Any, seed: int, cfg0: Any, modes: list[str]
) -> tuple[dict[str, SensorCalibration], dict[str, Any]]:
    """The calibrations of ``modes`` for one grasp (measured ones marked, their unmarked twins
    ending in "u"), and what the M fit found."""
    stored = resolve_calibration(meta)
    draw = g34.draw_from_meta(meta)
    cfg = apply_rig(cfg0, draw)
    rigid_p, _ = g34.presses_for(cfg, draw, {})
    z_e, d_h = c35.measured_draw(stored.calibration_id, seed)
    e_true = float(meta.extra["true_gel_modulus_pa"])
    h_true = float(meta.extra["true_gel_thickness_mm"])
    c_true = float(meta.extra["rig_rig_compliance_mm_per_n"])
    cals = {
        "S": stored,
        "T": replace(esf.with_true_gel(meta), rig_compliance_mm_per_n=c_true),
    }
    fits: dict[str, float] = {}
    for name, factor in MEASURED.items():
        if not {name, f"{name}u"} & set(modes) and name != "M":
            continue
        lf = z_e if factor == "draw" else float(factor)
        cal, fits[name] = c35.measured_calibration(
            stored, rigid_p, e_true * 10.0**lf, max(h_true + d_h, 0.1)
        )
        cals[name] = replace(cal, gel_source="measured")
        cals[f"{name}u"] = cal
    m_cal, c_fit = cals["Mu"], fits["M"]
    info = {
        "rebuilt": cfg.rig_calibration.calibration_id == stored.calibration_id,
        "c_true": c_true,
        "c_stored": stored.rig_compliance_mm_per_n,
        "c_fit": c_fit,
        "coupon_log10_err": z_e,
        "caliper_err_mm": d_h,
        "m_gel_pa": m_cal.gel_modulus_pa,
        "m_thickness_mm": m_cal.gel_thickness_mm,
        "c_fits": fits,
    }
    return cals, info


def run(data: Path, out: Path, limit: int | None, seed: int, modes: list[str]) -> None:
    reader = GraspReader(data)
    loaded = resolve_model("default")
    ests: dict[str, Any] = {
        "neural": NeuralEstimator(loaded, num_threads=1),
        "hybrid": HybridEstimator(loaded, num_threads=1),
        "blind": get_estimator("blind"),
    }
    cfg0 = _base_config()
    t0 = time.time()
    with out.open("w") as fh:
        for i, gid in enumerate(reader.ids()[:limit]):
            g = reader.read(gid)
            meta = g.meta
            cals, info = calibrations(meta, seed, cfg0, modes)
            bmeta = blind_metadata(meta)
            gb = replace(g, meta=bmeta)
            row: dict[str, Any] = {
                **grasp_row(gid, meta, None),
                **info,
                "cal_gel_pa": {m: c.gel_modulus_pa for m, c in cals.items() if m in modes},
                "est": {},
                "seconds": {},
            }
            for mode in modes:
                for name, est in ests.items():
                    if mode.endswith("u") and name == "blind":
                        continue
                    t1 = time.time()
                    try:
                        if name == "blind":
                            e = est.estimate(gb, calibration=cals[mode])
                        else:
                            e = est.estimate_stored(reader, gid, calibration=cals[mode], meta=bmeta)
                        res = _fields(e)
                    except TactileError as exc:
                        res = {"error": exc.message[:300]}
                    row["est"][f"{mode}/{name}"] = res
                    row["seconds"][f"{mode}/{name}"] = round(time.time() - t1, 2)
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            print(f"{i + 1} {gid} {time.time() - t0:.0f}s", flush=True)


# ---------------------------------------------------------------------------------- report


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open() if line.strip()]


def merged(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """The runs by file name (stem); runs of the same file (other folders) merged per grasp, a
    later run's modes replacing an earlier one's (e.g. another seed's M, or added modes)."""
    docs: dict[str, list[dict[str, Any]]] = {}
    for p in paths:
        rows = _load(p)
        if p.stem not in docs:
            docs[p.stem] = rows
            continue
        have = {r["grasp"]: r for r in docs[p.stem]}
        for r in rows:
            old = have.get(r["grasp"])
            if old is None:
                continue  # scored only where the first run has the grasp
            for k, v in r.items():
                if isinstance(v, dict) and isinstance(old.get(k), dict):
                    old[k].update(v)
                else:
                    old[k] = v
    return docs


def _rows(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Grasp rows (simulated.py's unit) of one mode/estimator; a refusal has no ``log10``."""
    truth = ("grasp", "object", "label", "family", "material", "shape", "gel_log10")
    out = []
    for r in rows:
        base = {k: r[k] for k in truth}
        res = r["est"].get(key)
        if res is None or "error" in res:
            out.append(base)
        else:
            out.append({**base, **{k: v for k, v in res.items() if k != "limit_pa"}})
    return out


def _limits(rows: list[dict[str, Any]], key: str) -> dict[str, float]:
    out = {}
    for r in rows:
        res = r["est"].get(key) or {}
        if isinstance(res.get("limit_pa"), float):
            out[r["grasp"]] = res["limit_pa"]
    return out


def _cal_gel(rows: list[dict[str, Any]], mode: str) -> dict[str, float]:
    return {r["grasp"]: float(r["cal_gel_pa"].get(mode, math.nan)) for r in rows}


def _counts(rows: list[dict[str, Any]], key: str, limits: dict[str, float]) -> dict[str, Any]:
    mode = key.split("/")[0]
    grs = _rows(rows, key)
    c = simulated_truth_counts(grs, limits, _cal_gel(rows, mode))
    c["summary"] = summarize(per_object(grs, limits))
    share = c["below_within_decade"]
    c["hits"] = round(share * c["below_limit_objects"]) if math.isfinite(share) else 0
    return c


def _fallbacks(rows: list[dict[str, Any]], key: str) -> Counter[str]:
    """Refusals and the sources of the answers (the hybrid's physics fallbacks among them)."""
    c: Counter[str] = Counter()
    for r in rows:
        res = r["est"].get(key)
        if res is None:
            continue
        if "error" in res:
            envelope = "measured gel unlike the training rigs" in res["error"]
            c["refused (envelope)" if envelope else "refused (other)"] += 1
        else:
            src = str(res.get("source") or "-")
            c[src] += 1
            if "measured gel unlike" in str(res.get("ood_reason") or ""):
                c["envelope reason"] += 1
    return c


def _keys(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        for k in r["est"]:
            seen.setdefault(k, None)
    order = {m: i for i, m in enumerate(ALL_MODES)}
    est = {e: i for i, e in enumerate(ESTIMATORS)}
    return sorted(seen, key=lambda k: (est[k.split("/")[1]], order[k.split("/")[0]]))


def _pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.0%}"


def report(paths: list[Path], detail: bool) -> None:
    for stem, rows in merged(paths).items():
        keys = _keys(rows)
        n = len(rows)
        print(f"\n## {stem}: {n} grasps, rigs rebuilt exactly {sum(r['rebuilt'] for r in rows)}")
        secs = {
            k: float(np.median([r["seconds"][k] for r in rows if k in r["seconds"]])) for k in keys
        }
        print("median seconds per grasp: " + ", ".join(f"{k} {v:.1f}" for k, v in secs.items()))
        err = [r["c_fit"] - r["c_true"] for r in rows]
        sto = [r["c_stored"] - r["c_true"] for r in rows]
        print(
            f"rig compliance |fit - true| mm/N median | q90 | max: M {g34._stats(err)}; "
            f"stored {g34._stats(sto)}"
        )
        print(
            f"measured gels drawn: {min(r['m_gel_pa'] for r in rows) / 1e3:.0f}-"
            f"{max(r['m_gel_pa'] for r in rows) / 1e3:.0f} kPa, "
            f"{min(r['m_thickness_mm'] for r in rows):.2f}-"
            f"{max(r['m_thickness_mm'] for r in rows):.2f} mm (M)"
        )
        for lim_name in ("S hybrid limits", "own limits"):
            s_lim = _limits(rows, "/".join(LIMITS_FROM))
            print(f"\n### {stem}, scored with {lim_name}")
            print(
                "| mode/estimator | below: hits / objects | false bounds / bounds | rigid points "
                "/ rigid objects | soft flagged stiffer (true gel / cal gel) | 68 % coverage | "
                "correct vs rig gel | refused |"
            )
            print("|---|---|---|---|---|---|---|---|")
            for k in keys:
                mode = k.split("/")[0]
                own = _limits(rows, f"{mode}/hybrid") if mode != "S" else s_lim
                c = _counts(rows, k, s_lim if lim_name.startswith("S") else own)
                print(
                    f"| {k} | {c['hits']} / {c['below_limit_objects']} | {c['false_bounds']} / "
                    f"{c['n_bounds']} | {c['rigid_points']} / {c['rigid_objects']} | "
                    f"{c['soft_true_gel_flagged_stiffer']} / {c['soft_cal_gel_flagged_stiffer']} | "
                    f"{_pct(c['summary']['all']['coverage_68'])} | {c['correct_vs_rig_gel']} | "
                    f"{c['refused']} |"
                )
        s_lim = _limits(rows, "/".join(LIMITS_FROM))
        print(f"\n### {stem} per family (S hybrid limits)")
        print(
            "| mode/estimator | family | below: within a decade (n) / MAE | bounds hold | "
            "68 % coverage |"
        )
        print("|---|---|---|---|---|")
        for k in keys:
            summ = _counts(rows, k, s_lim)["summary"]
            for fam in ("foam", "linear"):
                m = summ[fam]
                print(
                    f"| {k} | {fam} | {_pct(m['below_within_decade'])} "
                    f"({m['below_limit_objects']}) / {m['below_log10_mae']:.2f} | "
                    f"{_pct(m['bounds_hold'])} of {m['n_bounds']} | {_pct(m['coverage_68'])} |"
                )
        print(f"\n### {stem}: refusals and answer sources")
        for k in keys:
            print(f"- {k}: " + "; ".join(f"{s} {v}" for s, v in _fallbacks(rows, k).items()))
        _calcon35(stem, rows, s_lim)
        if detail:
            _detail(rows, keys, s_lim)


def _calcon35(name: str, rows: list[dict[str, Any]], s_lim: dict[str, float]) -> None:
    """Blind scored by calcon35's own ``score`` (below: the S hybrid limits; every object on
    sim_below, as calcon35's ``-``)."""
    c_rows = []
    for r in rows:
        modes = {}
        for m in MODES:
            res = r["est"].get(f"{m}/blind") or {"error": "-"}
            modes[m] = res if "error" in res else {"log10": res["log10"], "flagged": res["flagged"]}
        lim = s_lim.get(r["grasp"], math.inf)
        below = True if name == "sim_below" else r["label"] < math.log10(lim)
        c_rows.append({**r, "modes": modes, "below": below})
    print(f"\n### {name}: blind by calcon35's score (below / rigid points / false bounds)")
    for m in MODES:
        s = c35.score(c_rows, m)
        print(
            f"- {m}: {s.get('hit', 0)} / {s.get('below', 0)}; {s.get('rigid_points', 0)} / "
            f"{s.get('rigid_objects', 0)}; {s.get('false_bounds', 0)} / {s.get('bounds', 0)}"
        )


def _kind(res: dict[str, Any] | None, label: float) -> str:
    if res is None or "error" in res:
        return "refused"
    if res["flagged"]:
        return "bound" + ("(false)" if res["log10"] > label else "")
    d = res["log10"] - label
    return "ok" if abs(d) <= 1.0 else ("stiff" if d > 0 else "soft")


def _detail(rows: list[dict[str, Any]], keys: list[str], s_lim: dict[str, float]) -> None:
    """Per estimator and mode: the grasps whose verdict differs from S (label, S, the mode,
    rig gel, below the S hybrid limit), and the shift of the point estimates against S."""
    for k in keys:
        mode, name = k.split("/")
        if mode == "S":
            continue
        changed, shifts, nets, bounds = [], [], [], []
        for r in rows:
            a, b = r["est"].get(f"S/{name}"), r["est"].get(k)
            ka, kb = _kind(a, r["label"]), _kind(b, r["label"])
            if a and b and "error" not in a and "error" not in b:
                shifts.append(b["log10"] - a["log10"])
                if a.get("net_mu") is not None and b.get("net_mu") is not None:
                    nets.append(abs(b["net_mu"] - a["net_mu"]))
                if a["flagged"] and b["flagged"]:
                    bounds.append(b["log10"] - a["log10"])
            if ka != kb:
                below = r["label"] < math.log10(s_lim.get(r["grasp"], math.inf))
                bl = "" if b is None or "error" in b else f"{b['log10']:.2f} "
                al = "" if a is None or "error" in a else f"{a['log10']:.2f}"
                changed.append(
                    f"{r['object']} ({r['label']:.2f}, gel {r['gel_log10']:.2f}"
                    f"{', below' if below else ''}): {ka} {al}"
                    f" -> {kb} {bl}".rstrip()
                )
        sh = np.asarray(shifts) if shifts else np.zeros(1)
        print(
            f"\n- {k} vs S/{name}: {len(changed)} verdicts change; log10 shift median "
            f"{np.median(sh):+.2f}, |.| median {np.median(np.abs(sh)):.2f}, max |.| "
            f"{np.max(np.abs(sh)):.2f}"
        )
        if nets:
            print(
                f"  the network's own mean: |shift| median {np.median(nets):.3f}, max "
                f"{np.max(nets):.3f}"
            )
        if bounds:
            print(
                f"  bounds in both ({len(bounds)}): value shift median {np.median(bounds):+.2f} "
                f"(q10 {np.quantile(bounds, 0.1):+.2f}, q90 {np.quantile(bounds, 0.9):+.2f})"
            )
        for line in changed:
            print(f"  - {line}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("run")
    a.add_argument("data", type=Path)
    a.add_argument("out", type=Path)
    a.add_argument("--limit", type=int, default=None, help="the first N grasps only")
    a.add_argument("--seed", type=int, default=c35.SEED, help="the measured gel's draw")
    a.add_argument(
        "--modes", nargs="+", default=list(DEFAULT_MODES), choices=ALL_MODES, help="modes to run"
    )
    b = sub.add_parser("report")
    b.add_argument("paths", nargs="+", type=Path)
    b.add_argument("--detail", action="store_true", help="verdicts that change against S")
    args = p.parse_args(argv)
    if args.cmd == "run":
        run(args.data, args.out, args.limit, args.seed, args.modes)
    else:
        report(args.paths, args.detail)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
