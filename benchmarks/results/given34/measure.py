"""given34: ``auto`` with the stored (label) geometry, and blind's reading of the same grasp.

    PYTHONPATH=TREE python measure.py OUT.jsonl FILE.h5 [FILE.h5 ...]

Each grasp as ``tactile estimate`` reads it (``estimate_stored(..., protocol="given")``, the fast
frame path). Besides ``auto``'s answer, the blind estimate that ``checked_by_blind`` computed on
the same features is recorded (captured, not recomputed), and blind's own answer with nothing
given (``protocol="blind"``), so rules that combine the two can be scored offline
(``variants.py``).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import tactile
import tactile.estimators.auto as auto_mod
from tactile.errors import TactileError
from tactile.estimators import get_estimator
from tactile.evaluation.runner import FAST_IMAGE_FRAMES, _stored_features, estimate_stored
from tactile.io import GraspReader
from tactile.types import ModulusEstimate

CAPTURED: list[ModulusEstimate] = []


class _Capturing(auto_mod.BlindEstimator):
    def estimate_features(self, features, *, meta, calibration):  # type: ignore[no-untyped-def]
        est = super().estimate_features(features, meta=meta, calibration=calibration)
        CAPTURED.append(est)
        return est


def _num(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def _est(e: ModulusEstimate) -> dict[str, Any]:
    keep = (
        "auto_chose", "given_bound_pa", "blind_cap_pa", "blind_lower_bound_only", "foam_bound_pa",
        "linear_bound_pa", "open_point_pa", "curved_bound_pa", "foam_admitted_share",
        "may_be_stiffer_than_gel", "given_foam_bound_pa",
    )  # fmt: skip
    return {
        "E": e.modulus_pa,
        "lb": e.lower_bound_only,
        "i68": [_num(x) for x in e.interval_68_pa],
        "i95": [_num(x) for x in e.interval_95_pa],
        "flags": sorted(f.value for f in e.flags),
        "d": {k: _num(e.details[k]) for k in keep if k in e.details},
    }


def main() -> None:
    auto_mod.BlindEstimator = _Capturing  # type: ignore[misc]
    auto = get_estimator("auto")
    blind = get_estimator("blind")
    print("tactile from", tactile.__file__, file=sys.stderr)
    with open(sys.argv[1], "w") as out:
        for path in sys.argv[2:]:
            with GraspReader(Path(path)) as reader:
                for gid in reader.ids():
                    row: dict[str, Any] = {"file": Path(path).stem, "id": gid}
                    CAPTURED.clear()
                    try:
                        meta, feats, cal = _stored_features(
                            reader, gid, auto, None, None, FAST_IMAGE_FRAMES, "given"
                        )
                        e = auto.estimate_features(feats, meta=meta, calibration=cal)
                    except TactileError as exc:
                        row["error"] = type(exc).__name__
                        out.write(json.dumps(row) + "\n")
                        continue
                    row.update(
                        label=meta.label_modulus_pa,
                        shape=meta.shape,
                        radius=meta.radius_mm,
                        gel=meta.extra.get("true_gel_modulus_pa"),
                        calib_gel=cal.gel_modulus_pa,
                        auto=_est(e),
                        check=_est(CAPTURED[-1]) if CAPTURED else None,
                    )
                    try:
                        _, b = estimate_stored(
                            reader, gid, blind, protocol="blind",
                            max_image_frames=FAST_IMAGE_FRAMES,
                        )  # fmt: skip
                        row["blind"] = _est(b)
                    except TactileError as exc:
                        row["blind"] = {"error": type(exc).__name__}
                    out.write(json.dumps(row) + "\n")
                    out.flush()


if __name__ == "__main__":
    main()
