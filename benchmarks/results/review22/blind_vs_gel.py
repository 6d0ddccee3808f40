"""review22 (exploratory): where given34's cap applies and the given bound is above the
calibration's gel, how far below that gel is blind's bound, by class of object?

    python blind_vs_gel.py MAIN.jsonl [MAIN.jsonl ...]    (given34's measure.py rows, main's tree)
"""

from __future__ import annotations

import collections
import json
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "given34"))
from variants import kept  # type: ignore[import-not-found]


def cls(r: dict[str, Any]) -> str:
    if r["label"] < r["calib_gel"]:
        return "A below the calibration's gel"
    if r["label"] < r["gel"]:
        return "B below the rig's gel"
    if r["label"] >= 100 * r["gel"]:
        return "D rigid"
    return "C 1-100x the rig's gel"


def main() -> None:
    rows: list[dict[str, Any]] = []
    for p in sys.argv[1:]:
        with open(p) as f:
            rows += [json.loads(line) for line in f]
    rows = [r for r in rows if "error" not in r and kept(r) and r["auto"]["E"] > r["calib_gel"]]
    by: dict[str, list[float]] = collections.defaultdict(list)
    for r in rows:
        by[cls(r)].append(math.log10(r["check"]["E"] / r["calib_gel"]))
    for k in sorted(by):
        v = sorted(by[k])
        n = len(v)
        print(
            f"{k}: n {n}, log10(blind's bound / calibration's gel) min {v[0]:.2f} q25 "
            f"{v[n // 4]:.2f} median {v[n // 2]:.2f} q75 {v[3 * n // 4]:.2f} max {v[-1]:.2f}"
        )
    for t in (-2.0, -1.5, -1.0, -0.5, 0.0):
        print(
            f"blind's bound below gel x 10^{t}:",
            {k: sum(x < t for x in v) for k, v in sorted(by.items())},
        )


if __name__ == "__main__":
    main()
