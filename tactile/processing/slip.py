"""Slip: the grip force collapses while the gripper still holds or closes.

When an object slides or rolls out between the fingers mid-squeeze, the force falls fast while
the gripper keeps its width (or keeps closing: it lost its resistance). After that moment force
and closure no longer describe one contact, so an estimate may only use the frames before it.
A release looks alike in the force (it falls fast) but the gripper *opens*: its width grows
within a few frames (width readings lag the video by up to ~4 frames on the reference rig), so
a fall followed by an opening is not a slip.

Pure function: force and width in, a :class:`Slip` (or None) out. The thresholds are about the
reference rig (30 fps, forces of 1-25 N): a slip loses at least 30 % of the force above rest
(and 0.5 N) within 5 frames while the width does not grow by 1 mm over the next 10 frames. A
fall nearer the end of the recording than that cannot be told from a release and is not called
a slip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Slip:
    """A force collapse: the last frame before it, where it crossed the threshold, and how much
    force was lost."""

    before_index: int  # last frame of the intact grasp (the local force maximum)
    drop_index: int  # first frame at which the loss exceeds the threshold
    force_before_n: float
    force_after_n: float
    width_change_mm: float  # width change over the look-ahead (negative: still closing)

    def describe(self) -> str:
        return (
            f"slip: the force fell from {self.force_before_n:.1f} N (frame {self.before_index}) "
            f"to {self.force_after_n:.1f} N (frame {self.drop_index}) while the gripper did not "
            f"open (width {self.width_change_mm:+.2f} mm)"
        )


def find_slip(
    force_n: np.ndarray,
    width_mm: np.ndarray,
    *,
    rest_force_n: float = 0.0,
    min_drop_fraction: float = 0.3,
    min_drop_n: float = 0.5,
    drop_frames: int = 5,
    open_mm: float = 1.0,
    lookahead_frames: int = 10,
    min_grip_fraction: float = 0.2,
) -> Slip | None:
    """The first slip in a grasp, or None (no fast force loss, or the gripper opened: a release).

    ``force_n`` should be despiked (isolated glitches are not slips; see
    :func:`tactile.processing.loading.despike`). A fall counts when, within ``drop_frames``,
    the force loses ``max(min_drop_fraction * (max - rest), min_drop_n, 5 noise SD)`` from a
    local maximum that holds at least ``min_grip_fraction`` of the grasp's peak force (and
    twice ``min_drop_n``) above rest, and stays down the next frame; it is a slip when the
    width over the next ``lookahead_frames`` never exceeds its value at that maximum by
    ``open_mm``. The first fall that is an opening ends the search (the squeeze is over).
    """
    f = np.asarray(force_n, dtype=np.float64)
    w = np.asarray(width_mm, dtype=np.float64)
    n = f.size
    if w.shape != f.shape or n < 3:
        return None
    # SD of the force noise from second differences (a ramp has none): the robust (MAD) one,
    # or the plain one when larger: despiking replaces a noisy force's largest deviations, and
    # its MAD then reads the noise up to ~40 % low (a 0.4 N-noise squeeze "slipped" on noise)
    d2 = np.diff(f, 2)
    noise = max(1.4826 * float(np.median(np.abs(d2))), float(np.std(d2))) / np.sqrt(6.0)
    min_grip = max(2.0 * min_drop_n, min_grip_fraction * float(f.max() - rest_force_n))
    for j in range(1, n - 1):
        start = max(0, j - drop_frames)
        k = j - 1 - int(np.argmax(f[start:j][::-1]))  # last frame at the local maximum
        threshold = max(min_drop_fraction * (f[k] - rest_force_n), min_drop_n, 5.0 * noise)
        if f[k] - rest_force_n < min_grip or f[k] - f[j] < threshold:
            continue  # no grip to lose yet, or no fast loss
        if f[k] - f[j + 1] < 0.5 * threshold:
            continue  # back at once: a glitch, not a lost grip
        end = j + lookahead_frames
        if end >= n:  # too near the end to tell a slip from a release
            return None
        change = float(w[k : end + 1].max() - w[k])
        if change >= open_mm:
            return None  # the gripper opened: a release, and the squeeze is over
        return Slip(k, j, float(f[k]), float(f[j]), float(w[end] - w[k]))
    return None
