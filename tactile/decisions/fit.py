"""``tactile sort fit``: class thresholds from a few labelled samples.

Each sample is one grasp's measured value on the profile's axis (log10 E, or grasp stiffness)
with the class a person gave the fruit. For each pair of neighbouring classes the threshold is
the middle of the band between them: the empty gap between the two classes' samples, or their
overlap. The band itself is left between the fitted classes, so a measurement inside it is
"uncertain" (re-grasp, then reject) rather than a guess; a class with a single labelled value
keeps no gap band beside it (it would be empty), its range meeting the threshold there; an
overlap stays undecided in any case, and a class that the overlaps beside it leave no range is
refused (which samples to check is said), never placed inside an overlap. The fitted classes
are written ``banded = true`` with the band's half-width as their ``uncertainty``: their
limits already exclude it, so decisions compare against them as written. Fitted
thresholds absorb what the literature ranges cannot know: the skin's stiffening of a squeeze,
the rig, the estimator's bias.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from tactile.decisions.profiles import (
    FITTED_SOURCE_PREFIX,
    ProduceProfile,
    ProfileError,
    RipenessClass,
)
from tactile.decisions.stopping import CONFIDENT_STOP, FUTILE_STOP


@dataclass(frozen=True)
class Sample:
    value: float
    label: str


@dataclass(frozen=True)
class Boundary:
    lower: str
    upper: str
    threshold: float
    uncertainty: float
    n_misclassified: int


def fit_boundary(lower: Sequence[float], upper: Sequence[float]) -> tuple[float, float, int]:
    """Threshold between two classes' values (the lower class below it): ``(threshold,
    half-width of the undecided band, samples on the wrong side of the threshold)``.

    Separable classes: the band is the empty gap between the lower class's largest and the
    upper class's smallest value (nothing labelled says where in it the boundary is).
    Overlapping classes: the band is the overlap, from the upper class's smallest to the lower
    class's largest value. The threshold is the band's middle.
    """
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    top_lower, bottom_upper = float(lo.max()), float(hi.min())
    a, b = sorted((top_lower, bottom_upper))
    threshold = (a + b) / 2.0
    wrong = int(np.sum(lo >= threshold)) + int(np.sum(hi < threshold))
    return threshold, (b - a) / 2.0, wrong


def fit_profile(
    profile: ProduceProfile, samples: Sequence[Sample]
) -> tuple[ProduceProfile, list[Boundary]]:
    """``profile`` with thresholds between neighbouring classes fitted to ``samples``."""
    names = profile.class_names
    by_class: dict[str, list[float]] = {n: [] for n in names}
    unknown = sorted({s.label for s in samples if s.label not in by_class})
    if unknown:
        raise ProfileError(
            f"labels {unknown} are not classes of profile {profile.name!r}",
            hint=f"label samples with one of {list(names)}",
        )
    for s in samples:
        if math.isfinite(s.value):
            by_class[s.label].append(s.value)
    empty = [n for n in names if not by_class[n]]
    if empty:
        raise ProfileError(
            f"no labelled sample of class(es) {empty}",
            hint="grasp at least one (better three) fruit of every class",
        )
    boundaries = []
    for a, b in itertools.pairwise(names):
        t, half, err = fit_boundary(by_class[a], by_class[b])
        boundaries.append(Boundary(a, b, t, half, err))
    classes = []
    for i, c in enumerate(profile.classes):
        below = boundaries[i - 1] if i > 0 else None
        above = boundaries[i] if i < len(boundaries) else None
        lo = below.threshold + below.uncertainty if below else c.min_value
        hi = above.threshold - above.uncertainty if above else c.max_value
        if lo >= hi:  # one labelled value (or a tight cluster): the bands leave no room
            # a gap (no labelled fruit inside) is shared up to its threshold; an overlap, where
            # fruit of both classes were measured, stays undecided whatever it leaves
            if below is not None and not _overlap(below):
                lo = below.threshold
            if above is not None and not _overlap(above):
                hi = above.threshold
            if lo >= hi:
                raise _covered(profile.name, c.name, below, above, by_class)
        unc = max(
            [boundaries[j].uncertainty for j in (i - 1, i) if 0 <= j < len(boundaries)],
            default=c.uncertainty,
        )
        n = len(by_class[c.name])
        source = (
            f"{FITTED_SOURCE_PREFIX} to {n} labelled sample(s) (was [{c.min_value}, {c.max_value}))"
        )
        # banded: the limits already stand outside the undecided band (its half-width is
        # ``unc``), so the decision rule must not widen them by it again (docs/decisions.md)
        classes.append(RipenessClass(c.name, lo, hi, unc, source, banded=True))
    fitted = replace(profile, classes=tuple(classes), path=None)
    return fitted, boundaries


def _overlap(b: Boundary) -> bool:
    """The two classes' samples overlap (or touch): some lie on the wrong side of the middle."""
    return b.n_misclassified > 0


def _covered(
    profile: str,
    name: str,
    below: Boundary | None,
    above: Boundary | None,
    by_class: dict[str, list[float]],
) -> ProfileError:
    """Why class ``name`` has no range left: the overlap(s) beside it, with the samples that
    reach into it (the ones to check)."""
    parts = []
    for b in (below, above):
        if b is not None and _overlap(b):
            parts.append(
                f"labelled {b.lower!r} fruit measured up to {max(by_class[b.lower]):.3g} and "
                f"{b.upper!r} down to {min(by_class[b.upper]):.3g}"
            )
    return ProfileError(
        f"fitting {profile!r}: class {name!r} has no range left outside the undecided bands "
        "beside it: " + "; ".join(parts) + ", so the samples cannot say where it starts or ends",
        hint="check the labels of those samples, grasp more fruit of each class, or fit a "
        "profile with fewer classes",
    )


#: A sort log's ``stop_reason`` values of squeezes that ended before the full grasp
#: (``--stop-when-confident``): their values were read at a lower force.
EARLY_STOP_REASONS = (CONFIDENT_STOP, FUTILE_STOP)


def read_samples(path: str | Path, quantity: str) -> list[Sample]:
    """Samples from a CSV: a ``label`` (or ``truth_class``) column and a ``value`` column (or
    the sort log's ``value``); rows without a label are skipped. A labelled row of a sort log
    whose squeeze was stopped early (``stop_reason`` confident or futile) is refused: fit on
    full grasps, the squeeze every threshold is compared against."""
    path = Path(path)
    try:
        rows = list(csv.DictReader(path.open(newline="")))
    except FileNotFoundError as exc:
        raise ProfileError(f"sample file {path} does not exist", hint="check the path") from exc
    if not rows:
        raise ProfileError(f"{path} has no rows", hint="one row per labelled grasp")
    cols = rows[0].keys()
    label_col = "label" if "label" in cols else "truth_class" if "truth_class" in cols else None
    if label_col is None or "value" not in cols:
        raise ProfileError(
            f"{path} needs a 'label' (or 'truth_class') and a 'value' column, has {list(cols)}",
            hint=f"value = the measured {quantity}; a sort log (items.csv) has both",
        )
    if "quantity" in cols:
        other = {r["quantity"] for r in rows if r.get("quantity") and r["quantity"] != quantity}
        if other:
            raise ProfileError(
                f"{path} measured {sorted(other)}, the profile decides on {quantity!r}",
                hint="sort the labelled tray with the same profile quantity first",
            )
    stopped = [
        (r.get("item_id") or f"row {i + 2}")
        for i, r in enumerate(rows)
        if (r.get(label_col) or "").strip()
        and (r.get("stop_reason") or "").strip() in EARLY_STOP_REASONS
    ]
    if stopped:
        raise ProfileError(
            f"{path}: {len(stopped)} labelled sample(s) come from squeezes stopped early "
            f"(--stop-when-confident): {', '.join(stopped[:5])}"
            f"{' ...' if len(stopped) > 5 else ''}; "
            "a fruit's estimate rises with the force, so values read at a few newtons would "
            "bias the fitted thresholds against the full squeezes they are meant for",
            hint="sort the labelled fruit with full grasps (without --stop-when-confident), "
            "then fit on that items.csv",
        )
    samples = []
    for r in rows:
        label = (r.get(label_col) or "").strip()
        if not label or not r.get("value"):
            continue
        try:
            samples.append(Sample(float(r["value"]), label))
        except ValueError as exc:
            raise ProfileError(
                f"{path}: value {r['value']!r} is not a number", hint="fix that row"
            ) from exc
    return samples
