"""Issue 12 (path39, exploratory): run the ``tactile`` CLI with the hybrid's physics sigma factor
chosen per path, without changing ``tactile/``.

    python benchmarks/path39_per_path.py BLIND_K GIVEN_K TACTILE-ARGS...
    python benchmarks/path39_per_path.py compare MAIN.json VARIANT.json [--name NAME]

The name ``hybrid`` means :class:`PerPathHybrid`: ``HybridEstimator`` (every default as on
main) whose ``analytical_sigma_scale`` is ``GIVEN_K`` where the physics it weighs is a
given-geometry estimate (:func:`physics_path`) and ``BLIND_K`` otherwise, instead of the
checkpoint's one ``info["analytical_sigma_scale"]`` for both. ``compare``: sig39_compare.py's
counts of both runs plus the stiffer-than-gel flags above the resolvable limit the variant
drops (:func:`dropped_stiff_flags`).
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from tactile.estimators.neural.estimator import HybridEstimator
from tactile.types import ModulusEstimate

GIVEN, BLIND = "given", "blind"


def physics_path(analytical: ModulusEstimate | None) -> str:
    """``"given"`` for a given-geometry answer of ``auto`` (``auto_chose`` not blind, and not
    replaced by blind's answer through the hybrid's or auto's point check, i.e. no
    ``given_point_pa`` / ``bound_from``), else ``"blind"`` (blind's own answers, blind in
    place of a given point, missing)."""
    if analytical is None:
        return BLIND
    d = analytical.details
    if d.get("auto_chose") in (None, "blind") or "given_point_pa" in d or "bound_from" in d:
        return BLIND
    return GIVEN


class PerPathHybrid(HybridEstimator):
    """The hybrid with one physics sigma factor per path (module docstring)."""

    def __init__(self, *args: Any, blind_scale: float, given_scale: float, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.scales = {BLIND: float(blind_scale), GIVEN: float(given_scale)}
        self._now: float | None = None

    @property
    def analytical_sigma_scale(self) -> float:
        return self._now if self._now is not None else super().analytical_sigma_scale

    def _combine(self, net: Any, analytical: ModulusEstimate | None) -> Any:
        self._now = self.scales[physics_path(analytical)]
        try:
            return super()._combine(net, analytical)
        finally:
            self._now = None

    def _physics_resolves(self, net: Any, analytical: ModulusEstimate | None, e_res: float) -> Any:
        self._now = self.scales[physics_path(analytical)]
        try:
            return super()._physics_resolves(net, analytical, e_res)
        finally:
            self._now = None


def dropped_stiff_flags(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Objects flagged stiffer than the gel above their resolvable limit in ``old``
    (``summary.simulated_truth.objects_detail``: ``flagged`` and not ``below_limit``) and not
    flagged in ``new``, with what ``new`` answers (log10, point or bound, error in dex)."""

    def detail(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
        st = run.get("summary", {}).get("simulated_truth") or {}
        return {d["object"]: d for d in st.get("objects_detail", [])}

    a, b = detail(old), detail(new)
    kinds = {o["object_id"]: o["answer"] for o in new.get("objects", [])}
    out = []
    for obj, d in a.items():
        n = b.get(obj)
        if not d.get("flagged") or d.get("below_limit") or n is None or n.get("flagged"):
            continue
        out.append(
            {
                "object": obj,
                "label_log10": d["label"],
                "old_log10": d["log10"],
                "new_log10": n["log10"],
                "new_answer": kinds.get(obj),
                "new_error_dex": n["log10"] - d["label"],
            }
        )
    return out


def compare_main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sig39_compare import compare

    old = json.loads(Path(argv[0]).read_text())
    new = json.loads(Path(argv[1]).read_text())
    name = argv[3] if len(argv) > 3 and argv[2] == "--name" else Path(argv[1]).stem
    res = compare(old, new)
    res["dropped_stiff_flags"] = dropped_stiff_flags(old, new)
    print(f"{name} main: {json.dumps(res['old'])}")
    print(f"{name} per-path: {json.dumps(res['new'])}")
    print(
        f"{name}: {len(res['changed'])} objects changed; correct -> wrong "
        f"{res['correct_to_wrong']}, wrong -> correct {res['wrong_to_correct']}, new false "
        f"bounds {res['new_false_bounds']}; stiff flags above the limit dropped "
        f"{len(res['dropped_stiff_flags'])}"
    )
    for d in res["dropped_stiff_flags"]:
        print(f"  dropped {json.dumps(d)}")
    return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == "compare":
        return compare_main(argv[1:])
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    from tactile.cli.main import main as tactile_main
    from tactile.estimators.registry import register_estimator

    factory = partial(PerPathHybrid, blind_scale=float(argv[0]), given_scale=float(argv[1]))
    register_estimator("hybrid", factory, overwrite=True)
    return int(tactile_main(argv[2:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
