"""Frames and signals -> physical features: pad warp, contact mask/area, depth, loading phase."""

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
