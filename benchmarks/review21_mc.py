"""review21 (exploratory): is foam34's claimed foam bound an honest 5th percentile of the
admitted draws' posterior? For a built grasp: the reference is the 5th percentile over the
admitted draws of N_REF passes of ``foam_bound_draws`` over the whole touch prior (seeds
1000..), pooled; the claimed bound (``foam_bound_posterior``, with its redraw) at estimator
seeds 0-49 is compared with it.

    PYTHONPATH=TREE python benchmarks/review21_mc.py [--seeds A-B] CASE [CASE ...]

``--seeds A-B``: the estimator seeds A..B instead of 0-49, each seed's percentile printed too
(foam35).

CASE = ``k22`` (review20's foam box, 18 mm drag) or ``OBJ:K:DRAG`` from review21_sweep.py.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from foam32_cliff import with_drag

N_REF = 400


def _grasp(case: str) -> tuple[Any, float]:
    from review21_sweep import _objects

    from tactile.evaluation.protocol import blind_metadata
    from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
    from tactile.sim.rigs import apply_rig, draw_rig

    if case == "k22":
        k, drag, sim_seed = 22, 18.0, 22
        obj = SimObject(
            shape="box", size_mm=(30.0, 30.0, 20.0), modulus_pa=1e5, poisson=0.1, foam=True,
            densification_strain=0.6, name="foam",
        )  # fmt: skip
    else:
        name, ks, ds = case.split(":")
        k, drag, sim_seed = int(ks), float(ds), int(ks)
        obj = next(o for o in _objects() if o.name == name)
    cfg0 = apply_rig(SimGraspConfig.realistic(), draw_rig(np.random.default_rng(100 + k)))
    cfg = dataclasses.replace(cfg0, gripper=dataclasses.replace(cfg0.gripper, open_gap_mm=55.0))
    g = simulate_grasp(obj, cfg, seed=sim_seed, grasp_id="x")
    g = with_drag(g, drag) if drag > 0 else g
    return dataclasses.replace(g, meta=blind_metadata(g.meta)), obj.modulus_pa


def check(case: str, seeds: range = range(50)) -> None:
    import tactile.estimators.blind as blind

    grasp, e_true = _grasp(case)
    captured: list[tuple[Any, ...]] = []
    original = blind.foam_bound_posterior

    def capture(*args: Any) -> Any:
        captured.append(args)
        return original(*args)

    blind.foam_bound_posterior = capture  # type: ignore[assignment]
    try:
        est = blind.BlindEstimator(seed=0).estimate(grasp)
    finally:
        blind.foam_bound_posterior = original  # type: ignore[assignment]
    if not captured:
        print(f"{case}: no foam check (answer {est.modulus_pa:.4g}, bound {est.lower_bound_only})")
        return
    features, geo, cal, rise, widest, _ = captured[-1]
    pool: list[np.ndarray] = []
    shares = []
    for s in range(1000, 1000 + N_REF):
        r = blind.foam_bound_draws(features, geo, cal, rise, widest, s, ("flat",), False, True)
        assert r is not None
        pool.append(r.bound_n_per_mm2[r.admitted])
        shares.append(float(np.mean(r.admitted)))
    allv = np.sort(np.concatenate(pool))
    ref = float(allv[math.floor(0.05 * (allv.size - 1))]) * blind.PA_PER_N_PER_MM2
    claims, ns = [], []
    for s in seeds:
        b, _share, _up, n, _alld = original(features, geo, cal, rise, widest, s)
        claims.append(b)
        ns.append(n)
    c = np.array(claims)
    # the claimed bound's own percentile in the reference posterior
    pct = [float(np.searchsorted(allv, x / blind.PA_PER_N_PER_MM2, side="right")) / allv.size
           for x in c]  # fmt: skip
    if seeds != range(50):
        print(f"{case}: seed, percentile, admitted draws: " + ", ".join(
            f"{s} {p:.3f} {k}" for s, p, k in zip(seeds, pct, ns, strict=True)))  # fmt: skip
    print(
        f"{case}: E {e_true:.4g} Pa; reference: {allv.size} admitted of {N_REF * blind.N_DRAWS} "
        f"({np.mean(shares):.2%}), 5th pct {ref:.4g} Pa; claimed (seeds "
        f"{seeds.start}-{seeds.stop - 1}): median {np.median(c):.4g}, min {c.min():.4g}, "
        f"max {c.max():.4g} Pa, spread "
        f"{math.log10(c.max() / c.min()):.3f} dex; above the reference at {np.mean(c > ref):.0%} "
        f"of seeds; claimed bound's percentile in the posterior: median {np.median(pct):.3f}, "
        f"max {max(pct):.3f}; above E at {int(np.sum(c > e_true))} seeds; admitted draws "
        f"behind it min {min(ns)} median {int(np.median(ns))}"
    )


if __name__ == "__main__":
    argv = sys.argv[1:]
    chosen = range(50)
    if argv[:1] == ["--seeds"]:
        a, b = argv[1].split("-")
        chosen, argv = range(int(a), int(b) + 1), argv[2:]
    for c in argv:
        check(c, chosen)
