"""Scoring against simulation truth: issue 11's criteria as BENCHMARKS.md counts them.

A simulated grasp knows what a real one cannot: its rig's true gel modulus
(``meta.extra["true_gel_modulus_pa"]``, 150-600 kPa on the randomised rigs: 3-11x the 54.7 kPa
calibration of the benchmark files, docs/evaluation.md "Which gel"). BENCHMARKS.md's simulated
tables (``benchmarks/eval_sim_families.py``, ``benchmarks/score_rigid_points.py``) and
``tactile evaluate`` on such a file (its ``simulated_truth`` block) count with the functions
here, so the two cannot drift apart.

The unit is a *grasp row*, a dict: ``grasp``, ``object``, ``label`` (log10 Pa), ``family``
(``foam`` / ``linear``), ``material``, ``shape``, ``gel_log10`` (the rig's true gel, None when
unknown) and, when the grasp was estimated, :func:`estimate_fields` (``log10``, ``flagged``,
``lo68``, ``hi68``) plus ``stiffer`` (flag ``stiffer_than_gel``), ``net_mu``, ``net_sigma``,
``ood`` and ``source``; a grasp with no estimate has no ``log10`` (its object, when no grasp of it
was estimated, is *refused*). ``limits``: the grasp's resolvable limit in Pa (the network's
``details["resolvable_limit_pa"]``, physics limits from the rig calibration; the same limits
score every estimator; a grasp without one counts as below its limit).

Per object (:func:`per_object`): flagged when most of its estimated grasps answered a lower
bound; its answer the median log10 over the grasps that agree with that; its limit, and its rig's
true gel, the median over its grasps. Then

* **below the limit** (label < limit): the share answered with a point within a decade
  (a bound there counts as wrong) — :func:`summarize`;
* against each rig's true gel (:func:`against_rig_gel`): **correct** = a point within a decade
  or a lower bound that holds on an object at least 10x its rig's gel; **false bounds** = bounds
  above the label; **rigid points** = objects at least 100x their rig's gel answered with a point;
* **soft flagged stiffer** (:func:`simulated_truth_counts`): objects below their rig's true gel
  (and, apart, below the calibration's gel) answered with a bound that most of their grasps flag
  ``stiffer_than_gel``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tactile.types import Flag, GraspMetadata, ModulusEstimate

__all__ = [
    "BANDS",
    "TRUE_GEL_KEY",
    "against_rig_gel",
    "estimate_fields",
    "family_of",
    "grasp_row",
    "has_simulation_truth",
    "mean_or_nan",
    "per_object",
    "simulated_truth_counts",
    "stiffer_fields",
    "summarize",
]

#: The metadata key a simulated grasp carries its rig's true gel modulus (Pa) under.
TRUE_GEL_KEY = "true_gel_modulus_pa"

#: Label bands (log10 Pa) of :func:`summarize`: (name, low, high).
BANDS: tuple[tuple[str, float, float], ...] = (
    ("<0.1MPa", -math.inf, 5.0),
    ("0.1-10MPa", 5.0, 7.0),
    (">10MPa", 7.0, math.inf),
)


def has_simulation_truth(meta: GraspMetadata) -> bool:
    """The grasp carries its rig's true gel modulus (a simulated grasp)."""
    return _log10_or_none(meta.extra.get(TRUE_GEL_KEY)) is not None


def family_of(material: str) -> str:
    return "foam" if material == "foam" else "linear"


def _log10_or_none(value: Any) -> float | None:
    return math.log10(float(value)) if isinstance(value, int | float) and value > 0 else None


def estimate_fields(e: ModulusEstimate) -> dict[str, Any]:
    """What the scoring reads of one estimate: log10 E, whether it is a bound, the 68 %
    interval in log10 (open ends infinite)."""
    lo68, hi68 = e.interval_68_pa
    return {
        "log10": e.log10_modulus,
        "flagged": bool(e.lower_bound_only),
        "lo68": math.log10(lo68) if lo68 > 0 else -math.inf,
        "hi68": math.log10(hi68) if math.isfinite(hi68) else math.inf,
    }


def grasp_row(
    grasp_id: str,
    meta: GraspMetadata,
    estimate: ModulusEstimate | None,
    *,
    label_pa: float | None = None,
    fields: Any = estimate_fields,
) -> dict[str, Any]:
    """One grasp row (module docstring) from the grasp's *recorded* metadata (the object's
    material and the rig's true gel: what the blind protocol hides from the estimator) and its
    estimate (None: refused). ``label_pa``: the label scored (default the metadata's);
    ``fields``: what is read of the estimate (:func:`estimate_fields` by default)."""
    label = meta.label_modulus_pa if label_pa is None else label_pa
    material = str(meta.extra.get("object_material", ""))
    row: dict[str, Any] = {
        "grasp": grasp_id,
        "object": meta.object_id,
        "label": math.log10(label or 1.0),
        "family": family_of(material),
        "material": material,
        "shape": meta.shape,
        "gel_log10": _log10_or_none(meta.extra.get(TRUE_GEL_KEY)),
    }
    if estimate is None:
        return row
    row.update(
        fields(estimate),
        net_mu=estimate.details.get("network_log10_mean"),
        net_sigma=estimate.details.get("network_log10_sigma"),
        ood=estimate.details.get("ood_score"),
        source=estimate.details.get("source"),
    )
    return row


def per_object(rows: list[dict[str, Any]], limits: Mapping[str, float]) -> list[dict[str, Any]]:
    """One entry per object (module docstring), in the order objects first appear."""
    objs: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        objs.setdefault(r["object"], []).append(r)
    out = []
    for obj, grs in objs.items():
        ok = [r for r in grs if "log10" in r]
        base = {"object": obj, "label": grs[0]["label"], "family": grs[0]["family"]}
        base["material"] = grs[0]["material"]
        # several grasps on randomised rigs: one rig each, so the object's gel is the median of
        # its grasps' (review26; a single grasp's exactly)
        gels = [r["gel_log10"] for r in grs if r.get("gel_log10") is not None]
        base["gel_log10"] = float(np.median(gels)) if gels else None
        if not ok:
            out.append({**base, "refused": True})
            continue
        lim = float(np.median([limits.get(r["grasp"], math.inf) for r in ok]))
        flagged = sum(r["flagged"] for r in ok) > len(ok) / 2
        use = [r for r in ok if r["flagged"] == flagged]
        med = float(np.median([r["log10"] for r in use]))
        lab = base["label"]
        nets = [r["net_mu"] for r in ok if r.get("net_mu") is not None]
        out.append(
            {
                **base,
                "refused": False,
                "log10": med,
                "flagged": flagged,
                "limit_log10": math.log10(lim) if math.isfinite(lim) else math.inf,
                "below_limit": lab < math.log10(lim),
                "covered_68": bool(
                    np.median([r["lo68"] for r in use])
                    <= lab
                    <= np.median([r["hi68"] for r in use])
                ),
                "net_mu": float(np.median(nets)) if nets else None,
                "source": use[len(use) // 2].get("source"),
                "ok": (flagged and med <= lab and lab >= math.log10(lim))
                or (not flagged and abs(med - lab) <= 1.0),
            }
        )
    return out


def against_rig_gel(objs: list[dict[str, Any]]) -> dict[str, int] | None:
    """Counts against each object's own rig gel (module docstring); None without true gels."""
    scored = [o for o in objs if not o["refused"] and o.get("gel_log10") is not None]
    if not scored:
        return None
    correct = false = rigid_points = 0
    for o in scored:
        lab, gel = o["label"], o["gel_log10"]
        if o["flagged"]:
            false += o["log10"] > lab
            correct += o["log10"] <= lab and lab >= gel + 1.0
        else:
            correct += abs(o["log10"] - lab) <= 1.0
            rigid_points += lab >= gel + 2.0
    return {
        "objects": len(scored),
        "refused": sum(o["refused"] for o in objs),
        "correct": correct,
        "false_bounds": false,
        "rigid_objects": sum(o["label"] >= o["gel_log10"] + 2.0 for o in scored),
        "rigid_points": rigid_points,
    }


def mean_or_nan(values: Sequence[float]) -> float:
    """The mean, NaN for no values."""
    return float(np.mean(values)) if values else math.nan


def summarize(objs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per family (``foam``, ``linear``, ``all``): below the limit the share within a decade
    (a bound counts as wrong), its points' log10 MAE and the share wrongly flagged; above it
    the share flagged; the share of bounds that hold; per label band (:data:`BANDS`) the share
    "within a decade or correctly flagged" and the MAEs (shares NaN when there is nothing)."""
    res: dict[str, Any] = {}
    for fam in ("foam", "linear", "all"):
        os_ = [o for o in objs if fam == "all" or o["family"] == fam]
        scored = [o for o in os_ if not o["refused"]]
        below = [o for o in scored if o["below_limit"]]
        above = [o for o in scored if not o["below_limit"]]
        flagged = [o for o in scored if o["flagged"]]
        bands = {}
        for band, lo, hi in BANDS:
            b = [o for o in scored if lo <= o["label"] < hi]
            point = [abs(o["log10"] - o["label"]) for o in b if not o["flagged"]]
            net = [abs(o["net_mu"] - o["label"]) for o in b if o["net_mu"] is not None]
            bands[band] = {
                "objects": len(b),
                "ok": mean_or_nan([o["ok"] for o in b]),
                "point_mae": mean_or_nan(point),
                "net_mae": mean_or_nan(net),
                "flagged": mean_or_nan([o["flagged"] for o in b]),
            }
        res[fam] = {
            "objects": len(os_),
            "refused": len(os_) - len(scored),
            "below_limit_objects": len(below),
            "below_within_decade": mean_or_nan(
                [(not o["flagged"]) and abs(o["log10"] - o["label"]) <= 1 for o in below]
            ),
            "below_log10_mae": mean_or_nan(
                [abs(o["log10"] - o["label"]) for o in below if not o["flagged"]]
            ),
            "below_wrongly_flagged": mean_or_nan([o["flagged"] for o in below]),
            "above_limit_objects": len(above),
            "above_flagged": mean_or_nan([o["flagged"] for o in above]),
            "bounds_hold": mean_or_nan([o["log10"] <= o["label"] for o in flagged]),
            "n_bounds": len(flagged),
            "ok_all": mean_or_nan([o["ok"] for o in scored]),
            "coverage_68": mean_or_nan([o["covered_68"] for o in scored]),
            "bands": bands,
        }
    return res


def stiffer_fields(e: ModulusEstimate) -> dict[str, Any]:
    """:func:`estimate_fields` and whether the estimate carries ``stiffer_than_gel``."""
    return dict(estimate_fields(e), stiffer=Flag.STIFFER_THAN_GEL in e.flags)


def simulated_truth_counts(
    rows: list[dict[str, Any]],
    limits: Mapping[str, float],
    calibration_gel_pa: Mapping[str, float],
) -> dict[str, Any]:
    """Issue 11's criteria for one estimator's grasp rows (made with :func:`stiffer_fields`,
    so each carries ``stiffer``): objects, refused, rigid points of rigid objects, false bounds
    of bounds, soft objects flagged stiffer (below the rig's true gel; below the calibration's
    gel, ``calibration_gel_pa`` per grasp id), the share of the objects below their limit within
    a decade, correct against the rig's gel, and ``objects_detail`` (:func:`per_object`'s entries
    with the calibration's gel and the majority flag) — ``score_rigid_points.py``'s figures."""
    objs = per_object(rows, limits)
    summary = summarize(objs)["all"]
    rig = against_rig_gel(objs) or {}
    stiffer: dict[str, list[bool]] = {}
    cal_of: dict[str, list[float]] = {}
    for r in rows:
        if "log10" in r:
            stiffer.setdefault(r["object"], []).append(bool(r["stiffer"]))
            cal_of.setdefault(r["object"], []).append(calibration_gel_pa[r["grasp"]])
    # the calibration gel of an object estimated on several rigs: the median over its estimated
    # grasps (review26; a single grasp's exactly)
    cal = {obj: float(np.median(values)) for obj, values in cal_of.items()}
    soft_true = soft_cal = 0
    for o in objs:
        if o["refused"] or not o["flagged"]:
            continue
        flags = stiffer[o["object"]]
        if sum(flags) <= len(flags) / 2:
            continue
        soft_true += o.get("gel_log10") is not None and o["label"] < o["gel_log10"]
        soft_cal += o["label"] < math.log10(cal[o["object"]])
    return {
        "objects": len(objs),
        "refused": rig.get("refused"),
        "rigid_points": rig.get("rigid_points"),
        "rigid_objects": rig.get("rigid_objects"),
        "false_bounds": rig.get("false_bounds"),
        "n_bounds": summary["n_bounds"],
        "soft_true_gel_flagged_stiffer": soft_true,
        "soft_cal_gel_flagged_stiffer": soft_cal,
        "below_limit_objects": summary["below_limit_objects"],
        "below_within_decade": summary["below_within_decade"],
        "correct_vs_rig_gel": rig.get("correct"),
        "objects_detail": [
            {
                **o,
                "cal_gel_log10": math.log10(cal[o["object"]]) if o["object"] in cal else None,
                "stiffer": sum(stiffer.get(o["object"], []))
                > len(stiffer.get(o["object"], [])) / 2,
            }
            for o in objs
        ],
    }
