"""Frames and signals -> physical features: pad warp, contact mask/area, depth, loading phase."""

# Two numpy submodules are loaded lazily by numpy itself: ``numpy.ma`` on the first
# ``np.median`` (its NaN check asks ``np.ma``) and ``numpy.random`` on the first random generator
# (the blind estimator's Monte Carlo). Imported here, with the package, they are paid once when a
# process starts (~10 ms and ~7 ms on the benchmark machine) instead of inside the first grasp
# it estimates (BENCHMARKS.md, "First grasp of a process").
import numpy.ma
import numpy.random  # noqa: F401

from tactile.processing.contact import (
    contact_area_mm2,
    contact_mask,
    difference_magnitude,
    saturated_fraction,
    signed_difference,
)
from tactile.processing.depth import depth_map_mm, fit_cap_radius_mm, integrate_slopes
from tactile.processing.features import extract_features
from tactile.processing.loading import (
    LoadingPhase,
    despike,
    find_loading_phase,
    sample_indices,
)
from tactile.processing.maps import MAP_KINDS, sample_maps
from tactile.processing.warp import DEFAULT_SCALE, PadWarp, build_pad_warp

__all__ = [
    "DEFAULT_SCALE",
    "MAP_KINDS",
    "LoadingPhase",
    "PadWarp",
    "build_pad_warp",
    "contact_area_mm2",
    "contact_mask",
    "depth_map_mm",
    "despike",
    "difference_magnitude",
    "extract_features",
    "find_loading_phase",
    "fit_cap_radius_mm",
    "integrate_slopes",
    "sample_indices",
    "sample_maps",
    "saturated_fraction",
    "signed_difference",
]
