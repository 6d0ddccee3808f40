"""The frames of the loading phase an analytical fit may use.

Frames from first contact to peak force (``GraspFeatures.loading``) where the force is a usable
share of the peak. Early frames carry the largest relative errors (contact timing, width steps,
a few pixels of contact), so by default only frames above 20 % of the peak force are fitted.
A grasp that never touched the object raises :class:`~tactile.errors.NoContactError`: an
estimator never returns 0 or NaN. So does a grasp whose force rose while the tactile camera saw
no contact (:func:`~tactile.processing.contact.require_visible_contact`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tactile.errors import NoContactError
from tactile.processing.contact import contact_seen, require_visible_contact
from tactile.types import Flag, GraspFeatures, GraspMetadata

#: Below this peak force (N) a grasp is treated as no contact: the force sensor's rest noise on
#: the reference rig is about ±0.1 N.
MIN_PEAK_FORCE_N = 0.3
#: Contact areas below this (mm², far below one pixel) count as no contact area.
MIN_AREA_MM2 = 1e-4
#: Shapes whose face may cover the whole pad (and then shows no edge in the image).
FLAT_SHAPES = frozenset(
    {"box", "rectangular", "cube", "block", "flat", "slab", "cuboid", "cylinder_end", "disc"}
)


def flat_face_possible(meta: GraspMetadata) -> bool:
    """Whether the object may be a flat face covering the whole pad: nothing is known of it (no
    shape, no radius) or its shape is flat. Only then may a grasp whose camera saw no change be
    estimated (:func:`~tactile.processing.contact.require_visible_contact`)."""
    shape = (meta.shape or "").strip().lower()
    if not shape:
        return meta.radius_mm is None
    return shape in FLAT_SHAPES


#: Fewer usable frames than this gets :attr:`Flag.FEW_LOADING_FRAMES`.
FEW_FRAMES = 4


@dataclass(frozen=True)
class LoadingCurve:
    """Per-frame arrays over the usable loading frames (all the same length)."""

    indices: np.ndarray
    force_n: np.ndarray
    area_mm2: np.ndarray
    contact_radius_mm: np.ndarray
    closure_mm: np.ndarray
    width_at_contact_mm: float
    depth_mm: np.ndarray | None
    flags: frozenset[Flag]

    @property
    def n_frames(self) -> int:
        return int(self.indices.size)

    @property
    def peak_force_n(self) -> float:
        return float(self.force_n.max())


def loading_curve(
    features: GraspFeatures,
    *,
    min_force_fraction: float = 0.2,
    min_force_n: float = 0.05,
    flat_face_possible: bool = False,
) -> LoadingCurve:
    """Select the usable loading frames of ``features``.

    A frame is usable when its force is above ``max(min_force_fraction · peak, min_force_n)``.
    Its contact area may be 0 (an image threshold can miss a soft, shallow contact): routes that
    need the area skip those frames, routes that do not (force and closure only) keep them.
    Raises NoContactError (with the reason) when the force never rises, or when the camera did
    not see the contact (``flat_face_possible``: see
    :func:`~tactile.processing.contact.require_visible_contact`; the curve then carries
    :attr:`Flag.CONTACT_NOT_SEEN`).
    """
    gid = features.grasp_id
    if Flag.NO_CONTACT in features.flags:
        raise NoContactError(
            f"grasp {gid!r}: processing found no contact",
            hint="check that the gripper closed on the object and the reference frame is unloaded",
        )
    require_visible_contact(features, flat_face_possible=flat_face_possible)
    sl = features.loading
    idx = np.arange(features.t_s.size)[sl]
    force = np.asarray(features.force_n, dtype=np.float64)[sl]
    area = np.asarray(features.contact_area_mm2, dtype=np.float64)[sl]
    if idx.size == 0 or not np.any(np.isfinite(force)):
        raise NoContactError(
            f"grasp {gid!r}: the loading phase is empty (contact {features.contact_index}, "
            f"peak {features.peak_index})",
            hint="record from before contact to peak force",
        )
    peak = float(np.nanmax(force))
    if not math.isfinite(peak) or peak < MIN_PEAK_FORCE_N:
        raise NoContactError(
            f"grasp {gid!r}: peak force {peak:.3g} N is below {MIN_PEAK_FORCE_N} N",
            hint="squeeze harder or check the force sensor's zero and sign (compression > 0)",
        )
    floor = max(min_force_fraction * peak, min_force_n)
    keep = np.isfinite(force) & (force >= floor)
    area = np.where(np.isfinite(area) & (area > MIN_AREA_MM2), area, 0.0)
    width = np.asarray(features.width_mm, dtype=np.float64)
    width_at_contact = float(width[features.contact_index])
    depth = None
    if features.depth_mm is not None:
        depth = np.asarray(features.depth_mm, dtype=np.float64)[sl][keep]
    flags = set(features.flags)
    if not contact_seen(features):
        flags.add(Flag.CONTACT_NOT_SEEN)
    if int(keep.sum()) < FEW_FRAMES:
        flags.add(Flag.FEW_LOADING_FRAMES)
    return LoadingCurve(
        indices=idx[keep],
        force_n=force[keep],
        area_mm2=area[keep],
        contact_radius_mm=np.sqrt(area[keep] / math.pi),
        closure_mm=width_at_contact - width[sl][keep],
        width_at_contact_mm=width_at_contact,
        depth_mm=depth,
        flags=frozenset(flags),
    )
