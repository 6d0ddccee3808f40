"""given32: ``auto`` with the stored (label) geometry on grasp files, one JSON line per grasp.

    PYTHONPATH=TREE python measure.py OUT.jsonl FILE.h5 [FILE.h5 ...]

Each grasp as ``tactile estimate`` reads it (``estimate_stored(..., protocol="given")``, the fast
frame path); run once per code tree (main, the change) and compare with ``analyse.py``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import tactile
from tactile.errors import TactileError
from tactile.estimators import get_estimator
from tactile.evaluation.runner import FAST_IMAGE_FRAMES, estimate_stored
from tactile.io import GraspReader


def _finite(pair: tuple[float, float]) -> list[float | None]:
    return [x if math.isfinite(x) else None for x in pair]


def main() -> None:
    auto = get_estimator("auto")
    print("tactile from", tactile.__file__, file=sys.stderr)
    with open(sys.argv[1], "w") as out:
        for path in sys.argv[2:]:
            with GraspReader(Path(path)) as reader:
                for gid in reader.ids():
                    row: dict[str, object] = {"file": Path(path).stem, "id": gid}
                    try:
                        meta, e = estimate_stored(
                            reader, gid, auto, protocol="given", max_image_frames=FAST_IMAGE_FRAMES
                        )
                    except TactileError as exc:
                        row["error"] = type(exc).__name__
                        out.write(json.dumps(row) + "\n")
                        continue
                    row.update(
                        label=meta.label_modulus_pa,
                        shape=meta.shape,
                        radius=meta.radius_mm,
                        gel=meta.extra.get("true_gel_modulus_pa"),
                        E=e.modulus_pa,
                        lb=e.lower_bound_only,
                        i68=_finite(e.interval_68_pa),
                        i95=_finite(e.interval_95_pa),
                        flags=sorted(f.value for f in e.flags),
                        chose=e.details.get("auto_chose"),
                        given=e.details.get("given_bound_pa"),
                        foam=e.details.get("given_foam_bound_pa"),
                    )
                    out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
