"""A MEASURED gel with the rig fitted on it: what would a consistent calibration buy blind?
(helper calcon35, issue 11; an EXPLORATORY study, nothing in ``tactile/``; prereg:
results/calcon35_prereg.md)

    python benchmarks/calcon35_measured_gel.py run DATA.h5 MAIN.json OUT.jsonl [--limit N]
    python benchmarks/calcon35_measured_gel.py report OUT.jsonl [OUT2.jsonl ...] [--detail]
    python benchmarks/calcon35_measured_gel.py seeds BASE_DIR SEED_DIR [SEED_DIR ...]

(``report``: runs of the same file, i.e. the same file name in several folders, are merged per
grasp, a later run's modes replacing an earlier one's: e.g. another seed's ``M``.)

(MAIN.json ``-``: every object of the file is below the limit, e.g. ``sim_below.h5``.)

A user measures the gel: its thickness with calipers (±0.1 mm), its modulus on a coupon
(±15 %, lognormal 1 σ: 0.061 dex), and takes its Poisson ratio and bottoming from the
reference's gel law (half-space Hertz, Poisson 0.48, bottoming at 0.9 of the thickness). The
rig compliance is then fitted on the three rigid ``calibrate_rig`` presses with lag31's Fix A
GIVEN that gel (gelref34's ``rig_only``). One draw per rig from a fixed seed
(``default_rng([seed, crc32(calibration id)])``: modulus, then thickness).

``run``: per grasp, the rig rebuilt from the metadata (gelref34's ``draw_from_meta``; the
rebuilt calibration id is checked), its rigid presses re-simulated, and blind (on
``blind_metadata``) run in the modes of :data:`MODES`:

* ``S``: the grasp's stored calibration (main's blind); ``T``: the rig's true gel law and its
  true rig compliance (model34's ``T``);
* ``M``: the measured gel + Fix A's rig compliance on it (the calibration states
  ``gel_modulus_log10_sd`` = 0.061; the rest is the stored calibration, as in ``T``);
* sensitivity: ``Mhi2s`` / ``Mlo2s`` the modulus error fixed at ±2 σ (×10^±0.122),
  ``Mfac2`` / ``Mfac0.5`` the modulus told ×2 / ×0.5 (a coupon gone badly wrong); thickness as
  ``M``'s draw; ``Mthhi2s`` / ``Mthlo2s`` the thickness ±0.2 mm, ``Mv3th`` not measured
  (v3's 3.0 mm) — these three added after the first results;
* ``+floor03``: the read touch's spread floored at 0.3 mm instead of blind's 1 mm
  (``MIN_CONTACT_WIDTH_SD_MM``; model34's ``floor03`` patch).

One JSON line per grasp (a partial run keeps what it did). ``report``: per mode and file the
below-limit share within a decade, bounds / too stiff / too soft, rigid points
(``score_rigid_points``' count: a point on an object ≥ 2 dex above its rig's true gel), false
bounds (a bound above the label), points above the limit, and the fitted rig compliance's
error; then the pre-registered criteria. ``seeds``: the candidate ``M+floor03`` on other draws
of the measured gel (``run --seed N``), each merged with the seed-35 folder's ``S``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import zlib
from collections import Counter
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_sim_families as esf
import gelref34_joint_cal as g34
import model34_diagnosis as m34
from bench_rig_split import _base_config

from tactile.errors import TactileError
from tactile.estimators.registry import get_estimator
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.sensor import SensorCalibration, resolve_calibration
from tactile.sim.contact import GelModel
from tactile.sim.rigs import apply_rig

SEED = 35
COUPON_LOG10_SD = 0.061  # ±15 % (1 σ, lognormal)
CALIPER_SD_MM = 0.1
GEL_POISSON = 0.48  # the reference's (v3's) gel Poisson ratio
GEL_MAX_STRAIN = g34.FIT_MAX_STRAIN  # 0.9: the reference's bottoming, not measured


#: mode -> (calibration kind, modulus factor in log10 or "draw", floor03)
MODES: dict[str, tuple[str, str | float, bool]] = {
    "S": ("stored", 0.0, False),
    "S+floor03": ("stored", 0.0, True),
    "T": ("true", 0.0, False),
    "T+floor03": ("true", 0.0, True),
    "M": ("measured", "draw", False),
    "M+floor03": ("measured", "draw", True),
    "Mhi2s+floor03": ("measured", 2 * COUPON_LOG10_SD, True),
    "Mlo2s+floor03": ("measured", -2 * COUPON_LOG10_SD, True),
    "Mfac2+floor03": ("measured", math.log10(2.0), True),
    "Mfac0.5+floor03": ("measured", math.log10(0.5), True),
    # added after the first results (not pre-registered): the thickness's share
    "Mthhi2s+floor03": ("measured", "draw", True),
    "Mthlo2s+floor03": ("measured", "draw", True),
    "Mv3th+floor03": ("measured", "draw", True),
}
#: mode -> the gel thickness the user states, if not the calipers' draw: an offset on the
#: truth (mm, ±2 σ of the calipers) or "v3" (not measured: v3's 3.0 mm)
THICKNESS: dict[str, float | str] = {
    "Mthhi2s+floor03": 2 * CALIPER_SD_MM,
    "Mthlo2s+floor03": -2 * CALIPER_SD_MM,
    "Mv3th+floor03": "v3",
}
#: the pre-registered comparison
CANDIDATE, BASELINE = "M+floor03", "S"
ROBUST = ("Mhi2s+floor03", "Mlo2s+floor03")


def measured_draw(calibration_id: str, seed: int = SEED) -> tuple[float, float]:
    """The coupon's log10 error and the calipers' thickness error (mm) for this rig."""
    rng = np.random.default_rng([seed, zlib.crc32(calibration_id.encode())])
    return float(rng.normal(0.0, COUPON_LOG10_SD)), float(rng.normal(0.0, CALIPER_SD_MM))


def measured_calibration(
    stored: SensorCalibration,
    rigid_p: list[Any],
    modulus_pa: float,
    thickness_mm: float,
) -> tuple[SensorCalibration, float]:
    """The stored calibration with the measured gel (the reference's law) and Fix A's rig
    compliance fitted on the rigid presses given that gel."""
    gel = GelModel(modulus_pa, GEL_POISSON, thickness_mm, False, GEL_MAX_STRAIN)
    c = g34.rig_only(rigid_p, gel)
    cal = replace(
        stored,
        calibration_id=f"{stored.calibration_id}+measured-gel",
        gel_model="half-space",
        gel_modulus_pa=modulus_pa,
        gel_poisson=GEL_POISSON,
        gel_thickness_mm=thickness_mm,
        gel_max_strain=GEL_MAX_STRAIN,
        gel_modulus_log10_sd=COUPON_LOG10_SD,
        rig_compliance_mm_per_n=c,
    )
    return cal, c


def run(
    data: Path,
    main_json: Path,
    out: Path,
    limit: int | None,
    modes: list[str] | None,
    seed: int,
) -> None:
    reader = GraspReader(data)
    below_of: dict[str, bool] | None = None
    if str(main_json) != "-":
        main = json.loads(main_json.read_text())
        below_of = {o["object"]: bool(o["below_limit"]) for o in main["blind"]["objects_detail"]}
    names = [m for m in MODES if not modes or m in modes]
    cfg0 = _base_config()
    est = get_estimator("blind")
    t0 = time.time()
    with out.open("w") as fh:
        for i, gid in enumerate(reader.ids()[:limit]):
            g = reader.read(gid)
            meta = g.meta
            stored = resolve_calibration(meta)
            draw = g34.draw_from_meta(meta)
            cfg = apply_rig(cfg0, draw)
            rigid_p, _ = g34.presses_for(cfg, draw, {})
            z_e, d_h = measured_draw(stored.calibration_id, seed)
            e_true = float(meta.extra["true_gel_modulus_pa"])
            h_true = float(meta.extra["true_gel_thickness_mm"])
            c_true = float(meta.extra["rig_rig_compliance_mm_per_n"])
            true_cal = replace(esf.with_true_gel(meta), rig_compliance_mm_per_n=c_true)
            row: dict[str, Any] = {
                "grasp": gid,
                "object": meta.object_id,
                "label": math.log10(meta.label_modulus_pa or 1.0),
                "gel_log10": math.log10(e_true),
                "below": True if below_of is None else below_of[meta.object_id],
                "rebuilt": cfg.rig_calibration.calibration_id == stored.calibration_id,
                "c_true": c_true,
                "c_stored": stored.rig_compliance_mm_per_n,
                "coupon_log10_err": z_e,
                "caliper_err_mm": d_h,
                "fits": {},
                "modes": {},
            }
            gb = replace(g, meta=blind_metadata(meta))
            cals: dict[str, SensorCalibration] = {}
            for name in names:
                kind, factor, _ = MODES[name]
                if kind == "stored":
                    cals[name] = stored
                elif kind == "true":
                    cals[name] = true_cal
                else:
                    lf = z_e if factor == "draw" else float(factor)
                    th = THICKNESS.get(name, d_h)
                    h = g34.V3_THICKNESS_MM if th == "v3" else max(h_true + float(th), 0.1)
                    key = f"{lf:.6f}" + ("" if name not in THICKNESS else f"|{th}")
                    if key not in row["fits"]:
                        cal, c = measured_calibration(stored, rigid_p, e_true * 10.0**lf, h)
                        row["fits"][key] = {"log10_factor": lf, "c": c, "cal": cal}
                    cals[name] = row["fits"][key]["cal"]
            for name in names:
                # blind untouched without the floor (model34's patch only for floor03)
                ctx = m34.patched(frozenset({"floor03"}), {}) if MODES[name][2] else nullcontext()
                try:
                    with ctx:
                        e = est.estimate(gb, calibration=cals[name])
                except TactileError as exc:
                    row["modes"][name] = {"error": exc.message[:200]}
                    continue
                row["modes"][name] = {
                    "log10": float(e.log10_modulus),
                    "flagged": bool(e.lower_bound_only),
                }
            row["fits"] = {
                k: {"log10_factor": v["log10_factor"], "c": v["c"]} for k, v in row["fits"].items()
            }
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            print(f"{i + 1} {gid} {time.time() - t0:.0f}s", flush=True)


def score(rows: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """One mode's counts on one file (module docstring)."""
    c: Counter[str] = Counter()
    for r in rows:
        m = r["modes"].get(mode)
        if m is None or "error" in m:
            c["error"] += 1
            continue
        lab, est, flagged = r["label"], m["log10"], m["flagged"]
        rigid = lab >= r["gel_log10"] + 2.0
        c["rigid_objects"] += rigid
        c["false_bounds"] += flagged and est > lab
        c["bounds"] += flagged
        if r["below"]:
            c["below"] += 1
            hit = not flagged and abs(est - lab) <= 1.0
            c["hit"] += hit
            if not hit:
                c["b_bound" if flagged else ("b_stiff" if est > lab else "b_soft")] += 1
        else:
            c["above"] += 1
            c["points_above"] += not flagged
            c["points_above_10mpa"] += (not flagged) and lab > 7.0
        if not flagged:
            c["rigid_points"] += rigid
    return dict(c)


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open() if line.strip()]


def merged(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """The runs by file name (its stem); runs of the same file merged per grasp, a later
    run's modes (and measured-gel draw) replacing an earlier one's."""
    docs: dict[str, list[dict[str, Any]]] = {}
    for p in paths:  # runs of the same file (same name): merged per grasp, later modes win
        rows = _load(p)
        if p.stem not in docs:
            docs[p.stem] = rows
            continue
        have = {r["grasp"]: r for r in docs[p.stem]}
        for r in rows:
            old = have.get(r["grasp"])
            if old is None:
                docs[p.stem].append(r)
                continue
            old["modes"].update(r["modes"])
            if r["coupon_log10_err"] != old["coupon_log10_err"]:  # another draw: its M fit
                old["fits"].pop(f"{old['coupon_log10_err']:.6f}", None)
            old["fits"].update(r["fits"])
            old["coupon_log10_err"], old["caliper_err_mm"] = (
                r["coupon_log10_err"],
                r["caliper_err_mm"],
            )
    return docs


def report(paths: list[Path], detail: bool = False) -> None:
    docs = merged(paths)
    modes = [m for m in MODES if any(m in r["modes"] for rows in docs.values() for r in rows)]
    for name, rows in docs.items():
        print(
            f"\n{name}: {len(rows)} grasps, rigs rebuilt exactly {sum(r['rebuilt'] for r in rows)}"
        )
    print(
        "\n| mode | file | below: hits / objects (share) | bounds / too stiff / too soft | "
        "rigid points / rigid objects | false bounds / bounds | points above (> 10 MPa) |"
    )
    print("|---|---|---|---|---|---|---|")
    scores = {(m, n): score(rows, m) for m in modes for n, rows in docs.items()}
    for m in modes:
        for n in docs:
            s = scores[(m, n)]
            share = s.get("hit", 0) / s["below"] if s.get("below") else math.nan
            above = (
                f"{s.get('points_above', 0)} of {s['above']} ({s.get('points_above_10mpa', 0)})"
                if s.get("above")
                else "–"
            )
            err = f" ({s['error']} errors)" if s.get("error") else ""
            print(
                f"| {m} | {n} | {s.get('hit', 0)} / {s.get('below', 0)} ({share:.1%}){err} | "
                f"{s.get('b_bound', 0)} / {s.get('b_stiff', 0)} / {s.get('b_soft', 0)} | "
                f"{s.get('rigid_points', 0)} / {s.get('rigid_objects', 0)} | "
                f"{s.get('false_bounds', 0)} / {s.get('bounds', 0)} | {above} |"
            )
    print("\nrig compliance fitted on the measured gel, |fit − true| mm/N (median / q90 / max):")
    for n, rows in docs.items():
        by: dict[str, list[float]] = {}
        for r in rows:
            for key, f in r["fits"].items():
                if "|" in key:  # a thickness variant (the modulus as M's draw)
                    th = key.split("|")[1]
                    lab = "thickness v3's 3.0 mm" if th == "v3" else f"thickness true {th} mm"
                elif abs(f["log10_factor"] - r["coupon_log10_err"]) < 1e-9:
                    lab = "M (coupon draw)"
                else:
                    lab = f"modulus x10^{f['log10_factor']:+.3f}"
                by.setdefault(lab, []).append(f["c"] - r["c_true"])
        stored = [r["c_stored"] - r["c_true"] for r in rows]
        print(f"- {n}: stored (today) {g34._stats(stored)}")
        for tag, v in by.items():
            print(f"- {n}: {tag} {g34._stats(v)}; signed median {np.median(v):+.3f}")
    if all((m, n) in scores for m in (CANDIDATE, BASELINE) for n in docs):
        criteria(docs, scores)
    if detail:
        details(docs, modes)


def _kind(r: dict[str, Any], mode: str) -> str:
    m = r["modes"].get(mode, {"error": "-"})
    if "error" in m:
        return "error"
    if m["flagged"]:
        return "bound"
    return (
        "ok"
        if abs(m["log10"] - r["label"]) <= 1.0
        else ("stiff" if m["log10"] > r["label"] else "soft")
    )


def details(docs: dict[str, list[dict[str, Any]]], modes: list[str]) -> None:
    """Per file: the below-limit objects a mode gains or loses against ``S``, its rigid points
    and its false bounds (object, label, estimate, rig's true gel, all log10 Pa)."""
    for n, rows in docs.items():
        print(f"\n### {n}")
        for m in modes:
            if m == BASELINE:
                continue
            below = [r for r in rows if r["below"] and m in r["modes"]]
            gained = [r for r in below if _kind(r, m) == "ok" and _kind(r, BASELINE) != "ok"]
            lost = [r for r in below if _kind(r, m) != "ok" and _kind(r, BASELINE) == "ok"]

            def fmt(r: dict[str, Any], mode: str = m) -> str:
                x = r["modes"][mode]
                return (
                    f"{r['object']} ({r['label']:.2f}: {x.get('log10', math.nan):.2f} "
                    f"{_kind(r, mode)}, gel {r['gel_log10']:.2f})"
                )

            rigid = [
                r
                for r in rows
                if m in r["modes"]
                and _kind(r, m) not in ("bound", "error")
                and r["label"] >= r["gel_log10"] + 2.0
            ]
            false = [
                r for r in rows if _kind(r, m) == "bound" and r["modes"][m]["log10"] > r["label"]
            ]
            print(f"- {m}: gained vs S {len(gained)}: " + "; ".join(map(fmt, gained)))
            print(f"  lost vs S {len(lost)}: " + "; ".join(map(fmt, lost)))
            print(f"  rigid points {len(rigid)}: " + "; ".join(map(fmt, rigid)))
            print(f"  false bounds {len(false)}: " + "; ".join(map(fmt, false)))


def criteria(docs: dict[str, list[dict[str, Any]]], scores: dict[Any, dict[str, Any]]) -> None:
    """The pre-registered verdict (results/calcon35_prereg.md)."""
    print(f"\npre-registered criteria on {CANDIDATE} against {BASELINE}:")

    def g(m: str, n: str, k: str) -> int:
        return int(scores[(m, n)].get(k, 0))

    with_rigid = [n for n in docs if g(BASELINE, n, "rigid_objects")]
    a = all(g(CANDIDATE, n, "hit") >= g(BASELINE, n, "hit") for n in docs)
    b = all(
        2 * g(CANDIDATE, n, "rigid_points") <= g(BASELINE, n, "rigid_points") for n in with_rigid
    )
    c = all(g(CANDIDATE, n, "false_bounds") == 0 for n in docs)
    for n in docs:
        print(
            f"- {n}: below {g(CANDIDATE, n, 'hit')} vs {g(BASELINE, n, 'hit')}; rigid points "
            f"{g(CANDIDATE, n, 'rigid_points')} vs {g(BASELINE, n, 'rigid_points')}; false "
            f"bounds {g(CANDIDATE, n, 'false_bounds')}"
        )
    print(f"(a) below >= main on every file: {a}; (b) rigid points <= half: {b}; (c) 0 false: {c}")
    print(f"=> worth building: {a and b and c}")
    if all((m, n) in scores for m in ROBUST for n in docs):
        rob = all(
            2 * g(m, n, "rigid_points") <= g(BASELINE, n, "rigid_points")
            for m in ROBUST
            for n in with_rigid
        ) and all(
            g(m, n, "false_bounds") == 0 and g(m, n, "hit") >= g(CANDIDATE, n, "hit") - 2
            for m in ROBUST
            for n in docs
        )
        print(f"robust (+-2 sigma keep (b), (c), <= 2 hits lost per file): {rob}")
    if all(("M", n) in scores for n in docs):
        alone = all(
            g("M", n, "false_bounds") == 0 and g("M", n, "hit") >= g(BASELINE, n, "hit") - 2
            for n in docs
        ) and all(
            2 * g("M", n, "rigid_points") <= g(BASELINE, n, "rigid_points") for n in with_rigid
        )
        print(f"the calibration alone (M, 1 mm floor): {alone}")


def seeds(base: Path, dirs: list[Path]) -> None:
    """The candidate on other draws of the measured gel: per seed folder (each with the three
    files' runs, merged over the files in ``base`` for ``S``), the counts and the verdict."""
    files = ("f2811", "f2812", "sim_below")
    print(
        f"| draw | {' | '.join(f'{f} below / rigid pts / false' for f in files)} | "
        "all below (206) | (a) | (b) | (c) | worth building |"
    )
    print("|---|" + "---|" * (len(files) + 5))
    for d in [base, *dirs]:
        paths = [base / f"{f}.jsonl" for f in files]
        if d != base:
            paths += [d / f"{f}.jsonl" for f in files]
        docs = merged(paths)
        sc = {f: score(docs[f], CANDIDATE) for f in files}
        sb = {f: score(docs[f], BASELINE) for f in files}
        a = all(sc[f].get("hit", 0) >= sb[f].get("hit", 0) for f in files)
        b = all(
            2 * sc[f].get("rigid_points", 0) <= sb[f].get("rigid_points", 0)
            for f in files
            if sb[f].get("rigid_objects")
        )
        c = all(sc[f].get("false_bounds", 0) == 0 for f in files)
        cells = " | ".join(
            f"{sc[f].get('hit', 0)} / {sc[f].get('rigid_points', 0)} / "
            f"{sc[f].get('false_bounds', 0)}"
            for f in files
        )
        tot = sum(sc[f].get("hit", 0) for f in files)
        name = "seed 35 (pre-registered)" if d == base else d.name
        print(f"| {name} | {cells} | {tot} | {a} | {b} | {c} | {a and b and c} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("run")
    a.add_argument("data", type=Path)
    a.add_argument("main_json", type=Path)
    a.add_argument("out", type=Path)
    a.add_argument("--limit", type=int, default=None, help="the first N grasps only")
    a.add_argument("--modes", nargs="*", default=None, help="only these modes (default all)")
    a.add_argument("--seed", type=int, default=SEED, help="the measured gel's draw")
    b = sub.add_parser("report")
    b.add_argument("paths", nargs="+", type=Path)
    b.add_argument("--detail", action="store_true", help="per-object gains, losses, points")
    c = sub.add_parser("seeds")
    c.add_argument("base", type=Path, help="the folder of the seed-35 runs (with S)")
    c.add_argument("dirs", nargs="+", type=Path, help="folders of other seeds' runs")
    args = p.parse_args(argv)
    if args.cmd == "run":
        run(args.data, args.main_json, args.out, args.limit, args.modes, args.seed)
    elif args.cmd == "seeds":
        seeds(args.base, args.dirs)
    else:
        report(args.paths, args.detail)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
