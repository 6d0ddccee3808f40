"""Issues 11/12 (given39): run the ``tactile`` CLI with the hybrid's given-geometry point check
where the network reads the object far beyond the grasp's resolvable limit, as the pre-registered
test's "variant" runs do (benchmarks/results/given39_prereg.md).

    python benchmarks/given39_variants.py hybrid-network TACTILE-ARGS...

``hybrid-network``: the name ``hybrid`` means ``HybridEstimator(check_given_points="network")``
(the physics' given point replaced by blind's answer on the same features, point or bound, before
the combination where the network's mean is at least ``NETWORK_CHECK_MARGIN_DEX`` = 1.5 above the
grasp's resolvable limit). Everything else is the CLI unchanged; the hybrid's physics is ``auto``
unchecked before its own check (``tactile.estimators.neural.data.analytical_estimator``).
"""

from __future__ import annotations

import sys
from functools import partial

from tactile.cli.main import main as tactile_main
from tactile.estimators.registry import register_estimator


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "hybrid-network":
        print(__doc__, file=sys.stderr)
        return 2
    from tactile.estimators.neural.estimator import HybridEstimator

    register_estimator(
        "hybrid", partial(HybridEstimator, check_given_points="network"), overwrite=True
    )
    return int(tactile_main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
