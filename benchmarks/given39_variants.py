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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from given38_variants import run_variant


def main(argv: list[str]) -> int:
    return run_variant(argv, "hybrid-network", "network", __doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
