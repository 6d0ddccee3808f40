"""With blind's calibration exactly true, why are soft objects still missed? (helper model34,
issue 11; an EXPLORATORY study, nothing in ``tactile/``; prereg: results/model34_prereg.md)

    python benchmarks/model34_diagnosis.py run DATA.h5 MAIN.json OUT.json [--limit N]
    python benchmarks/model34_diagnosis.py report OUT.json [OUT2.json ...]

(MAIN.json ``-``: every object of the file is below the limit, e.g. ``sim_below.h5``.)

``run``: every object below the resolvable limit in MAIN.json (``score_rigid_points.py``'s
blind ``below_limit``) is estimated by ``blind`` (on ``blind_metadata``) in these modes:

* ``T``: the true calibration: the rig's true gel (``eval_sim_families.with_true_gel``: law,
  modulus, thickness, bottoming) and its true rig compliance (gelref34's ``true``);
* one what-if at a time on top of ``T`` (:data:`MODES`): ``cw`` the contact width read as the
  truth (``object_size_z_mm + rig_width_offset_mm``, all three estimates agreeing, size =
  truth − the stored bias: ``bench_touch_reading``'s ``truth-cw``); ``size`` the size true
  (the calibration's width bias set to the read contact width − the true size); ``cw+size``
  (``TT``: the touch true, the bias the rig's true width offset); ``shape`` blind's hypotheses
  cut to the true contact kind (point: sphere, line: cylinder, flat: flat); ``hold`` the hold
  width the simulator's (size + offset − 2 (object def + gel depth) − c F at its peak, so the
  closure from the read touch is true); ``noopen`` ``_open_if_rig_split``,
  ``_open_if_width_drifts`` and ``_open_as_bound`` off; ``share50`` the 2.5 % no-compliance
  rule (``UNRESOLVED_SHARE``) at 50 %; ``sd0`` the calibration's stated spreads (gel
  modulus log10 sd, rig compliance sd; with the true size also the bias sd) zero: the
  calibration claimed exact, as it is; ``cwsd`` (with the true touch only) the contact width's
  spread 0.05 mm instead of blind's 1 mm floor; ``exact`` the true touch, size and hold with
  every spread zero or 0.05 mm; ``floor03`` / ``floor05`` (the READ touch) the contact width's
  spread floored at 0.3 / 0.5 mm instead of 1 mm (blind's rule otherwise: 1.4826 x the
  estimates' MAD); ``S`` (and ``S+floor03`` / ``S+floor05``): the grasp's STORED calibration
  (main's blind) instead of the true one; ``geo`` touch, size, shape and hold all true; and the
  single what-ifs on top of ``TT``.

The true size's bias sd is 0.1 mm (the touch known). The patches live in this script only.
A hit: not a bound and within a decade of the label. Per object the deciding numbers of ``T``
are kept: the read contact width, size, closure against the truth, the hypotheses against the
true contact kind, the object's true strain at the peak (2 def / size) and the gel's depth
against its bottoming, the unresolved share and note.

``report``: the per-miss tables (``T`` and ``TT``), the attribution (a miss is charged to each
single what-if that makes it a hit; none: to ``geo`` if that does, else "model"), and the hit
count per mode.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_sim_families as esf

import tactile.estimators.blind as bm
from tactile.errors import TactileError
from tactile.estimators.registry import get_estimator
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration
from tactile.sim.contact import GelModel, contact_curve
from tactile.sim.objects import SimObject
from tactile.types import GraspMetadata

KIND_TO_SHAPE = {"point": "sphere", "line": "cylinder", "flat": "flat"}
TRUE_SIZE_BIAS_SD_MM = 0.1
#: mode name -> the what-ifs it switches on (every mode has the true calibration)
MODES: dict[str, frozenset[str]] = {
    "T": frozenset(),
    "cw": frozenset({"cw"}),
    "size": frozenset({"size"}),
    "TT": frozenset({"cw", "size"}),
    "shape": frozenset({"shape"}),
    "hold": frozenset({"hold"}),
    "noopen": frozenset({"noopen"}),
    "share50": frozenset({"share50"}),
    "geo": frozenset({"cw", "size", "shape", "hold"}),
    "TT+shape": frozenset({"cw", "size", "shape"}),
    "TT+hold": frozenset({"cw", "size", "hold"}),
    "TT+noopen": frozenset({"cw", "size", "noopen"}),
    "TT+share50": frozenset({"cw", "size", "share50"}),
    "sd0": frozenset({"sd0"}),
    "TT+sd0": frozenset({"cw", "size", "sd0"}),
    "TT+shape+sd0": frozenset({"cw", "size", "shape", "sd0"}),
    "TT+cwsd": frozenset({"cw", "size", "cwsd"}),
    "TT+sd0+cwsd": frozenset({"cw", "size", "sd0", "cwsd"}),
    "exact": frozenset({"cw", "size", "sd0", "cwsd", "hold"}),
    "floor03": frozenset({"floor03"}),
    "floor05": frozenset({"floor05"}),
    "S": frozenset({"stored"}),
    "S+floor03": frozenset({"stored", "floor03"}),
    "S+floor05": frozenset({"stored", "floor05"}),
}
SINGLE_T = ("cw", "size", "TT", "shape", "hold", "noopen", "share50", "sd0")
SINGLE_TT = ("TT+shape", "TT+hold", "TT+noopen", "TT+share50", "TT+sd0", "TT+cwsd")
#: the true touch's spread: blind draws the contact width with at least
#: ``MIN_CONTACT_WIDTH_SD_MM`` (1 mm) even when it is the truth; ``cwsd`` sets it to this
EXACT_CW_SD_MM = 0.05


def lockup_of(meta: GraspMetadata, approach_mm: float, force_n: float) -> dict[str, Any]:
    """Whether the simulator's peak lies past its contact model (the lock-up of
    ``tactile.sim.contact._with_lockup``: "not a physical model of any material"): the object
    rebuilt from the metadata (a foam's densification onset is not stored: 0.7 taken; the
    model's range is geometric), its curve on the rig's true gel; ``rebuilt_mm``: the approach
    the rebuilt curve gives at the true peak force, against the true one (a check)."""
    ex = meta.extra
    shape = str(meta.shape)
    size_z = float(ex["object_size_z_mm"])
    kw: dict[str, Any] = {
        "shape": shape,
        "modulus_pa": float(meta.label_modulus_pa or 1.0),
        "poisson": float(ex.get("object_poisson", 0.5)),
        "foam": bool(ex.get("object_foam", False)),
    }
    if shape in ("sphere", "cylinder"):
        kw["radius_mm"] = size_z / 2.0
    if shape in ("cylinder", "cylinder_end"):
        kw["length_mm"] = float(ex["length_mm"])
    if shape == "cylinder_end":
        kw["radius_mm"] = float(meta.radius_mm or 1.0)
    if shape in ("box", "ellipsoid"):
        kw["size_mm"] = (float(ex["size_x_mm"]), float(ex["size_y_mm"]), float(ex["size_z_mm"]))
    try:
        obj = SimObject(**kw)
        gel = GelModel(
            float(ex["true_gel_modulus_pa"]),
            float(ex.get("true_gel_poisson", 0.48)),
            float(ex["true_gel_thickness_mm"]),
            False,
            float(ex["rig_gel_max_strain"]),
        )
        curve = contact_curve(obj, gel, pad_x_mm=35.0, pad_y_mm=25.5)
    except Exception as exc:  # a diagnosis: never fatal
        return {"error": str(exc)[:120]}
    limit = float(curve.model_limit_mm)
    return {
        "model_limit_mm": limit,
        "in_lockup": bool(approach_mm > limit),
        "rebuilt_mm": float(curve.delta_for_force(force_n)),
        "kind_ok": curve.kind == str(ex.get("contact_kind", "")),
    }


def truths(meta: GraspMetadata) -> dict[str, Any]:
    ex = meta.extra
    size = float(ex["object_size_z_mm"])
    offset = float(ex.get("rig_width_offset_mm", 0.0))
    c = float(ex["rig_rig_compliance_mm_per_n"])
    obj_def = float(ex["true_peak_object_def_mm"])
    gel = float(ex["true_peak_gel_depth_mm"])
    f_peak = float(ex["true_peak_force_n"])
    return {
        "size_mm": size,
        "offset_mm": offset,
        "cw_mm": size + offset,
        "hold_mm": size + offset - 2.0 * (obj_def + gel) - c * f_peak,
        "closure_mm": 2.0 * (obj_def + gel) + c * f_peak,
        "kind": str(ex.get("contact_kind", "")),
        "shape": KIND_TO_SHAPE.get(str(ex.get("contact_kind", "")), ""),
        "strain_peak": 2.0 * obj_def / size,
        "gel_bottom_share": gel
        / (float(ex["rig_gel_max_strain"]) * float(ex["rig_gel_thickness_mm"])),
        "foam": bool(ex.get("object_foam", False)),
        "peak_force_n": f_peak,
        "approach_mm": obj_def + gel,
        "lockup": lockup_of(meta, obj_def + gel, f_peak),
    }


@contextlib.contextmanager
def patched(on: frozenset[str], t: dict[str, Any]) -> Iterator[None]:
    """Within the block, blind's geometry and rules as the what-ifs ``on`` say."""
    saved = {
        "geometry_of": bm.geometry_of,
        "UNRESOLVED_SHARE": bm.UNRESOLVED_SHARE,
        "_open_if_rig_split": bm._open_if_rig_split,
        "_open_if_width_drifts": bm._open_if_width_drifts,
    }
    saved_open = bm.BlindEstimator._open_as_bound
    original = bm.geometry_of

    def geometry(features: Any, calibration: Any) -> Any:
        geo = original(features, calibration)
        est = dict(geo.contact_width_estimates_mm)
        cw, sd = geo.contact_width_mm, geo.contact_width_sd_mm
        floor = 0.3 if "floor03" in on else (0.5 if "floor05" in on else None)
        if floor is not None and est:  # the READ touch, its spread floored lower than 1 mm
            v = np.array(list(est.values()))
            sd = max(floor, 1.4826 * float(np.median(np.abs(v - np.median(v)))))
        if "cw" in on:
            cw = t["cw_mm"]
            sd = EXACT_CW_SD_MM if "cwsd" in on else bm.MIN_CONTACT_WIDTH_SD_MM
            est = dict.fromkeys(est, cw)
        hold = t["hold_mm"] if "hold" in on else geo.hold_width_mm
        shapes = (t["shape"],) if "shape" in on and t["shape"] else geo.plausible_shapes
        size = cw - calibration.contact_width_bias_mm
        return dataclasses.replace(
            geo,
            contact_width_mm=cw,
            contact_width_sd_mm=sd,
            contact_width_estimates_mm=est,
            size_mm=size,
            radius_mm=max(size, 1.0) / 2.0,
            hold_width_mm=hold,
            closure_mm=cw - hold,
            plausible_shapes=shapes,
        )

    def keep(est: Any, *args: Any, **kwargs: Any) -> Any:
        return est

    def keep_method(self: Any, est: Any, *args: Any, **kwargs: Any) -> Any:
        return est

    bm.geometry_of = geometry  # type: ignore[assignment]
    if "share50" in on:
        bm.UNRESOLVED_SHARE = 0.5  # type: ignore[misc]
    if "noopen" in on:
        bm._open_if_rig_split = keep  # type: ignore[assignment]
        bm._open_if_width_drifts = keep  # type: ignore[assignment]
        bm.BlindEstimator._open_as_bound = keep_method  # type: ignore[method-assign]
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(bm, k, v)
        bm.BlindEstimator._open_as_bound = saved_open  # type: ignore[method-assign]


def _score(e: Any, label: float) -> dict[str, Any]:
    flagged = bool(e.lower_bound_only)
    log10 = float(e.log10_modulus)
    hit = (not flagged) and abs(log10 - label) <= 1.0
    kind = "ok" if hit else ("bound" if flagged else ("stiff" if log10 > label else "soft"))
    return {"log10": log10, "flagged": flagged, "hit": hit, "kind": kind}


def _diag(e: Any, t: dict[str, Any]) -> dict[str, Any]:
    d = e.details
    geo = d["geometry"]
    est = geo.get("contact_width_estimates_mm", {})
    measured = sorted(est.values())[len(est) // 2] if est else geo["contact_width_mm"]
    return {
        "cw_err_mm": measured - t["cw_mm"],
        "used_cw_err_mm": geo["contact_width_mm"] - t["cw_mm"],
        "size_err_mm": geo["size_mm"] - t["size_mm"],
        "closure_err_mm": geo["contact_width_mm"] - geo["hold_width_mm"] - t["closure_mm"],
        "hold_err_mm": geo["hold_width_mm"] - t["hold_mm"],
        "hypotheses": d.get("hypotheses", []),
        "shape_class": geo.get("shape_class"),
        "unresolved_share": d.get("unresolved_share"),
        "per_shape_pa": {
            k: d.get(f"{k}_modulus_pa")
            for k in ("sphere", "cylinder", "flat")
            if f"{k}_modulus_pa" in d
        },
        "note": str(d.get("note", ""))[:160],
        "read_cw_mm": measured,
    }


def run(
    data: Path,
    main_json: Path,
    out: Path,
    limit: int | None,
    modes: list[str] | None = None,
    above: bool = False,
) -> None:
    reader = GraspReader(data)
    if str(main_json) == "-":  # a file of soft objects: every one below the limit
        below = {
            reader.read_signals(gid).meta.object_id: {"log10": None, "ok": None}
            for gid in reader.ids()
        }
    else:
        main = json.loads(main_json.read_text())
        below = {
            o["object"]: o for o in main["blind"]["objects_detail"] if o["below_limit"] != above
        }
    est = get_estimator("blind")
    rows = []
    t0 = time.time()
    for gid in reader.ids():
        g = reader.read(gid)
        meta = g.meta
        if meta.object_id not in below:
            continue
        if limit is not None and len(rows) >= limit:
            break
        t = truths(meta)
        label = math.log10(meta.label_modulus_pa or 1.0)
        true_cal = replace(
            esf.with_true_gel(meta),
            rig_compliance_mm_per_n=float(meta.extra["rig_rig_compliance_mm_per_n"]),
        )
        gb = replace(g, meta=blind_metadata(meta))
        row: dict[str, Any] = {
            "grasp": gid,
            "object": meta.object_id,
            "material": str(meta.extra.get("object_material", "")),
            "shape_name": str(meta.shape),
            "label": label,
            "gel_log10": math.log10(float(meta.extra["true_gel_modulus_pa"])),
            "main": {"log10": below[meta.object_id]["log10"], "ok": below[meta.object_id]["ok"]},
            "truth": t,
            "stored_bias_mm": resolve_calibration(meta).contact_width_bias_mm,
            "modes": {},
        }
        read_cw = None
        for name, on in MODES.items():
            if modes and name not in modes:
                continue
            cal = resolve_calibration(meta) if "stored" in on else true_cal
            if "size" in on:
                cw = t["cw_mm"] if "cw" in on else read_cw
                if cw is None:
                    row["modes"][name] = {"error": "no read contact width"}
                    continue
                cal = replace(
                    cal,
                    contact_width_bias_mm=cw - t["size_mm"],
                    contact_width_bias_sd_mm=0.0 if "sd0" in on else TRUE_SIZE_BIAS_SD_MM,
                )
            if "sd0" in on:
                cal = replace(cal, gel_modulus_log10_sd=0.0, rig_compliance_sd_mm_per_n=0.0)
            try:
                with patched(on, t):
                    e = est.estimate(gb, calibration=cal)
            except TactileError as exc:
                row["modes"][name] = {"error": exc.message[:200]}
                continue
            row["modes"][name] = _score(e, label)
            if name in ("T", "TT"):
                row["modes"][name]["diag"] = _diag(e, t)
            if name == "T":
                read_cw = row["modes"]["T"]["diag"]["read_cw_mm"]
            if above:  # a bound is right there: it is false only above the label
                row["modes"][name]["false_bound"] = bool(e.lower_bound_only) and (
                    float(e.log10_modulus) > label
                )
        rows.append(row)
        print(f"{len(rows)} {gid} {time.time() - t0:.0f}s", flush=True)
    out.write_text(json.dumps({"file": str(data), "rows": rows}, default=str, indent=1) + "\n")


def _hit(row: dict[str, Any], mode: str) -> bool:
    return bool(row["modes"].get(mode, {}).get("hit"))


def _fmt(x: Any, spec: str = "+.2f") -> str:
    return "–" if x is None else format(x, spec)


def _miss_table(rows: list[dict[str, Any]], base: str, singles: tuple[str, ...]) -> None:
    print(
        f"\n| object | label | {base} est (kind) | true shape / hypotheses | cw read−true | "
        "size read−true | closure read−true | strain at peak | approach / model limit | "
        "gel depth / bottom | "
        "unresolved | rescued by | note |"
    )
    print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        m = r["modes"].get(base, {})
        if m.get("hit") or "error" in m:
            continue
        d, t = m["diag"], r["truth"]
        rescued = [s for s in singles if _hit(r, s)] or (
            ["geo"] if base == "T" and _hit(r, "geo") else []
        )
        print(
            f"| {r['object']} | {r['label']:.2f} | {m['log10']:.2f} ({m['kind']}) | "
            f"{t['shape']} / {','.join(d['hypotheses'])} | {_fmt(d['cw_err_mm'])} | "
            f"{_fmt(d['size_err_mm'])} | {_fmt(d['closure_err_mm'])} | {t['strain_peak']:.2f} | "
            f"{_lock(t)} | "
            f"{t['gel_bottom_share']:.2f} | {_fmt(d['unresolved_share'], '.3f')} | "
            f"{', '.join(rescued) or 'none'} | {d['note'][:70]} |"
        )


def primary_cause(r: dict[str, Any], base: str) -> str:
    """One cause per miss under ``base`` (``T`` or ``TT``), in this order: the touch (a true
    touch and size rescue it; ``T`` only), the 2.5 % rule (a bound that the rule at 50 % or the
    spreads zero/0.05 mm rescue), the shape hypotheses (the true one alone rescues), the
    geometry together (``T``: touch, size, shape and hold true rescue), else what the truth
    shows: a hold past the simulator's contact model (lock-up), a densifying foam strained
    beyond 0.4 at the peak, or unexplained."""
    m = r["modes"][base]
    t = r["truth"]
    pre = "" if base == "T" else "TT+"
    kind = m["kind"]
    if base == "T" and (_hit(r, "TT") or _hit(r, "cw")):
        return f"{kind}: touch read late (true touch rescues)"
    if kind == "bound" and any(
        _hit(r, pre + w) for w in ("share50", "sd0", "cwsd", "sd0+cwsd") if pre + w in MODES
    ):
        return "bound: the 2.5 % rule on the draws' spreads (the object's share is small)"
    if _hit(r, pre + "shape"):
        return f"{kind}: shape pooling (the true hypothesis alone rescues)"
    if base == "T" and _hit(r, "geo"):
        return f"{kind}: touch + shape + hold together"
    if kind == "bound" and _hit(r, pre + "hold"):
        return "bound: hold width read"
    if t.get("lockup", {}).get("in_lockup"):
        return f"{kind}: hold past the simulator's contact model (lock-up)"
    if t["foam"] and t["strain_peak"] >= 0.4:
        return f"{kind}: densifying foam (strain at the peak >= 0.4)"
    return f"{kind}: unexplained"


def _lock(t: dict[str, Any]) -> str:
    lk = t.get("lockup", {})
    if "model_limit_mm" not in lk:
        return "?"
    ratio = t["approach_mm"] / lk["model_limit_mm"]
    return f"{ratio:.2f}{' LOCK' if lk['in_lockup'] else ''}"


def _full(rows: list[dict[str, Any]]) -> bool:
    """Whether a run has every mode the cause tables read (not a ``--modes`` subset)."""
    need = ("T", "TT", "geo", *SINGLE_T, *SINGLE_TT)
    return all(k in r["modes"] for r in rows for k in need)


def report(paths: list[Path]) -> None:
    total: dict[str, Counter[str]] = {"T": Counter(), "TT": Counter()}
    docs = {p: json.loads(p.read_text())["rows"] for p in paths}
    for path in paths:
        if not _full(docs[path]):
            continue
        for r in docs[path]:
            for base in total:
                if not r["modes"][base].get("hit") and "error" not in r["modes"][base]:
                    total[base][primary_cause(r, base)] += 1
    if len(paths) > 1 and all(_full(rows) for rows in docs.values()):
        for base, c in total.items():
            print(f"\none cause per miss under {base}, all {len(paths)} files: {sum(c.values())}")
            for k, v in c.most_common():
                print(f"- {k}: {v}")
    for path in paths:
        rows = json.loads(path.read_text())["rows"]
        n = len(rows)
        print(f"\n## {path.name}: {n} objects below the limit (EXPLORATORY)")
        print("\n| mode | hits | share | bounds | too stiff | too soft | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        if all(r["main"]["ok"] is not None for r in rows):
            main_hits = sum(bool(r["main"]["ok"]) for r in rows)
            print(
                f"| main (stored calibration, MAIN.json) | {main_hits} | {main_hits / n:.1%} |||||"
            )
        for mode in [m for m in MODES if any(m in r["modes"] for r in rows)]:
            c = Counter(r["modes"].get(mode, {}).get("kind", "error") for r in rows)
            print(
                f"| {mode} | {c['ok']} | {c['ok'] / n:.1%} | {c['bound']} | {c['stiff']} | "
                f"{c['soft']} | {c['error']} |"
            )
        if not _full(rows):
            print("\n(a --modes subset: no per-miss tables)")
            continue
        for base, singles in (("T", SINGLE_T), ("TT", SINGLE_TT)):
            print(f"\n### misses under {base}")
            _miss_table(rows, base, singles)
            causes: Counter[str] = Counter()
            for r in rows:
                m = r["modes"].get(base, {})
                if m.get("hit") or "error" in m:
                    continue
                hits = [s for s in singles if _hit(r, s)]
                if not hits and base == "T" and _hit(r, "geo"):
                    hits = ["geo (combined)"]
                causes.update(hits or ["none (model)"])
            primary: Counter[str] = Counter(
                primary_cause(r, base)
                for r in rows
                if not r["modes"][base].get("hit") and "error" not in r["modes"][base]
            )
            print(f"\none cause per miss under {base} (primary_cause):")
            for k, v in primary.most_common():
                print(f"- {k}: {v}")
            print(f"\nattribution under {base} (a miss may count under several):")
            for k, v in causes.most_common():
                print(f"- {k}: {v}")
            print(f"\nmade worse (a hit under {base}, a miss under the what-if):")
            for w in singles:
                worse = [
                    f"{r['object']} ({r['modes'][w].get('kind')} "
                    f"{r['modes'][w].get('log10', 0):.2f} vs {r['label']:.2f}, "
                    f"strain {r['truth']['strain_peak']:.2f}"
                    f"{', foam' if r['truth']['foam'] else ''})"
                    for r in rows
                    if _hit(r, base) and not _hit(r, w)
                ]
                if worse:
                    print(f"- {w}: {len(worse)}: " + "; ".join(worse))


def report_above(paths: list[Path]) -> None:
    """Objects above the limit (``run --above``): per mode the points (not bounds: for a
    rigid object a "rigid point") and false bounds (a bound above the label)."""
    for path in paths:
        rows = json.loads(path.read_text())["rows"]
        print(f"\n{path.name}: {len(rows)} objects above the limit (EXPLORATORY)")
        print("| mode | points (not bounds) | of them labelled > 10 MPa | false bounds | errors |")
        print("|---|---:|---:|---:|---:|")
        names = [m for m in MODES if any(m in r["modes"] for r in rows)]
        for m in names:
            got = [(r, r["modes"].get(m, {"error": "-"})) for r in rows]
            pts = [r for r, x in got if "error" not in x and not x["flagged"]]
            print(
                f"| {m} | {len(pts)} | {sum(r['label'] > 7.0 for r in pts)} | "
                f"{sum(bool(x.get('false_bound')) for _, x in got)} | "
                f"{sum('error' in x for _, x in got)} |"
            )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("run")
    a.add_argument("data", type=Path)
    a.add_argument("main_json", type=Path)
    a.add_argument("out", type=Path)
    a.add_argument("--limit", type=int, default=None)
    a.add_argument("--modes", nargs="*", default=None, help="only these modes (default all)")
    a.add_argument(
        "--above",
        action="store_true",
        help="the objects ABOVE the limit instead (a point there is a rigid point); report-above",
    )
    b = sub.add_parser("report")
    b.add_argument("paths", nargs="+", type=Path)
    c = sub.add_parser("report-above")
    c.add_argument("paths", nargs="+", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "run":
        run(args.data, args.main_json, args.out, args.limit, args.modes, args.above)
    elif args.cmd == "report-above":
        report_above(args.paths)
    else:
        report(args.paths)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
