"""C1-C3 of benchmarks/results/eval35.md: main's `tactile evaluate --json` (old_*) against
eval35's (new_*), both under /tmp/eval35/out (written by run_eval.sh)."""

import json
import math
from pathlib import Path

OUT = Path("/tmp/eval35/out")
SESSIONS = ("reference_grasps", "reference_grasps_2023-12-16")
OLD_KEYS = (
    "n_objects", "within_one_decade", "within_half_decade", "log10_mae", "log10_bias",
    "spearman", "soft_hard_accuracy", "coverage_68", "coverage_95", "n_lower_bound_only",
    "bound_holds", "per_decade",
)  # fmt: skip
BASE_KEYS = (*OLD_KEYS[:9], "per_decade")
ROW_KEYS = (
    "object_id", "label_pa", "estimate_pa", "interval_68_pa", "interval_95_pa",
    "lower_bound_only", "flags", "n_grasps",
)  # fmt: skip


def load(name: str) -> dict:
    with open(OUT / name) as fh:
        return json.load(fh)


def correct(o: dict) -> bool:
    if o["lower_bound_only"]:
        return o["label_pa"] >= o["estimate_pa"]
    return abs(math.log10(o["estimate_pa"] / o["label_pa"])) <= 1.0


def rows(report: dict) -> list[dict]:
    return [{k: o[k] for k in ROW_KEYS} for o in report["objects"]]


def main() -> None:
    ok = True
    for s in SESSIONS:
        for est in ("auto", "hybrid"):
            old, new = load(f"old_{s}_{est}.json"), load(f"new_{s}_{est}.json")
            c1 = rows(old) == rows(new)
            pairs = [(old["summary"], new["summary"])]
            pairs += [(old["beside"][p], new["beside"][p]) for p in old["beside"]]
            c2 = True
            for o_sum, n_sum in pairs:
                c2 &= all(o_sum[k] == n_sum["as_values"][k] for k in OLD_KEYS)
                o_base, n_base = o_sum["baseline"], n_sum["baseline"]
                c2 &= all(o_base[k] == n_base["as_values"][k] for k in BASE_KEYS)
                c2 &= o_base["value_pa"] == n_base["value_pa"]
            c3 = sum(correct(o) for o in new["objects"]) == new["summary"]["correct"]
            print(s, est, "C1", c1, "C2", c2, "C3", c3)
            ok &= c1 and c2 and c3
    print("all", ok)


if __name__ == "__main__":
    main()
