"""Where the hybrid misses below the resolvable limit, and why (issue 12; hyb36, exploratory).

    python benchmarks/hyb36_diagnosis.py run FILE.h5 OUT.json [--model default]
    python benchmarks/hyb36_diagnosis.py report OUT.json [OUT2.json ...]
    python benchmarks/hyb36_diagnosis.py coverage OUT.json [...] [--train-objects N --train-seed S]

``run`` estimates every grasp of a simulated file under the blind protocol (shape, radius and
object hints removed, as :mod:`eval_sim_families` and ``score_rigid_points.py`` do) with the
hybrid, and records per grasp what the combination saw: the network's Gaussian (mean, sigma,
OOD score), the hybrid's own analytical estimate (``auto`` on the features of the frames the
network decodes, :func:`~tactile.estimators.neural.data.prepare_stored`; point, bound or failed,
with the failure's message), the path the answer took (``details["source"]``, the physics
overriding the network, the network below the physics' bound, the OOD gate), the answer, and
``blind`` on the whole grasp (as the scripts above score it). It also re-runs the hybrid's
combination on the same network answer with alternatives (``WHATIFS``; nothing in
``tactile/`` changes):

- ``main``: the hybrid as shipped (a check: equals the answer);
- ``net``: the network's Gaussian alone with the hybrid's limits (``neural``'s rule);
- ``phys``: the hybrid's analytical estimate alone (as the OOD gate answers);
- ``fullphys``: the hybrid with its analytical estimate replaced by ``auto`` on the whole grasp
  (the network's inputs unchanged);
- ``physbound``: the hybrid, except that a bound from a network beyond the limit is replaced by
  the whole-grasp physics' point when that physics resolves the object (two-sided);
- ``fullphys+physbound``: both.

"Below the limit" is the hybrid's (``details["resolvable_limit_pa"]``; a grasp the gate sends to
the physics has none: below, as in :mod:`eval_sim_families`). One grasp per object on these
files: a grasp is an object.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tactile.errors import TactileError
from tactile.estimators.base import with_pad_area
from tactile.estimators.neural.estimator import (
    MIN_ANALYTICAL_SIGMA,
    HybridEstimator,
    NeuralEstimator,
    _analytical_gaussian,
    resolve_model,
)
from tactile.estimators.neural.predict import Z68, Z95
from tactile.estimators.registry import get_estimator
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration
from tactile.types import ModulusEstimate

WHATIFS = (
    "main",
    "net",
    "phys",
    "fullphys",
    "physbound",
    "fullphys+physbound",
    "open",
    "open+resolves",
)


def _open_gaussian(
    estimate: ModulusEstimate | None, sigma_scale: float
) -> tuple[float, float] | None:
    """An open-ended physics point (68 % interval ``(lo, inf)``: blind's "contact width
    ambiguous", a closure partly within the rigid press, a densifying foam) read as a Gaussian
    whose sigma is its lower half-width, scaled and floored as the hybrid's; None otherwise."""
    if estimate is None or estimate.lower_bound_only:
        return None
    lo, hi = estimate.interval_68_pa
    if not (0 < lo < estimate.modulus_pa) or math.isfinite(hi):
        return None
    sigma = math.log10(estimate.modulus_pa / lo) / Z68 * sigma_scale
    return estimate.log10_modulus, max(sigma, MIN_ANALYTICAL_SIGMA)


class _OpenHybrid(HybridEstimator):
    """What-if ``open``: the hybrid with an open-ended physics point mixed in by its lower
    half-width (instead of ignored); ``resolves``: also allowed to answer instead of the bound
    when its (symmetric) upper 95 % end is below the limit."""

    def __init__(self, model: Any, resolves: bool) -> None:
        super().__init__(model)
        self.resolves = resolves

    def _gauss(self, analytical: ModulusEstimate | None) -> tuple[float, float] | None:
        g = _analytical_gaussian(analytical, self.analytical_sigma_scale)
        return g if g is not None else _open_gaussian(analytical, self.analytical_sigma_scale)

    def _combine(self, net, analytical):  # type: ignore[no-untyped-def]
        g = self._gauss(analytical)
        if g is None or _analytical_gaussian(analytical, self.analytical_sigma_scale):
            return super()._combine(net, analytical)
        w_n, w_a = 1.0 / net.sigma**2, 1.0 / g[1] ** 2
        p_n, p_a = w_n / (w_n + w_a), w_a / (w_n + w_a)
        mu = p_n * net.mu + p_a * g[0]
        second = p_n * (net.sigma**2 + net.mu**2) + p_a * (g[1] ** 2 + g[0] ** 2)
        return mu, math.sqrt(max(second - mu * mu, 1e-12)), {"source": "mixture (open)"}

    def _physics_resolves(self, net, analytical, e_res):  # type: ignore[no-untyped-def]
        out = super()._physics_resolves(net, analytical, e_res)
        g = self._gauss(analytical)
        if out is not None or not self.resolves or g is None:
            return out
        upper95 = g[0] + Z95 * g[1]
        if not upper95 < math.log10(e_res):
            return None
        return g[0], g[1], 10 ** max(upper95, net.mu), {"source": "physics (open) resolves"}


class _Recording(HybridEstimator):
    """The hybrid, keeping what its combination saw on the last grasp."""

    last: dict[str, Any]

    def _predict(self, inputs, feats, analytical, meta, calibration, net=None):  # type: ignore[no-untyped-def]
        if net is None:
            net = self.network_answer(inputs, meta)
        self.last = dict(
            inputs=inputs, feats=feats, analytical=analytical, meta=meta, cal=calibration, net=net
        )
        return super()._predict(inputs, feats, analytical, meta, calibration, net)


def _answer(e: ModulusEstimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    lo95, hi95 = e.interval_95_pa
    lg = math.log10
    return {
        "log10": e.log10_modulus,
        "bound": bool(e.lower_bound_only),
        "lo95": lg(lo95) if lo95 > 0 else None,
        "hi95": lg(hi95) if math.isfinite(hi95) else None,
        "source": e.details.get("source"),
        "auto_chose": e.details.get("auto_chose"),
        "lower_bound_from": e.details.get("lower_bound_from"),
        "disagree": bool(e.details.get("network_physics_disagree", False)),
        "below_phys_bound": bool(e.details.get("network_below_physics_bound", False)),
        "network_weight": e.details.get("network_weight"),
        "limit_pa": e.details.get("resolvable_limit_pa"),
        "closure_unresolved": e.details.get("closure_unresolved"),
        "physics_lower_bound_pa": e.details.get("physics_lower_bound_pa"),
        "note": str(e.details.get("note", ""))[:160] if e.details.get("note") else None,
    }


def _whatif(
    name: str,
    hyb: _Recording,
    neural: NeuralEstimator,
    full: ModulusEstimate | None,
    opens: dict[bool, _OpenHybrid],
) -> dict[str, Any] | None:
    s = hyb.last
    args = (s["inputs"], s["feats"])
    try:
        if name.startswith("open"):
            est = opens[name == "open+resolves"]
            return _answer(est._predict(*args, s["analytical"], s["meta"], s["cal"], s["net"]))
        if name == "main":
            return _answer(hyb._predict(*args, s["analytical"], s["meta"], s["cal"], s["net"]))
        if name == "net":
            return _answer(neural._predict(*args, s["analytical"], s["meta"], s["cal"], s["net"]))
        if name == "phys":
            return _answer(s["analytical"])
        ana = full if name.startswith("fullphys") else s["analytical"]
        e = hyb._predict(*args, ana, s["meta"], s["cal"], s["net"])
        if name.endswith("physbound") and e.lower_bound_only and full is not None:
            g = _analytical_gaussian(full, hyb.analytical_sigma_scale)
            if g is not None:  # the whole-grasp physics resolves it: its point answers
                e = replace(full, estimator="hybrid")
        return _answer(e)
    except TactileError as exc:
        return {"error": exc.message}


def run(data: Path, out: Path, model: str, first: int | None = None) -> None:
    reader = GraspReader(data)
    loaded = resolve_model(model)
    hyb = _Recording(loaded)
    neural = NeuralEstimator(loaded, analytical="auto")
    auto = get_estimator("auto")
    opens = {False: _OpenHybrid(loaded, False), True: _OpenHybrid(loaded, True)}
    rows = []
    t0 = time.time()
    for gid in reader.ids()[:first]:
        signals = reader.read_signals(gid)
        meta = signals.meta
        bmeta = blind_metadata(meta)
        ex = meta.extra
        row: dict[str, Any] = {
            "grasp": gid,
            "object": meta.object_id,
            "label": math.log10(meta.label_modulus_pa or 1.0),
            "material": str(ex.get("object_material", "")),
            "shape": meta.shape,
            "contact_kind": ex.get("contact_kind"),
            "size_z_mm": ex.get("object_size_z_mm"),
            "radius_mm": meta.radius_mm,
            "rig": (meta.calibration_id or "").split("+")[-1],
            "gel_log10": math.log10(float(ex["true_gel_modulus_pa"]))
            if "true_gel_modulus_pa" in ex
            else None,
            "true_peak_area_mm2": ex.get("true_peak_contact_area_mm2"),
            "true_peak_object_def_mm": ex.get("true_peak_object_def_mm"),
        }
        cal = resolve_calibration(meta)
        hyb.last = {}
        try:
            e = hyb.estimate_stored(reader, gid, meta=bmeta)
            row["hybrid"] = _answer(e)
        except TactileError as exc:
            row["hybrid"] = {"error": exc.message}
        s = hyb.last
        if s:
            net = s["net"]
            row["net"] = {
                "mu": net.mu,
                "sigma": net.sigma,
                "ood": net.ood_score,
                "ood_reason": net.ood_reason,
            }
            ana = s["analytical"]
            row["ana"] = _answer(ana)
            if ana is not None:
                g = _analytical_gaussian(ana, hyb.analytical_sigma_scale)
                row["ana"]["gauss"] = list(g) if g is not None else None
            else:  # why the hybrid's physics failed: the same call, its message kept
                try:
                    cal_p = with_pad_area(s["cal"], signals)
                    auto.estimate_features(s["feats"], meta=bmeta, calibration=cal_p)  # type: ignore[attr-defined]
                    row["ana_error"] = "(no error on a second call)"
                except TactileError as exc:
                    row["ana_error"] = exc.message
        # the whole grasp: blind (as scored) and auto (the hybrid's physics on every frame)
        full: ModulusEstimate | None = None
        try:
            g_full = replace(reader.read(gid), meta=bmeta)
            full = auto.estimate(g_full, calibration=cal)
            row["full"] = _answer(full)
            g = _analytical_gaussian(full, hyb.analytical_sigma_scale)
            row["full"]["gauss"] = list(g) if g is not None else None
        except TactileError as exc:
            row["full"] = {"error": exc.message}
        if s:
            row["whatif"] = {w: _whatif(w, hyb, neural, full, opens) for w in WHATIFS}
        rows.append(row)
    doc = {"file": str(data), "model": model, "seconds": time.time() - t0, "rows": rows}
    out.write_text(json.dumps(doc, indent=1, default=str) + "\n")
    print(f"{data}: {len(rows)} grasps, {time.time() - t0:.0f} s -> {out}")


# ---------------------------------------------------------------- report


def kind(a: dict[str, Any] | None, label: float) -> str:
    """hit / bound / stiff / soft / refused for an answer against a label."""
    if a is None or "error" in a:
        return "refused"
    if a["bound"]:
        return "bound"
    d = a["log10"] - label
    return "hit" if abs(d) <= 1.0 else ("stiff" if d > 0 else "soft")


def below(r: dict[str, Any]) -> bool:
    h = r.get("hybrid") or {}
    lim = h.get("limit_pa")
    if "error" in h:  # refused: the file's limit unknown; scored as below when the label is soft
        return False
    return not (isinstance(lim, float) and lim > 0) or r["label"] < math.log10(lim)


def ana_kind(a: dict[str, Any] | None) -> str:
    """The hybrid's physics: two-sided / open-ended point / bound / failed."""
    if a is None or "error" in a:
        return "failed"
    if a["bound"]:
        return "bound"
    return "open" if a.get("gauss") is None else "two-sided"


def path_of(r: dict[str, Any]) -> str:
    h = r["hybrid"]
    src = str(h.get("source") or "")
    if src.startswith("analytical (network out"):
        return "gate: physics (OOD)"
    if h.get("disagree"):
        return "physics overrides (below the limit)"
    if h.get("below_phys_bound"):
        return "network below the physics' bound"
    if src == "mixture":
        return "mixture"
    if "lower bound only" in src:
        return "network (physics: a bound)"
    if "no analytical" in src:
        if ana_kind(r.get("ana")) == "open":
            return "network (physics: open-ended point, not used)"
        return "network (physics failed)"
    return src or "?"


def net_state(r: dict[str, Any]) -> str:
    """The network's own answer against the label and the grasp's limit."""
    net = r.get("net") or {}
    mu, sd = net.get("mu"), net.get("sigma")
    if mu is None:
        return "none"
    lab = r["label"]
    lim = (r["hybrid"] or {}).get("limit_pa")
    beyond = isinstance(lim, float) and mu >= math.log10(lim)
    side = "right" if abs(mu - lab) <= 1.0 else ("too stiff" if mu > lab else "too soft")
    conf = (
        ""
        if side == "right"
        else (", label in its 95 %" if abs(mu - lab) <= Z95 * sd else ", label outside its 95 %")
    )
    return f"{side}{conf}{' (beyond the limit)' if beyond else ''}"


def cause(r: dict[str, Any]) -> str:
    """One cause per below-limit miss: the answer's kind, where it came from, and what the
    network and the physics each said."""
    lab = r["label"]
    k = kind(r["hybrid"], lab)
    net = r.get("net") or {}
    mu = net.get("mu")
    net_ok = mu is not None and abs(mu - lab) <= 1.0
    ak = ana_kind(r.get("ana"))
    phys_ok = kind(r.get("ana"), lab) == "hit"
    if path_of(r).startswith("gate"):
        return f"{k}: OOD gate, physics alone ({ak})"
    if k == "bound":
        who = (
            "network right but beyond the limit"
            if net_ok
            else "network too stiff (beyond the limit)"
        )
        if ak == "bound":
            return f"bound: {who}; physics a bound too"
        if ak == "open":
            right = "right" if phys_ok else "wrong"
            return f"bound: {who}; physics an open-ended point ({right}), not used"
        if ak == "two-sided":
            right = "right" if phys_ok else "wrong"
            return f"bound: {who}; physics two-sided ({right}) but outweighed"
        return f"bound: {who}; physics failed"
    if k in ("stiff", "soft"):
        n = "network right" if net_ok else f"network {k}"
        return f"point {k}: {n}; physics {ak} ({'right' if phys_ok else 'wrong'})"
    return k


def oracle(r: dict[str, Any]) -> bool:
    """Whether any answer at hand is within a decade: the hybrid, a what-if, the physics'
    point (the hybrid's or the whole grasp's, open-ended or not) or the network's mean,
    whatever the limit: the most any rule combining these two answers could score."""
    lab = r["label"]
    answers = [r.get("hybrid"), r.get("ana"), r.get("full"), *(r.get("whatif") or {}).values()]
    if any(kind(a, lab) == "hit" for a in answers):
        return True
    net = r.get("net") or {}
    return net.get("mu") is not None and abs(net["mu"] - lab) <= 1.0


def report(files: list[Path]) -> None:
    docs = [json.loads(f.read_text()) for f in files]
    print(
        "| file | grasps | below the limit | hybrid within a decade | whole-grasp physics "
        "(`auto` = blind) within a decade | oracle: network mean or physics point | refused |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    allmiss: list[tuple[str, dict[str, Any]]] = []
    tot = Counter()
    for f, d in zip(files, docs, strict=True):
        rows = d["rows"]
        b = [r for r in rows if below(r)]
        hits = sum(kind(r["hybrid"], r["label"]) == "hit" for r in b)
        fh = sum(kind(r.get("full"), r["label"]) == "hit" for r in b)
        orc = sum(oracle(r) for r in b)
        ref = sum("error" in (r.get("hybrid") or {}) for r in rows)
        print(
            f"| {f.stem} | {len(rows)} | {len(b)} | {hits} ({hits / len(b):.1%}) | {fh} | "
            f"{orc} ({orc / len(b):.1%}) | {ref} |"
        )
        tot.update(below=len(b), hits=hits, oracle=orc)
        allmiss += [(f.stem, r) for r in b if kind(r["hybrid"], r["label"]) != "hit"]
    print(
        f"\npooled: {tot['hits']} of {tot['below']} ({tot['hits'] / tot['below']:.1%}); "
        f"oracle {tot['oracle']} ({tot['oracle'] / tot['below']:.1%})"
    )
    print("\n| miss kind | path | count |\n|---|---|---:|")
    for (k, p), n in Counter(
        (kind(r["hybrid"], r["label"]), path_of(r)) for _, r in allmiss
    ).most_common():
        print(f"| {k} | {p} | {n} |")
    print("\n| cause | count |\n|---|---:|")
    for c, n in Counter(cause(r) for _, r in allmiss).most_common():
        print(f"| {c} | {n} |")
    print("\n| network's own answer (misses) | count |\n|---|---:|")
    for c, n in Counter(net_state(r) for _, r in allmiss).most_common():
        print(f"| {c} | {n} |")
    print("\n| material / true shape (misses) | count | of below-limit objects |\n|---|---:|---:|")
    allbelow = [r for d in docs for r in d["rows"] if below(r)]
    nb = Counter((r["material"], r["shape"]) for r in allbelow)
    for c, n in Counter((r["material"], r["shape"]) for _, r in allmiss).most_common():
        print(f"| {c[0]} {c[1]} | {n} | {nb[c]} |")
    print(
        "\n| label − limit (dex) | below-limit objects | misses | of them bounds |"
        "\n|---|---:|---:|---:|"
    )
    for lo, hi in ((-9, -1.0), (-1.0, -0.5), (-0.5, -0.25), (-0.25, 0.0)):

        def inb(r: dict[str, Any], lo: float = lo, hi: float = hi) -> bool:
            lim = r["hybrid"].get("limit_pa")
            if not isinstance(lim, float):
                return False
            return lo <= r["label"] - math.log10(lim) < hi

        nbel = sum(inb(r) for r in allbelow)
        m = [r for _, r in allmiss if inb(r)]
        nbd = sum(kind(r["hybrid"], r["label"]) == "bound" for r in m)
        print(f"| {lo} .. {hi} | {nbel} | {len(m)} | {nbd} |")
    print(
        "\n| file | object | rig gel | label | hybrid | path | net mu ± sd (ood) | "
        "hybrid physics | whole-grasp physics | size z | cause |"
    )
    print("|---|---|---:|---:|---|---|---|---|---|---:|---|")

    def fmt(a: dict[str, Any] | None) -> str:
        if a is None:
            return "none"
        if "error" in a:
            return "refused"
        g = a.get("gauss")
        s = f" ±{g[1]:.2f}" if g else ""
        return f"{'≥' if a['bound'] else ''}{a['log10']:.2f}{s}"

    for f, r in sorted(allmiss, key=lambda x: cause(x[1])):
        net = r.get("net") or {}
        ana = r.get("ana")
        ana_s = fmt(ana) if ana is not None else f"failed: {str(r.get('ana_error'))[:60]}"
        nets = f"{net['mu']:.2f} ± {net['sigma']:.2f} ({net['ood']:.1f})" if net else "-"
        gel = f"{r['gel_log10']:.2f}" if r.get("gel_log10") is not None else "-"
        print(
            f"| {f} | {r['object']} | {gel} | {r['label']:.2f} | {fmt(r['hybrid'])} | "
            f"{path_of(r)} | {nets} | {ana_s} | {fmt(r.get('full'))} | "
            f"{float(r['size_z_mm'] or 0):.1f} | {cause(r)} |"
        )
    # what-ifs on the combination rule
    print(
        "\n| what-if | below-limit hits | bounds / stiff / soft / refused (below) | "
        "rigid points (label ≥ rig gel + 2) | false bounds | points above the limit |"
    )
    print("|---|---:|---|---:|---:|---:|")
    for w in WHATIFS:
        c = Counter()
        for d in docs:
            for r in d["rows"]:
                a = (r.get("whatif") or {}).get(w)
                if a is None:
                    a = r.get("hybrid")
                k = kind(a, r["label"])
                gel = r.get("gel_log10")
                if below(r):
                    c["below"] += 1
                    c[k] += 1
                if a and "error" not in a:
                    if a["bound"] and a["log10"] > r["label"]:
                        c["false"] += 1
                    if not a["bound"] and gel is not None and r["label"] >= gel + 2.0:
                        c["rigid"] += 1
                    if not a["bound"] and not below(r):
                        c["above_points"] += 1
        print(
            f"| {w} | {c['hit']} of {c['below']} ({c['hit'] / max(c['below'], 1):.1%}) | "
            f"{c['bound']} / {c['stiff']} / {c['soft']} / {c['refused']} | {c['rigid']} | "
            f"{c['false']} | {c['above_points']} |"
        )


def _shape_group(shape: str | None) -> str:
    return "sphere / ellipsoid" if shape in ("sphere", "ellipsoid") else "cylinder / box / end"


def coverage(files: list[Path], n_objects: int, seed: int) -> None:
    """The training population's objects (``sample_population``, no simulation: the default
    model's ``sim_train.h5`` was ``--objects 150 --population independent --seed 1201``) per
    shape group and log10 E band, beside the below-limit objects and misses of ``files``."""
    from tactile.sim.catalog import sample_population

    bands = ((3.5, 4.5), (4.5, 5.0), (5.0, 5.5), (5.5, 6.0), (6.0, 7.0))

    def band(x: float) -> tuple[float, float] | None:
        return next((b for b in bands if b[0] <= x < b[1]), None)

    train = Counter(
        (_shape_group(o.shape), band(math.log10(o.modulus_pa)))
        for o in sample_population(n_objects, "independent", seed)
    )
    dev: Counter[tuple[str, tuple[float, float] | None]] = Counter()
    miss: Counter[tuple[str, tuple[float, float] | None]] = Counter()
    for f in files:
        for r in json.loads(f.read_text())["rows"]:
            if below(r):
                k = (_shape_group(r["shape"]), band(r["label"]))
                dev[k] += 1
                miss[k] += kind(r["hybrid"], r["label"]) != "hit"
    print(
        f"| shape | log10 E | training objects ({n_objects}, seed {seed}) | "
        "below-limit objects | hybrid misses |\n|---|---|---:|---:|---:|"
    )
    for g in ("sphere / ellipsoid", "cylinder / box / end"):
        for b in bands:
            print(f"| {g} | {b[0]}–{b[1]} | {train[(g, b)]} | {dev[(g, b)]} | {miss[(g, b)]} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("data", type=Path)
    r.add_argument("out", type=Path)
    r.add_argument("--model", default="default")
    r.add_argument("--first", type=int, default=None, help="only the first N grasps (a check)")
    rp = sub.add_parser("report")
    rp.add_argument("json", nargs="+", type=Path)
    cp = sub.add_parser("coverage")
    cp.add_argument("json", nargs="+", type=Path)
    cp.add_argument("--train-objects", type=int, default=150)
    cp.add_argument("--train-seed", type=int, default=1201)
    args = p.parse_args(argv)
    if args.cmd == "run":
        run(args.data, args.out, args.model, args.first)
    elif args.cmd == "coverage":
        coverage(args.json, args.train_objects, args.train_seed)
    else:
        report(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
