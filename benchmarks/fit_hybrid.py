"""Fit the hybrid's trust in the physics on a simulated *validation* set, and store it.

    python benchmarks/fit_hybrid.py VAL.h5 [VAL2.h5 ...] --model models/default \
        [--store-in models/default] [--bootstrap 2000]

The hybrid weighs the network and the physics (``auto`` = ``blind`` without a shape) by their
uncertainties, so both must be honest. The network's sigma is calibrated at training
(``sigma_scale``); this script does the same for the physics: on grasps of objects that neither
the training nor the test set holds, estimated blind (shape and radius removed, each grasp with
the calibration its simulated rig carries), the factor ``k`` on the physics' own log10 sigma
with which its 68 % intervals contain the label for 68 % of the two-sided estimates, floored at
1 (the physics is never trusted *more* than it says). Stored as
``info["analytical_sigma_scale"]``. It prints the coverage before and after. Several validation
files are pooled (the two-sided estimates of all of them, one rule); ``--bootstrap N`` also
prints a bootstrap 68 % interval of the factor (N resamples of the pooled estimates, sig39).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.neural.checkpoint import load_checkpoint, save_checkpoint
from tactile.estimators.neural.data import prepare_stored
from tactile.estimators.neural.estimator import model_path, resolve_model
from tactile.estimators.neural.predict import Z68
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader


def physics_z(path: Path, config: object) -> list[float]:
    """|log10 error| / own log10 sigma of every two-sided physics estimate on the file, as the
    hybrid computes it (``prepare_stored`` with ``auto``, shape and radius removed)."""
    reader = GraspReader(path)
    out = []
    for gid in reader.ids():
        meta = reader.read_signals(gid).meta
        label = meta.label_modulus_pa
        if not label:
            continue
        try:
            _, _, e, _ = prepare_stored(
                reader,
                gid,
                config,  # type: ignore[arg-type]
                analytical="auto",
                meta=blind_metadata(meta),
            )
        except TactileError:
            continue
        if e is None:
            continue
        lo, hi = e.interval_68_pa
        if e.lower_bound_only or not (0 < lo < hi and math.isfinite(hi)):
            continue
        sigma = math.log10(hi / lo) / (2.0 * Z68)
        out.append(abs(e.log10_modulus - math.log10(label)) / max(sigma, 1e-6))
    return out


def fit_scale(z: np.ndarray) -> float:
    """The factor on the physics' own sigma with which 68 % of ``z`` (|error| / own sigma) lie
    within ``Z68``: the 68 % quantile of ``z`` over ``Z68``, floored at 1."""
    return max(1.0, float(np.quantile(z, 0.68)) / Z68)


def bootstrap_interval(
    z: np.ndarray, n: int, seed: int = 0, level: float = 0.68
) -> tuple[float, float]:
    """The central ``level`` interval of :func:`fit_scale` over ``n`` resamples (with
    replacement, the size of ``z``) of ``z``."""
    rng = np.random.default_rng(seed)
    ks = np.array([fit_scale(rng.choice(z, size=z.size, replace=True)) for _ in range(n)])
    tail = (1.0 - level) / 2.0
    return float(np.quantile(ks, tail)), float(np.quantile(ks, 1.0 - tail))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "data", type=Path, nargs="+", help="simulated validation grasps (labelled); pooled"
    )
    p.add_argument("--model", default="default")
    p.add_argument("--store-in", type=Path, default=None)
    p.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="also print a bootstrap 68 %% interval of the factor over N resamples",
    )
    p.add_argument("--seed", type=int, default=0, help="the bootstrap's random seed")
    args = p.parse_args(argv)
    config = resolve_model(args.model).config
    per_file = {path: physics_z(path, config) for path in args.data}
    for path, values in per_file.items():
        print(f"{path.name}: {len(values)} two-sided physics estimates")
    z = np.asarray([v for values in per_file.values() for v in values])
    if z.size == 0:
        print("no two-sided physics estimate on the validation set: nothing to fit")
        return 1
    k = fit_scale(z)
    print(
        f"{z.size} two-sided physics estimates: 68 % coverage {np.mean(z <= Z68):.1%} as "
        f"stated, {np.mean(z <= Z68 * k):.1%} with sigma x {k:.2f}"
    )
    if args.bootstrap > 0:
        lo, hi = bootstrap_interval(z, args.bootstrap, seed=args.seed)
        print(
            f"bootstrap 68 % interval of the factor ({args.bootstrap} resamples): {lo:.2f}-{hi:.2f}"
        )
    if args.store_in is not None:
        ckpt = model_path(str(args.store_in))
        loaded = load_checkpoint(ckpt)
        info = {
            **loaded.info,
            "analytical_sigma_scale": round(k, 3),
            "analytical_sigma_scale_fitted_on": (
                f"{' + '.join(path.name for path in args.data)} ({z.size} grasps)"
            ),
        }
        save_checkpoint(
            ckpt,
            loaded.model,
            loaded.normalization,
            sigma_scale=loaded.sigma_scale,
            metrics=loaded.metrics,
            info=info,
        )
        print(f"stored analytical_sigma_scale = {k:.3f} in {ckpt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
