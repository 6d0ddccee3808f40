"""Issue 12 (path39, exploratory): the hybrid's physics sigma factor fitted per path.

    python benchmarks/path39_fit.py VAL.h5 [VAL2.h5 ...] --model default [--bootstrap 2000]

For each validation file, every labelled grasp's physics estimate as the hybrid's physics takes
it (``prepare_stored`` with ``auto`` without its point check) twice: ``blind`` (shape and radius
removed, :func:`~tactile.evaluation.protocol.blind_metadata`, exactly fit_hybrid.py's
``physics_z``) and ``given`` (the stored metadata unchanged; only the estimates where ``auto``
chose a given-geometry estimator, not blind); ``given_kept``: of those, the ones the default
hybrid actually weighs as a given-geometry point (in its network's distribution and not replaced
by blind's answer through its network check, ``HybridEstimator._given_point_checked_by_network``;
the label is not used to select). Per path, over the pooled two-sided estimates:
fit_hybrid.py's factor (68 % quantile of |error| / own sigma over Z68, floored at 1) with its
bootstrap 68 % interval, and the factor that makes the 95 % intervals cover 95 % (95 % quantile
over Z95, not floored), with the coverage each gives. Nothing is stored.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.neural.data import prepare_stored
from tactile.estimators.neural.estimator import resolve_model
from tactile.estimators.neural.predict import Z68, Z95
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader

PATHS = ("blind", "given", "given_kept")


def z_of(log10_est: float, lo: float, hi: float, label_pa: float) -> float | None:
    """|log10 error| / own log10 sigma of a two-sided estimate (68 % interval ``lo``-``hi``),
    None when the interval is not two-sided and finite."""
    if not (0 < lo < hi and math.isfinite(hi)) or label_pa <= 0:
        return None
    sigma = math.log10(hi / lo) / (2.0 * Z68)
    return abs(log10_est - math.log10(label_pa)) / max(sigma, 1e-6)


def fit_scale_68(z: np.ndarray) -> float:
    """fit_hybrid.py's rule: the 68 % quantile of ``z`` over Z68, floored at 1."""
    return max(1.0, float(np.quantile(z, 0.68)) / Z68)


def fit_scale_95(z: np.ndarray) -> float:
    """The factor with which 95 % of ``z`` lie within Z95 (not floored)."""
    return float(np.quantile(z, 0.95)) / Z95


def bootstrap(z: np.ndarray, rule: str, n: int, seed: int = 0) -> tuple[float, float]:
    """Central 68 % interval of the rule's factor over ``n`` resamples of ``z``."""
    fit = fit_scale_68 if rule == "68" else fit_scale_95
    rng = np.random.default_rng(seed)
    ks = np.array([fit(rng.choice(z, size=z.size, replace=True)) for _ in range(n)])
    return float(np.quantile(ks, 0.16)), float(np.quantile(ks, 0.84))


def kept_by_hybrid(hybrid: Any, reader: GraspReader, gid: str, prepared: tuple[Any, ...]) -> bool:
    """The default hybrid weighs this given-geometry point as it is (module docstring)."""
    from tactile.estimators.base import with_pad_area
    from tactile.sensor import resolve_calibration

    inputs, feats, e, meta = prepared
    cal = with_pad_area(resolve_calibration(meta, None), reader.read_signals(gid))
    net = hybrid.network_answer(inputs, meta)
    if hybrid.envelope.reason(cal) is not None or net.ood_score > hybrid.gate_ood_score:
        return False
    checked = hybrid._given_point_checked_by_network(e, inputs, feats, meta, cal, net)
    return "given_point_pa" not in checked.details


def physics_z(
    path: Path, config: object, rows: list[dict[str, object]] | None = None, hybrid: Any = None
) -> dict[str, list[float]]:
    """Per path, z of every two-sided physics estimate on the file (see the module docstring);
    ``rows``: also appended one dict per estimate (grasp, path, label, estimate, sigma, z)."""
    reader = GraspReader(path)
    out: dict[str, list[float]] = {p: [] for p in PATHS}
    for gid in reader.ids():
        meta = reader.read_signals(gid).meta
        label = meta.label_modulus_pa
        if not label:
            continue
        for p in PATHS[:2]:
            try:
                prepared = prepare_stored(
                    reader,
                    gid,
                    config,  # type: ignore[arg-type]
                    analytical="auto",
                    meta=blind_metadata(meta) if p == "blind" else meta,
                )
            except TactileError:
                continue
            e = prepared[2]
            if e is None or e.lower_bound_only:
                continue
            if p == "given" and e.details.get("auto_chose") in (None, "blind"):
                continue
            z = z_of(e.log10_modulus, *e.interval_68_pa, label)
            if z is not None:
                out[p].append(z)
                kept = (
                    p == "given"
                    and hybrid is not None
                    and kept_by_hybrid(hybrid, reader, gid, prepared)
                )
                if kept:
                    out["given_kept"].append(z)
                if rows is not None:
                    lo, hi = e.interval_68_pa
                    rows.append(
                        {
                            "file": path.name,
                            "grasp": gid,
                            "path": p,
                            "chose": e.details.get("auto_chose"),
                            "label_log10": math.log10(label),
                            "log10": e.log10_modulus,
                            "sigma": math.log10(hi / lo) / (2.0 * Z68),
                            "z": z,
                            "kept": kept,
                        }
                    )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path, nargs="+")
    p.add_argument("--model", default="default")
    p.add_argument("--bootstrap", type=int, default=2000)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--dump", type=Path, default=None, help="every estimate's z (JSON lines)")
    args = p.parse_args(argv)
    config = resolve_model(args.model).config
    from tactile.estimators.neural.estimator import HybridEstimator

    hybrid = HybridEstimator(args.model)
    pooled: dict[str, list[float]] = {q: [] for q in PATHS}
    report: dict[str, object] = {}
    rows: list[dict[str, object]] = []
    for path in args.data:
        per = physics_z(path, config, rows, hybrid)
        for q in PATHS:
            print(f"{path.name} {q}: {len(per[q])} two-sided physics estimates")
            pooled[q] += per[q]
        report[path.name] = {q: len(per[q]) for q in PATHS}
    for q in PATHS:
        z = np.asarray(pooled[q])
        if z.size == 0:
            print(f"{q}: no two-sided estimate")
            continue
        k68, k95 = fit_scale_68(z), fit_scale_95(z)
        b68 = bootstrap(z, "68", args.bootstrap)
        b95 = bootstrap(z, "95", args.bootstrap)
        row = {
            "n": int(z.size),
            "cov68_stated": float(np.mean(z <= Z68)),
            "cov95_stated": float(np.mean(z <= Z95)),
            "k68": k68,
            "k68_boot68": b68,
            "cov95_with_k68": float(np.mean(z <= Z95 * k68)),
            "k95": k95,
            "k95_boot68": b95,
            "cov68_with_k95": float(np.mean(z <= Z68 * k95)),
            "cov68_with_2.781": float(np.mean(z <= Z68 * 2.781)),
            "cov95_with_2.781": float(np.mean(z <= Z95 * 2.781)),
            "z_quantiles": {str(a): float(np.quantile(z, a)) for a in (0.5, 0.68, 0.9, 0.95, 0.99)},
        }
        report[q] = row
        print(
            f"{q}: n={z.size}; stated 68 % cov {row['cov68_stated']:.1%}, 95 % "
            f"{row['cov95_stated']:.1%}; k68 = {k68:.3f} (boot 68 % {b68[0]:.2f}-{b68[1]:.2f}), "
            f"95 % cov with it {row['cov95_with_k68']:.1%}; k95 = {k95:.3f} (boot "
            f"{b95[0]:.2f}-{b95[1]:.2f}), 68 % cov with it {row['cov68_with_k95']:.1%}; "
            f"with 2.781: 68 % {row['cov68_with_2.781']:.1%}, 95 % {row['cov95_with_2.781']:.1%}"
        )
    if args.dump is not None:
        args.dump.write_text("".join(json.dumps(r) + "\n" for r in rows))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
