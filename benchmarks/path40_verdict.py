"""Issue 12 (path40): the verdict of benchmarks/results/path40_prereg.md's criteria (a)-(k).

    python benchmarks/path40_verdict.py GIVEN_MAIN.json GIVEN_VAR.json BLIND_MAIN.json \
        BLIND_VAR.json [--guard NAME MAIN.json VAR.json] ...

Main vs the variant (``benchmarks/path39_per_path.py 2.781 5.801``) of ``tactile evaluate FILE
--estimator hybrid --protocol P --json`` on the fresh file, both protocols; ``--guard``: the real
sessions' runs (criterion (k), both protocols, any number of pairs). Counts as
``path39_per_path.py compare`` reads them (sig39_compare.py's ``summary_row`` / ``compare``,
path39's ``dropped_stiff_flags``). Prints one line per criterion with its numbers and
``holds`` / ``FAILS``, then ``ALL HOLD`` or ``FAILED: ...``; exit 0 either way.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from path39_per_path import dropped_stiff_flags
from sig39_compare import compare


def _load(path: str) -> dict[str, Any]:
    return dict(json.loads(Path(path).read_text()))


def _answers(run: dict[str, Any]) -> list[str]:
    """Each object's answer as JSON text (the byte-identity of criterion (j))."""
    return [json.dumps(o, sort_keys=True) for o in run["objects"]]


def criteria(
    given: tuple[dict[str, Any], dict[str, Any]],
    blind: tuple[dict[str, Any], dict[str, Any]],
    guards: list[tuple[str, dict[str, Any], dict[str, Any]]],
) -> list[tuple[str, str, bool]]:
    """(criterion, its numbers, holds) for (a)-(k) of path40_prereg.md."""
    g = compare(*given)
    a, b = g["old"], g["new"]
    c68 = b["two_sided_covered_68"] / max(b["two_sided"], 1)
    c95_old = a["two_sided_covered_95"] / max(a["two_sided"], 1)
    c95 = b["two_sided_covered_95"] / max(b["two_sided"], 1)
    dropped = dropped_stiff_flags(*given)
    out = [
        (
            "(a) below-limit hits new >= old",
            f"{a['below_limit_hits']} -> {b['below_limit_hits']} of {a['below_limit_objects']}",
            b["below_limit_hits"] >= a["below_limit_hits"],
        ),
        (
            "(b) false bounds new <= old",
            f"{a['false_bounds']} -> {b['false_bounds']}",
            b["false_bounds"] <= a["false_bounds"],
        ),
        (
            "(c) rigid points new <= old",
            f"{a['rigid_points']} -> {b['rigid_points']} of {a['rigid_objects']}",
            b["rigid_points"] <= a["rigid_points"],
        ),
        (
            "(d) soft flagged stiffer (true gel) new <= old",
            f"{a['soft_flagged_stiffer']} -> {b['soft_flagged_stiffer']}",
            b["soft_flagged_stiffer"] <= a["soft_flagged_stiffer"],
        ),
        (
            "(e) correct vs rig gel new >= old",
            f"{a['correct_vs_rig_gel']} -> {b['correct_vs_rig_gel']}",
            b["correct_vs_rig_gel"] >= a["correct_vs_rig_gel"],
        ),
        (
            "(f) C95_new >= C95_old - 0.02 and C95_new >= 0.90",
            f"{a['two_sided_covered_95']}/{a['two_sided']} ({c95_old:.1%}) -> "
            f"{b['two_sided_covered_95']}/{b['two_sided']} ({c95:.1%})",
            c95 >= c95_old - 0.02 and c95 >= 0.90,
        ),
        (
            "(g) stiff flags above the limit dropped = 0",
            f"{len(dropped)}",
            not dropped,
        ),
        (
            "(h) 0.60 <= C68_new <= 0.85",
            f"{a['two_sided_covered_68']}/{a['two_sided']} -> "
            f"{b['two_sided_covered_68']}/{b['two_sided']} ({c68:.1%})",
            0.60 <= c68 <= 0.85,
        ),
        (
            "(i) correct -> wrong <= wrong -> correct",
            f"{g['correct_to_wrong']} / {g['wrong_to_correct']} (of {len(g['changed'])} changed)",
            g["correct_to_wrong"] <= g["wrong_to_correct"],
        ),
    ]
    bl = compare(*blind)
    same = _answers(blind[0]) == _answers(blind[1])
    out.append(
        (
            "(j) blind protocol: 0 objects changed, answers byte-identical",
            f"{len(bl['changed'])} changed; objects' JSON identical: {same}",
            not bl["changed"] and same,
        )
    )
    for name, old, new in guards:
        r = compare(old, new)
        out.append(
            (
                f"(k) guard {name}: no correct -> wrong, no new false bound",
                f"{len(r['changed'])} changed; correct -> wrong {r['correct_to_wrong']}, "
                f"new false bounds {r['new_false_bounds']}",
                r["correct_to_wrong"] == 0 and r["new_false_bounds"] == 0,
            )
        )
    return out


def main(argv: list[str]) -> int:
    rest, guards = argv[4:], []
    while len(rest) >= 4 and rest[0] == "--guard":
        guards.append((rest[1], _load(rest[2]), _load(rest[3])))
        rest = rest[4:]
    if len(argv) < 4 or rest:
        print(__doc__, file=sys.stderr)
        return 2
    rows = criteria((_load(argv[0]), _load(argv[1])), (_load(argv[2]), _load(argv[3])), guards)
    for name, numbers, holds in rows:
        print(f"{name}: {numbers}: {'holds' if holds else 'FAILS'}")
    failed = [name.split(" ")[0] for name, _, holds in rows if not holds]
    print("ALL HOLD" if not failed else "FAILED: " + " ".join(failed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
