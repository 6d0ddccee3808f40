"""Issues 11/12 (given39): dump, per grasp, the signals a check of the hybrid's given-geometry
point could use, while running the ``tactile`` CLI with ``hybrid`` unchanged.

    GIVEN39_PROBE=out.jsonl python benchmarks/given39_probe.py [VARIANT] TACTILE-ARGS...

``VARIANT`` (optional): ``hybrid-network`` runs ``HybridEstimator(check_given_points="network")``
as ``hybrid``; without it ``hybrid`` is unchecked (``check_given_points=False``, the default
before given39; main's behaviour in the dev dumps). Each grasp the hybrid answers in distribution
appends one JSON line to ``$GIVEN39_PROBE`` (when set): the physics' answer (``auto`` unchecked),
blind's answer on the same features, the network's mean and sigma, the grasp's limits and the
final answer.
"""

from __future__ import annotations

import json
import math
import os
import sys
from functools import partial
from typing import Any

from tactile.cli.main import main as tactile_main
from tactile.errors import TactileError
from tactile.estimators.registry import register_estimator
from tactile.types import ModulusEstimate


def _log10(value: float) -> float | None:
    return math.log10(value) if value > 0 and math.isfinite(value) else None


def _answer(e: ModulusEstimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "log10": _log10(e.modulus_pa),
        "bound": e.lower_bound_only,
        "flags": sorted(getattr(f, "value", str(f)) for f in e.flags),
        "lo95": _log10(e.interval_95_pa[0]),
        "hi95": _log10(e.interval_95_pa[1]),
        "chose": e.details.get("auto_chose"),
    }


def _probe_class(check: object) -> type:
    from tactile.estimators.blind import BlindEstimator
    from tactile.estimators.neural.estimator import HybridEstimator

    class ProbeHybrid(HybridEstimator):
        def _predict(self, inputs, feats, analytical, meta, calibration, net=None):  # type: ignore[no-untyped-def]
            if net is None:
                net = self.network_answer(inputs, meta)
            out = super()._predict(inputs, feats, analytical, meta, calibration, net)
            path = os.environ.get("GIVEN39_PROBE")
            if path:
                try:
                    blind: ModulusEstimate | None = BlindEstimator().estimate_features(
                        feats, meta=meta, calibration=calibration
                    )
                    blind_error = None
                except TactileError as exc:
                    blind, blind_error = None, exc.message
                row = {
                    "object": meta.object_id,
                    "net_mu": net.mu,
                    "net_sigma": net.sigma,
                    "ood": net.ood_score,
                    "physics": _answer(analytical),
                    "blind": _answer(blind),
                    "blind_error": blind_error,
                    "final": _answer(out),
                    "limit_log10": _log10(float(out.details.get("resolvable_limit_pa", 0) or 0)),
                    "source": out.details.get("source"),
                    "excess_closure_mm": out.details.get("excess_closure_mm"),
                    "sigma_closure_mm": out.details.get("sigma_closure_mm"),
                    "physics_lower_bound_pa": out.details.get("physics_lower_bound_pa"),
                    "cal_gel_log10": _log10(calibration.gel_modulus_pa or 0.0),
                }
                with open(path, "a") as fh:
                    fh.write(json.dumps(row) + "\n")
            return out

    return partial(ProbeHybrid, check_given_points=check)  # type: ignore[return-value]


def main(argv: list[str]) -> int:
    check: object = False
    if argv and argv[0] == "hybrid-network":
        check, argv = "network", argv[1:]
        margin = os.environ.get("GIVEN39_MARGIN")  # dev exploration only (not the test)
        if margin:
            from tactile.estimators.neural import estimator

            estimator.NETWORK_CHECK_MARGIN_DEX = float(margin)
    register_estimator("hybrid", _probe_class(check), overwrite=True)
    return int(tactile_main(argv) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
