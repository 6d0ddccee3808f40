"""Evaluation protocols: what an estimator may know about an object besides its grasp.

* ``blind`` (the headline): nothing but the grasp. The label is kept for scoring only; the
  object's shape, radius and every object hint a grasp file may carry (sizes, length, contact
  area, the simulator's object description) are removed before estimating, so a label table,
  ``--shape`` or ``--radius-mm`` cannot help. What the simulator records about the *sensor*
  (``sim_*`` settings) is kept: it describes the rig, not the object.
* ``given``: the grasp plus the label table's (or the file's) shape and radius — what the
  figures before issue 11 quoted.
"""

from __future__ import annotations

import dataclasses

from tactile.errors import ConfigError
from tactile.types import GraspMetadata

PROTOCOLS = ("blind", "given")
#: ``meta.extra`` keys that describe the object's geometry or material (removed when blind).
OBJECT_HINT_KEYS = frozenset(
    {
        "contact_area_mm2",
        "length_mm",
        "size_x_mm",
        "size_y_mm",
        "size_z_mm",
        "object_size_z_mm",
        "object_poisson",
        "object_material",
        "object_foam",
        "contact_kind",
        "true_peak_contact_area_mm2",
        "true_peak_object_def_mm",
        "true_peak_gel_depth_mm",
    }
)


def check_protocol(protocol: str) -> str:
    if protocol not in PROTOCOLS:
        raise ConfigError(
            f"evaluation protocol {protocol!r} is unknown",
            hint=f"use one of {', '.join(PROTOCOLS)}",
        )
    return protocol


def blind_metadata(meta: GraspMetadata) -> GraspMetadata:
    """``meta`` without the object's shape, radius and geometry hints (label kept for scoring)."""
    extra = {k: v for k, v in meta.extra.items() if k not in OBJECT_HINT_KEYS}
    return dataclasses.replace(meta, shape=None, radius_mm=None, extra=extra)


def apply_protocol(meta: GraspMetadata, protocol: str) -> GraspMetadata:
    """The metadata an estimator sees under ``protocol``."""
    return blind_metadata(meta) if check_protocol(protocol) == "blind" else meta
