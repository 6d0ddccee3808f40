"""The outcome table of benchmarks/results/eval35.md from eval35's `tactile evaluate --json`."""

import json
from pathlib import Path

OUT = Path("/tmp/eval35/out")
SESSIONS = {"reference_grasps": "2023-12-06", "reference_grasps_2023-12-16": "2023-12-16"}
HEAD = (
    "session", "estimator", "protocol", "correct", "points within a decade", "bounds holding",
    "false bounds", "points' log10 MAE", "points' bias", "points' Spearman",
    "points' 68/95 % coverage", "as values: within / MAE / Spearman", "constant: correct",
    "constant on the same points: MAE",
)  # fmt: skip


def f(v: float | None, d: int = 2) -> str:
    return "n/a" if v is None else f"{v:.{d}f}"


def line(session: str, est: str, protocol: str, m: dict) -> str:
    p, b, v, c = m["points"], m["bounds"], m["as_values"], m["baseline"]
    cells = [
        session, est, protocol, f"{m['correct']}/{m['n_objects']}",
        f"{p['n_within_one_decade']}/{p['n']}", f"{b['holding']}/{b['n']}",
        f"{m['false_bounds']}/{b['n']}", f(p["log10_mae"]), f(p["log10_bias"]),
        f(p["spearman"], 1), f"{f(p['coverage_68'])}/{f(p['coverage_95'])}",
        f"{f(v['within_one_decade'])} / {f(v['log10_mae'])} / {f(v['spearman'], 1)}",
        f"{c['correct']}/{c['n_objects']}", f(c["points_same_objects"]["log10_mae"]),
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    print("| " + " | ".join(HEAD) + " |")
    print("|" + "---|" * len(HEAD))
    for s, date in SESSIONS.items():
        for est in ("auto", "hybrid"):
            with open(OUT / f"new_{s}_{est}.json") as fh:
                d = json.load(fh)
            print(line(date, est, "blind", d["summary"]))
            for protocol, m in d["beside"].items():
                print(line(date, est, f"{protocol} (beside)", m))


if __name__ == "__main__":
    main()
