"""Issues 11/12 (given37): run the ``tactile`` CLI with a given-geometry point check on, as the
pre-registered test's "variant" runs do (benchmarks/results/given37_prereg.md).

    python benchmarks/given37_variants.py {auto-flagged,hybrid-checked} TACTILE-ARGS...

``auto-flagged``: the name ``auto`` means ``AutoEstimator(check_points="flagged")`` (variant A',
a given point is checked only where blind's bound on the same grasp is flagged
``stiffer_than_gel``; ``auto``'s default since it passed); ``hybrid-checked``: ``hybrid`` means
``HybridEstimator(check_given_points=True)`` (variant H: given36's check as it is). Everything
else is the CLI unchanged; the hybrid's physics is ``auto`` unchecked either way
(``tactile.estimators.neural.data.analytical_estimator``).
"""

from __future__ import annotations

import sys
from functools import partial

from tactile.cli.main import main as tactile_main
from tactile.estimators.auto import AutoEstimator
from tactile.estimators.registry import register_estimator


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("auto-flagged", "hybrid-checked"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "auto-flagged":
        register_estimator("auto", partial(AutoEstimator, check_points="flagged"), overwrite=True)
    else:
        from tactile.estimators.neural.estimator import HybridEstimator

        register_estimator(
            "hybrid", partial(HybridEstimator, check_given_points=True), overwrite=True
        )
    return int(tactile_main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
